"""The chair's pages for a call's funding decisions: the funding scenario on the ranked list (set,
clear and bulk-mark decisions within the budget), applying them, and the progress of the letters.

Staff and the call's committee read the scenario; the chair of this call and staff change it. Every
change goes through ``awards.services``; a conflicted viewer never sees the row of the application
(``funding_sheet`` leaves it out) and reaching it by its address answers 404. Rows are edited in
place with htmx (the row and, out of band, the totals come back) and by whole pages without it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.models import Application, Call
from awards.forms import DecideRestForm, DecisionForm, FundTopForm, RetryLettersForm, decision_form
from awards.models import Decision, Letter, LetterBatch
from awards.money import format_money
from awards.permissions import can_decide, can_view_funding, decision_state_allows_change
from awards.selectors import SheetRow, Totals, call_totals, funding_sheet
from awards.services import (
    apply_decisions,
    clear_decision,
    decide_rest,
    fund_down_to_budget,
    fund_top,
    set_decision,
)
from awards.services.decisions import DECIDING_STATUSES
from awards.services.letters import batch_progress, regenerate_letters, retry_letters
from core.errors import DomainError, NotAllowed
from core.forms import apply_error
from reviews.selectors import is_conflicted, without_conflicts_of
from reviews.views.common import is_htmx, require

FUNDING_PAGE = "awards/chair/funding.html"


@dataclass
class RowView:
    """One row of the scenario as the page shows it; ``form`` while it is being edited."""

    row: SheetRow
    currency: str
    can_change: bool = False
    editing: bool = False
    form: DecisionForm | None = None
    error: str = ""
    saved: str = ""
    focus: bool = False  # back from the form: the row's button takes the focus

    @property
    def application(self) -> Application:
        return self.row.application

    @property
    def decision(self) -> Decision | None:
        return self.row.decision

    @property
    def requested(self) -> str:
        return format_money(self.application.requested_amount, self.currency)

    @property
    def amount(self) -> str:
        return format_money(self.decision.amount, self.currency) if self.decision else ""

    @property
    def shares(self) -> list[str]:
        if self.decision is None or self.decision.outcome != Decision.Outcome.FUND:
            return []
        return [
            f"{s.funder.short_name or s.funder.name} {s.amount:,.2f}"
            for s in self.decision.shares.all()
            if s.amount
        ]

    @property
    def clearable(self) -> bool:
        return self.can_change and self.decision is not None and not self.decision.published_outcome


@dataclass(frozen=True)
class Meter:
    key: str
    label: str
    value: Decimal
    maximum: Decimal
    text: str
    over: bool


def _meters(totals: Totals, currency: str) -> list[Meter]:
    """The budget and each commitment as a meter with the same facts in words (not colour alone)."""

    def meter(key: str, label: str, allocated: Decimal, limit: Decimal, percent: float) -> Meter:
        left = limit - allocated
        rest = f"{money(left)} left" if left >= 0 else f"over by {money(-left)}"
        text = f"{money(allocated)} of {money(limit)} ({percent:.0f}%); {rest}"
        return Meter(key, label, allocated, limit, text, left < 0)

    def money(amount: Decimal) -> str:
        return format_money(amount, currency)

    meters = [meter("budget", "Budget of the call", totals.allocated, totals.budget, totals.percent)]
    for funder in totals.funders:
        label = (
            f"{funder.name}: {format_money(funder.commitment_amount, funder.commitment_currency)} committed"
        )
        if funder.commitment_currency != currency:
            label += f" ({money(funder.commitment)})"
        meters.append(
            meter(f"funder-{funder.funder_id}", label, funder.allocated, funder.commitment, funder.percent)
        )
    return meters


def _can_change(user, call: Call) -> bool:
    return call.status in DECIDING_STATUSES and bool(can_decide(user, call))


def _context(request: HttpRequest, call: Call, *, states: dict | None = None, **extra) -> dict:
    """The whole scenario for ``request.user``; ``states`` maps an application id to its row's state
    (editing, the bound form, an error or what was saved)."""
    states = states or {}
    sheet = funding_sheet(call, request.user)
    can_change = _can_change(request.user, call)
    rows = []
    for row in sheet.rows:
        if row.decision is not None:
            row.decision.application = row.application  # the predicate's message names it: no query
        view = RowView(row, call.currency, can_change and bool(decision_state_allows_change(row.decision)))
        for name, value in states.get(row.application.pk, {}).items():
            setattr(view, name, value)
        view.editing = view.can_change and (view.editing or view.form is not None)
        if view.editing and view.form is None:
            view.form = decision_form(call, row.application, sheet.totals.funders, row.decision)
        rows.append(view)
    return {
        "call": call,
        "sheet": sheet,
        "rows": rows,
        "meters": _meters(sheet.totals, call.currency),
        "can_decide": bool(can_decide(request.user, call)),
        "can_change": can_change,
        "deciding": call.status in DECIDING_STATUSES,
        "fund_top_form": FundTopForm(),
        **extra,
    }


def _page(request: HttpRequest, call: Call, *, status: int = 200, **kwargs) -> HttpResponse:
    return render(request, FUNDING_PAGE, _context(request, call, **kwargs), status=status)


def _viewed_call(request: HttpRequest, slug: str) -> Call:
    """The call, for staff and its committee; 404 for anyone else, as the review portal and the API."""
    call = get_object_or_404(Call.objects.select_related("program"), slug=slug)
    if not can_view_funding(request.user, call):
        raise Http404("No such call among yours.")
    return call


def _decided_call(request: HttpRequest, slug: str) -> Call:
    call = _viewed_call(request, slug)
    require(can_decide(request.user, call))
    return call


def _application(request: HttpRequest, call: Call, pk: int) -> Application:
    """A submitted application of the call; 404 for one the user is conflicted with, as if absent."""
    application = get_object_or_404(
        Application.objects.select_related("call"), pk=pk, call=call, status=Application.Status.SUBMITTED
    )
    if is_conflicted(request.user, application):
        raise Http404("No such application in this call.")
    return application


def _row_url(call: Call, application: Application, *, edit: bool = False) -> str:
    query = f"?edit={application.pk}" if edit else ""
    return reverse("awards:funding", args=[call.slug]) + f"{query}#funding-row-{application.pk}"


def _row_response(request, call, application, *, state: dict, status: int = 200, oob: bool = False):
    """htmx: the row (and, after a change, the totals out of band); otherwise the whole page."""
    context = _context(request, call, states={application.pk: state})
    row = next((r for r in context["rows"] if r.application.pk == application.pk), None)
    if not is_htmx(request) or row is None:
        return render(request, FUNDING_PAGE, context, status=status)
    context |= {"r": row, "oob": oob}
    return render(request, "awards/_funding_row_update.html", context, status=status)


@login_required
@require_GET
def funding_view(request: HttpRequest, slug: str) -> HttpResponse:
    """``?edit=<application id>`` opens that row's form (the link that works without JavaScript)."""
    call = _viewed_call(request, slug)
    edit = request.GET.get("edit", "")
    states = {int(edit): {"editing": True}} if edit.isascii() and edit.isdigit() else {}
    return _page(request, call, states=states)


