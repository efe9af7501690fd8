"""Reading decisions and awards: the funding scenario of a call, the award register."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from applications.models import Application, Call, Funder
from awards.models import Award, Decision, FundingShare, Letter
from reviews.selectors import without_conflicts_of
from reviews.selectors_ranking import RankingRow, ranking_for

ZERO = Decimal("0.00")


def has_award_from_call(*, user, call: Call) -> bool:
    """Whether ``user`` was the principal investigator of a standing award made in ``call``."""
    if not user.is_authenticated:
        return False
    return Award.objects.standing().filter(application__call=call, application__pi=user).exists()


def holding_decisions(call: Call) -> QuerySet[Decision]:
    """The call's fund decisions that hold money: pending or applied, unless the awardee declined."""
    return Decision.objects.filter(
        call=call, outcome=Decision.Outcome.FUND, application__status=Application.Status.SUBMITTED
    ).exclude(award__status=Award.Status.DECLINED)


@dataclass(frozen=True)
class FunderTotal:
    funder_id: int
    name: str
    commitment: Decimal  # in the call's currency, at the call's fixed rate
    commitment_currency: str
    commitment_amount: Decimal  # in the funder's own currency
    rate: Decimal
    allocated: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.commitment - self.allocated

    @property
    def percent(self) -> float:
        return float(self.allocated / self.commitment * 100) if self.commitment else 0.0


@dataclass(frozen=True)
class Totals:
    budget: Decimal
    allocated: Decimal
    funders: list[FunderTotal]

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.allocated

    @property
    def percent(self) -> float:
        return float(self.allocated / self.budget * 100) if self.budget else 0.0


def call_totals(call: Call) -> Totals:
    """What the call's fund decisions hold against its budget and each funder's commitment."""
    allocated = holding_decisions(call).aggregate(total=Sum("amount"))["total"] or ZERO
    by_funder = dict(
        FundingShare.objects.filter(decision__in=holding_decisions(call))
        .values("funder_id")
        .annotate(total=Sum("amount"))
        .values_list("funder_id", "total")
    )
    funders = [
        FunderTotal(
            funder_id=c.funder_id,
            name=c.funder.short_name or c.funder.name,
            commitment=c.amount_in_call_currency,
            commitment_currency=c.currency,
            commitment_amount=c.amount,
            rate=c.rate_to_call_currency,
            allocated=by_funder.get(c.funder_id, ZERO),
        )
        for c in call.commitments.select_related("funder").order_by("funder__name")
    ]
    return Totals(budget=call.budget, allocated=allocated, funders=funders)


@dataclass(frozen=True)
class SheetRow:
    ranking: RankingRow
    application: Application
    decision: Decision | None

    @property
    def requested(self) -> Decimal | None:
        return self.application.requested_amount


@dataclass(frozen=True)
class FundingSheet:
    call: Call
    rows: list[SheetRow]  # in rank order
    totals: Totals
    counts: dict[str, int] = field(default_factory=dict)  # outcome → number, over what the viewer sees
    pending: int = 0  # decisions waiting to be applied, over the whole call
    undecided: int = 0  # the viewer's rows with no decision


def funding_sheet(call: Call, viewer) -> FundingSheet:
    """The ranked list with each application's decision, for ``viewer`` (never an item they are
    conflicted with), and the call's running totals."""
    ranking = ranking_for(call, viewer)
    ids = [row.application_id for row in ranking.rows]
    applications = Application.objects.in_bulk(ids)
    decisions = {
        d.application_id: d
        for d in Decision.objects.filter(application_id__in=ids)
        .select_related("award")
        .prefetch_related("shares__funder")
    }
    rows = [
        SheetRow(row, applications[row.application_id], decisions.get(row.application_id))
        for row in ranking.rows
    ]
    counts = dict.fromkeys(Decision.Outcome.values, 0)
    for row in rows:
        if row.decision:
            counts[row.decision.outcome] += 1
    return FundingSheet(
        call=call,
        rows=rows,
        totals=call_totals(call),
        counts=counts,
        pending=Decision.objects.filter(call=call, status=Decision.Status.PENDING).count(),
        undecided=sum(1 for row in rows if row.decision is None),
    )


def decisions_visible_to(user, call: Call | None = None) -> QuerySet[Decision]:
    """Decisions ``user`` may see: staff all, committee members their calls' except conflicted ones."""
    decisions = Decision.objects.select_related("application", "call")
    if call is not None:
        decisions = decisions.filter(call=call)
    if user.is_staff:
        return decisions
    applications = without_conflicts_of(Application.objects.filter(call__committee__user=user), user)
    return decisions.filter(application__in=applications)


def awards_visible_to(user) -> QuerySet[Award]:
    """Awards ``user`` may see: staff all; a PI their own; committee members their calls' (not conflicted)."""
    awards = Award.objects.select_related("application__call", "application__pi", "decision")
    if not user.is_authenticated:
        return awards.none()
    if user.is_staff:
        return awards
    committee = without_conflicts_of(Application.objects.filter(call__committee__user=user), user)
    return awards.filter(Q(application__pi=user) | Q(application__in=committee)).distinct()


