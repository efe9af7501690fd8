"""The chair's portal forms for funding decisions and letters. They only parse input; the services in
``awards.services`` decide (the request limit, the budget, each commitment, the split adding up)."""

from decimal import Decimal

from django import forms

from applications.models import Application, Call
from awards.models import Decision
from awards.money import format_money, proportional_split
from awards.selectors import FunderTotal
from awards.services import DecisionInput

FUND = Decision.Outcome.FUND


class DecisionForm(forms.Form):
    """One application's decision. A share field per committed funder (``share_<funder id>``): all
    empty means "in proportion to the commitments"; once one is filled, an empty one counts as 0."""

    outcome = forms.ChoiceField(label="Outcome", choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label="Approved amount",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Empty: the amount requested. Never more than the request.",
    )
    start_date = forms.DateField(
        label="Start date", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    duration_months = forms.IntegerField(
        label="Duration (months)", required=False, min_value=1, max_value=120
    )
    conditions = forms.CharField(
        label="Conditions", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    discussion_summary = forms.CharField(
        label="Summary of the discussion",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the applicant's summary statement.",
    )

    def __init__(
        self,
        *args,
        funders: list[FunderTotal],
        currency: str,
        requested: Decimal | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.funder_ids = [funder.funder_id for funder in funders]
        self.fields["amount"].label = f"Approved amount ({currency})"
        if requested is not None:
            self.fields["amount"].widget.attrs["max"] = str(requested)
            self.fields[
                "amount"
            ].help_text = f"Empty: the {format_money(requested, currency)} requested, never more."
        for funder in funders:
            self.fields[f"share_{funder.funder_id}"] = forms.DecimalField(
                label=f"{funder.name} ({currency})",
                required=False,
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0"),
            )

    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{funder_id}"] for funder_id in self.funder_ids]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("amount", "start_date", "duration_months")]

    def text_fields(self) -> list[forms.BoundField]:
        return [self["conditions"], self["discussion_summary"]]

    def decision_input(self) -> DecisionInput:
        """The cleaned data as the service takes it. Only a fund decision carries an amount and a
        split; the split is None (proportional) while every share is left empty."""
        data = self.cleaned_data
        fund = data["outcome"] == FUND
        typed = {funder_id: data.get(f"share_{funder_id}") for funder_id in self.funder_ids}
        shares = None
        if fund and any(value is not None for value in typed.values()):
            shares = {funder_id: value or Decimal(0) for funder_id, value in typed.items()}
        return DecisionInput(
            outcome=data["outcome"],
            amount=data["amount"] if fund else None,
            conditions=data["conditions"],
            start_date=data["start_date"],
            duration_months=data["duration_months"],
            discussion_summary=data["discussion_summary"],
            shares=shares,
        )


def decision_form(
    call: Call, application: Application, funders: list[FunderTotal], decision=None, data=None
) -> DecisionForm:
    """The row's form: bound to what was typed, or filled from the decision (the request by default).
    A split equal to the proportional one is shown empty, so changing the amount keeps it proportional."""
    initial = {"amount": application.requested_amount, "duration_months": application.duration_months}
    if decision is not None:
        initial |= {
            "outcome": decision.outcome,
            "amount": decision.amount or application.requested_amount,
            "conditions": decision.conditions,
            "start_date": decision.start_date,
            "duration_months": decision.duration_months or application.duration_months,
            "discussion_summary": decision.discussion_summary,
        }
        shares = {s.funder_id: s.amount for s in decision.shares.all() if s.amount}
        if decision.amount and shares:
            weights = {funder.funder_id: funder.commitment for funder in funders}
            proportional = {k: v for k, v in proportional_split(decision.amount, weights).items() if v}
            if shares != proportional:
                initial |= {f"share_{funder_id}": amount for funder_id, amount in shares.items()}
    return DecisionForm(
        data,
        prefix=f"d{application.pk}",
        initial=initial,
        funders=funders,
        currency=call.currency,
        requested=application.requested_amount,
    )


class FundTopForm(forms.Form):
    count = forms.IntegerField(label="Fund the top", min_value=1, max_value=10000)


class DecideRestForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(Decision.Outcome.DECLINE, "Do not fund"), (Decision.Outcome.WAITLIST, "Waitlist")]
    )


class RetryLettersForm(forms.Form):
    """Retry one failed letter (``letter``) or, without it, every failed letter of the batch."""

    letter = forms.IntegerField(required=False, widget=forms.HiddenInput)