@login_required
@require_GET
def funding_row_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One row, shown (``?edit=1``: with its form) for htmx; without it, the page at that row."""
    call = _viewed_call(request, slug)
    application = _application(request, call, pk)
    editing = request.GET.get("edit") == "1"
    if not is_htmx(request):
        return redirect(_row_url(call, application, edit=editing))
    return _row_response(request, call, application, state={"editing": editing, "focus": not editing})


def _refused(error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)


@login_required
@require_POST
def decision_set_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _decided_call(request, slug)
    application = _application(request, call, pk)
    decision = Decision.objects.filter(application=application).prefetch_related("shares").first()
    form = decision_form(call, application, call_totals(call).funders, decision, data=request.POST)
    if not form.is_valid():
        state = {"form": form, "error": "Correct the fields marked below."}
        return _row_response(request, call, application, state=state, status=400)
    try:
        decision = set_decision(application=application, by=request.user, data=form.decision_input())
    except DomainError as error:
        _refused(error)
        if error.field_errors:
            apply_error(form, error)
        state = {"form": form, "error": error.message}
        return _row_response(request, call, application, state=state, status=error.status_code)
    saved = f"Saved: {decision.get_outcome_display().lower()} (pending)."
    if is_htmx(request):
        return _row_response(request, call, application, state={"saved": saved}, oob=True)
    messages.success(request, f"{application.reference}: {saved}")
    return redirect(_row_url(call, application))


@login_required
@require_POST
def decision_clear_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _decided_call(request, slug)
    application = _application(request, call, pk)
    try:
        clear_decision(application=application, by=request.user)
    except DomainError as error:
        _refused(error)
        return _row_response(
            request, call, application, state={"error": error.message}, status=error.status_code
        )
    if is_htmx(request):
        return _row_response(request, call, application, state={"saved": "Cleared: undecided."}, oob=True)
    messages.success(request, f"The pending decision on {application.reference} is cleared.")
    return redirect(_row_url(call, application))


def _helper(request: HttpRequest, call: Call, change, success, **context) -> HttpResponse:
    """Run a bulk helper; its refusal is shown beside the helpers with what was typed."""
    try:
        result = change()
    except DomainError as error:
        _refused(error)
        return _page(request, call, status=error.status_code, helper_error=error.message, **context)
    level, message = success(result)
    messages.add_message(request, level, message)
    return redirect("awards:funding", slug=call.slug)


def _funded(decisions: list[Decision]) -> tuple[int, str]:
    if not decisions:
        return messages.INFO, (
            "No application was funded: none is undecided, or the best-ranked undecided one does not fit "
            "what is left of the budget or of a commitment."
        )
    references = ", ".join(d.application.reference for d in decisions)
    return (
        messages.SUCCESS,
        f"Funded {len(decisions)} application{'s' * (len(decisions) != 1)}: {references}.",
    )


@login_required
@require_POST
def fund_top_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _decided_call(request, slug)
    form = FundTopForm(request.POST)
    if not form.is_valid():
        return _page(
            request, call, status=400, helper_error="Enter how many applications to fund (1 or more).",
            fund_top_form=form,
        )  # fmt: skip
    count = form.cleaned_data["count"]
    return _helper(
        request, call, lambda: fund_top(call=call, count=count, by=request.user), _funded, fund_top_form=form
    )


@login_required
@require_POST
def fund_down_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _decided_call(request, slug)
    return _helper(request, call, lambda: fund_down_to_budget(call=call, by=request.user), _funded)


@login_required
@require_POST
def decide_rest_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _decided_call(request, slug)
    form = DecideRestForm(request.POST)
    if not form.is_valid():
        return _page(request, call, status=400, helper_error="Mark the rest as do not fund or waitlist.")
    outcome = Decision.Outcome(form.cleaned_data["outcome"])

    def marked(decisions: list[Decision]) -> tuple[int, str]:
        n = len(decisions)
        return messages.SUCCESS, f"Marked {n} application{'s' * (n != 1)} as {outcome.label.lower()}."

    return _helper(request, call, lambda: decide_rest(call=call, outcome=outcome, by=request.user), marked)


def _apply_page(request: HttpRequest, call: Call, *, status: int = 200, error: str = "") -> HttpResponse:
    """What applying will publish: the pending decisions per outcome (over the whole call, also those
    the viewer may not see, which are counted and never named) and the letters it queues."""
    counts = dict(
        Decision.objects.filter(call=call, status=Decision.Status.PENDING)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    outcomes = [(label, counts.get(value, 0)) for value, label in Decision.Outcome.choices]
    sheet = funding_sheet(call, request.user)
    shown = [row for row in sheet.rows if row.decision and row.decision.is_pending]
    total = sum(counts.values())
    context = {
        "call": call,
        "outcomes": outcomes,
        "total": total,
        "shown": [RowView(row, call.currency) for row in shown],
        "hidden": total - len(shown),
        "meters": _meters(sheet.totals, call.currency),
        "error": error,
    }
    return render(request, "awards/chair/apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the confirmation (it works without JavaScript); POST: publish and queue the letters."""
    call = _decided_call(request, slug)
    if request.method == "GET":
        return _apply_page(request, call)
    try:
        batch = apply_decisions(call=call, by=request.user)
    except DomainError as error:
        _refused(error)
        return _apply_page(request, call, status=error.status_code, error=error.message)
    messages.success(
        request, "The decisions are applied: applicants see them now, and their letters are queued."
    )
    return redirect("awards:batch", pk=batch.pk)