def award_register(*, call=None, funder=None, status=None, year=None, search: str = "") -> QuerySet[Award]:
    """The staff register of awards with its filters, in reference order."""
    awards = Award.objects.select_related(
        "application__call", "application__pi", "application__institution"
    ).prefetch_related("decision__shares__funder")
    if call:
        awards = awards.filter(application__call=call)
    if funder:
        awards = awards.filter(decision__shares__funder=funder, decision__shares__amount__gt=0)
    if status:
        awards = awards.filter(status=status)
    if year:
        awards = awards.filter(created_at__year=year)
    if search:
        awards = awards.filter(
            Q(reference__icontains=search)
            | Q(application__title__icontains=search)
            | Q(application__pi__full_name__icontains=search)
        )
    return awards.distinct().order_by("reference")


# The applicant's side: only what has been published (``published_outcome``), never a pending decision.

OUTCOME_LABELS = {
    Decision.Outcome.FUND: "Awarded",
    Decision.Outcome.DECLINE: "Not funded",
    Decision.Outcome.WAITLIST: "Waitlisted",
}
OUTCOME_LETTER_KINDS = {
    Decision.Outcome.FUND: Letter.Kind.AWARD,
    Decision.Outcome.DECLINE: Letter.Kind.DECLINE,
    Decision.Outcome.WAITLIST: Letter.Kind.WAITLIST,
}


@dataclass(frozen=True)
class ApplicantOutcome:
    """What the applicant has been told about one application, and the award made with it."""

    decision: Decision
    award: Award | None
    shares: list[FundingShare] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)  # the current letter and summary statement
    superseded: list[Letter] = field(default_factory=list)  # older versions, letters of an earlier outcome

    @property
    def outcome(self) -> str:
        return self.decision.published_outcome

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def decided_at(self) -> datetime | None:
        return self.decision.applied_at


def published_outcomes(applications: Iterable[Application]) -> dict[int, ApplicantOutcome]:
    """application id → its published outcome (with the award), for a list page; two queries."""
    ids = [a.pk for a in applications]
    decisions = Decision.objects.filter(application_id__in=ids).exclude(published_outcome="")
    awards = {a.application_id: a for a in Award.objects.filter(application_id__in=ids)}
    return {d.application_id: ApplicantOutcome(d, awards.get(d.application_id)) for d in decisions}


def applicant_letters(decision: Decision) -> tuple[list[Letter], list[Letter]]:
    """(current, superseded): per kind (the published outcome's letter and the summary statement) the
    newest rendered version, or the newest if none is rendered yet; older versions, and the letters of
    an earlier outcome (waitlist, then funded), are superseded. A newer version still pending or failed
    never hides a good earlier PDF. A letter of an outcome not yet published (a waitlisted decision
    changed but not applied again) is left out altogether."""
    if not decision.published_outcome:
        return [], []
    current_kinds = [OUTCOME_LETTER_KINDS[decision.published_outcome], Letter.Kind.SUMMARY]
    changed = decision.outcome != decision.published_outcome
    unpublished = OUTCOME_LETTER_KINDS[decision.outcome] if changed else None
    letters = list(
        decision.letters.select_related("decision__application", "decision__call").order_by(
            "kind", "-version"
        )
    )
    current: dict[str, Letter] = {}
    for kind in current_kinds:
        versions = [letter for letter in letters if letter.kind == kind]
        if versions:
            current[kind] = next((v for v in versions if v.status == Letter.Status.DONE), versions[0])
    superseded = [
        letter
        for letter in letters
        if letter.kind != unpublished
        and (letter.kind not in current or letter.version < current[letter.kind].version)
    ]
    return [current[kind] for kind in current_kinds if kind in current], superseded


def applicant_outcome(application: Application, *, with_letters: bool = True) -> ApplicantOutcome | None:
    """The published outcome of ``application`` with its award, funder split and letters; None while
    nothing is published. The caller decides who may see it (the PI, staff)."""
    decision = Decision.objects.filter(application=application).exclude(published_outcome="").first()
    if decision is None:
        return None
    award = Award.objects.filter(application=application).select_related("application__call").first()
    shares = list(decision.shares.select_related("funder")) if award is not None else []
    current, superseded = applicant_letters(decision) if with_letters else ([], [])
    return ApplicantOutcome(decision, award, shares, current, superseded)


def awards_of(user) -> QuerySet[Award]:
    """The awards made to ``user`` as principal investigator, newest first."""
    if not user.is_authenticated:
        return Award.objects.none()
    return Award.objects.filter(application__pi=user).select_related("application__call", "decision")


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    count: int
    standing: Decimal  # offered or accepted
    declined: Decimal  # given back by the awardee


def register_totals(awards: QuerySet[Award]) -> list[CurrencyTotal]:
    """Per currency, over the register's filtered awards: how many, and the amounts standing and declined
    (currencies are never added together)."""
    declined = Q(status=Award.Status.DECLINED)
    rows = (
        Award.objects.filter(pk__in=awards.values("pk"))
        .values("currency")
        .annotate(
            count=Count("pk"),
            standing=Sum("amount", filter=~declined),
            declined=Sum("amount", filter=declined),
        )
        .order_by("currency")
    )
    return [
        CurrencyTotal(row["currency"], row["count"], row["standing"] or ZERO, row["declined"] or ZERO)
        for row in rows
    ]


def register_choices() -> dict[str, list]:
    """The register filters' options: calls and funders that have awards, and the years awards were made."""
    with_awards = Award.objects.values("pk")
    return {
        "calls": list(
            Call.objects.filter(applications__award__in=with_awards).distinct().order_by("-opens_at")
        ),
        "funders": list(
            Funder.objects.filter(funding_shares__decision__award__in=with_awards).distinct().order_by("name")
        ),
        "years": sorted({d.year for d in Award.objects.dates("created_at", "year")}, reverse=True),
    }