def _visible_letters(user, call: Call):
    """The call's letters the user may download: staff all, the chair none of a conflicted item."""
    letters = Letter.objects.filter(decision__call=call).select_related("decision__application")
    if not user.is_staff:
        letters = letters.filter(
            decision__application__in=without_conflicts_of(call.applications.all(), user)
        )
    return letters.order_by("decision__application__reference", "kind", "-version")


def _batch_view(batch: LetterBatch, user) -> dict:
    progress = batch_progress(batch)
    failed = list(_visible_letters(user, batch.call).filter(batch=batch, status=Letter.Status.FAILED))
    return {
        "batch": batch,
        "progress": progress,
        "failed": failed,
        "hidden_failed": progress["failed"] - len(failed),
    }


def _letters_page(request: HttpRequest, call: Call, *, status: int = 200, error: str = "") -> HttpResponse:
    batches = [_batch_view(batch, request.user) for batch in call.letter_batches.select_related("call")]
    context = {
        "call": call,
        "batches": batches,
        "letters": _visible_letters(request.user, call),
        "error": error,
    }
    return render(request, "awards/chair/letters.html", context, status=status)


@login_required
@require_GET
def letters_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Every batch of the call with its progress, and every letter the user may download."""
    return _letters_page(request, _decided_call(request, slug))


def _batch(request: HttpRequest, pk: int) -> LetterBatch:
    """The batch, for whoever may decide on its call; 404 for anyone outside the call's committee and
    staff (as the API: a batch's existence is not told), 403 for a member who may not decide."""
    batch = get_object_or_404(LetterBatch.objects.select_related("call__program"), pk=pk)
    if not can_view_funding(request.user, batch.call):
        raise Http404("No such letter batch.")
    require(can_decide(request.user, batch.call))
    return batch


def _batch_page(
    request: HttpRequest, batch: LetterBatch, *, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "call": batch.call,
        "b": _batch_view(batch, request.user),
        "letters": _visible_letters(request.user, batch.call).filter(batch=batch),
        "error": error,
    }
    return render(request, "awards/chair/batch.html", context, status=status)


@login_required
@require_GET
def batch_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_page(request, _batch(request, pk))


@login_required
@require_GET
def batch_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled every 2 s while letters are pending; when none is, the page
    reloads once to show the downloads and the failures."""
    batch = _batch(request, pk)
    b = _batch_view(batch, request.user)
    response = render(request, "awards/_batch_progress.html", {"b": b, "call": batch.call})
    if not b["progress"]["pending"] and is_htmx(request):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def batch_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed letter (``letter``) or all the batch's failed letters again."""
    batch = _batch(request, pk)
    form = RetryLettersForm(request.POST)
    if not form.is_valid():  # a letter named, but not a letter id: never "all of them" by mistake
        return _batch_page(request, batch, status=400, error="Choose a failed letter of this batch to retry.")
    letter_id = form.cleaned_data.get("letter")
    # Only the letters the user sees: a conflicted chair's "retry all" leaves the hidden item's to staff.
    letters = _visible_letters(request.user, batch.call).filter(batch=batch, status=Letter.Status.FAILED)
    if letter_id is not None:
        letters = [get_object_or_404(letters, pk=letter_id)]
    try:
        retried = retry_letters(batch=batch, letters=letters, by=request.user)
    except DomainError as error:
        _refused(error)
        return _batch_page(request, batch, status=error.status_code, error=error.message)
    n = len(retried)
    if n:
        messages.success(request, f"{n} letter{'s are' if n != 1 else ' is'} queued again.")
    else:
        messages.info(request, "No failed letter to retry.")
    return redirect("awards:batch", pk=batch.pk)


@login_required
@require_POST
def letters_regenerate_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A new version of every applied decision's letters (after a corrected template), in a new batch."""
    call = _decided_call(request, slug)
    try:
        batch = regenerate_letters(call, by=request.user)
    except DomainError as error:
        _refused(error)
        return _letters_page(request, call, status=error.status_code, error=error.message)
    messages.success(request, "New versions of the letters are queued; the earlier versions stay.")
    return redirect("awards:batch", pk=batch.pk)
