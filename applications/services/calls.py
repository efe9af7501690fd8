"""Every change to calls, commitments and committees. Each function checks permission, runs in a
transaction and writes the audit record."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import User
from applications.models import Call, Commitment, CommitteeMembership, FocusArea
from applications.permissions import can_manage_calls, can_take_transition
from applications.workflow import transition_between, transitions_from
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure

CALL_FIELDS = [
    "program",
    "title",
    "slug",
    "summary",
    "description",
    "scheduled",
    "timezone",
    "opens_at",
    "closes_at",
    "budget",
    "currency",
    "max_request",
    "reviewers_per_application",
    "prerequisite_call",
    "allowed_countries",
    "max_applications_per_pi",
    "lay_summary_word_limit",
    "abstract_word_limit",
    "research_plan_page_limit",
    "attachment_size_limit_mb",
    "max_duration_months",
    "lay_reviewers_per_application",
    "review_due_at",
    "release_summary_statements",
]
# Once a call has left draft, applicants rely on these; they change only while it is a draft.
FIXED_AFTER_DRAFT = {"currency", "program", "prerequisite_call"}


def _snapshot(call: Call) -> dict[str, Any]:
    data = model_to_dict(call, fields=CALL_FIELDS)
    data["allowed_countries"] = sorted(str(c) for c in call.allowed_countries)
    data["status"] = call.status
    if call.pk:
        data["focus_areas"] = sorted(call.focus_areas.values_list("slug", flat=True))
    return data


@transaction.atomic
def create_call(*, by: User, focus_areas: list[FocusArea] | None = None, **fields: Any) -> Call:
    """Create a call in draft; it opens later by hand or at its opening time."""
    ensure(can_manage_calls(by))
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise Invalid(f"Unknown call fields: {', '.join(sorted(unknown))}.")
    call = Call(**fields)
    call.full_clean()
    call.save()
    if focus_areas is not None:
        call.focus_areas.set(focus_areas)
    record_event(call, "call.created", by=by, after=_snapshot(call))
    return call


@transaction.atomic
def update_call(*, call: Call, by: User, focus_areas: list[FocusArea] | None = None, **changes: Any) -> Call:
    """Change a call's details. Decided calls are frozen; some fields are fixed once a call is open."""
    ensure(can_manage_calls(by))
    call = Call.objects.select_for_update().get(pk=call.pk)
    unknown = set(changes) - set(CALL_FIELDS)
    if unknown:
        raise Invalid(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    if call.status == Call.Status.DECIDED:
        raise StateConflict("This call is decided; its details can no longer change.")
    before = _snapshot(call)
    changed = [name for name, value in changes.items() if before.get(name) != _comparable(value)]
    if call.status != Call.Status.DRAFT:
        fixed = sorted(FIXED_AFTER_DRAFT & set(changed))
        if fixed:
            raise StateConflict(
                f"The call is {call.get_status_display().lower()}: "
                f"{', '.join(fixed)} can only change while it is a draft."
            )
    for name, value in changes.items():
        setattr(call, name, value)
    call.full_clean()
    call.save()
    if focus_areas is not None:
        call.focus_areas.set(focus_areas)
    after = _snapshot(call)
    if after != before:
        record_event(call, "call.updated", by=by, before=before, after=after)
    return call


def _comparable(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def transition_call(
    *, call: Call, to: str, by: User | None, reason: str = "", now: datetime | None = None
) -> Call:
    """Move a call along its lifecycle (see ``applications.workflow``); ``by=None`` is the scheduler."""
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    if to not in Call.Status.values:
        raise Invalid(f"“{to}” is not a call status. Use one of: {', '.join(Call.Status.values)}.")
    transition = transition_between(call.status, to)
    if transition is None:
        possible = ", ".join(t.target for t in transitions_from(call.status)) or "none"
        raise StateConflict(
            f"A {call.get_status_display().lower()} call cannot become {Call.Status(to).label.lower()}. "
            f"From here it can become: {possible}."
        )
    ensure(can_take_transition(by, call, transition), NotAllowed)
    for guard in transition.guards:
        ensure(guard(call, now), StateConflict)
    if (
        transition.needs_reason_before_close
        and by is not None
        and call.closes_at > now
        and not reason.strip()
    ):
        raise Invalid(
            "The closing time has not come yet: give a reason for closing early.",
            field_errors={"reason": ["Say why the call closes before its closing time."]},
        )
    before = call.status
    call.status = to
    call.save(update_fields=["status", "updated_at"])
    record_event(call, transition.verb, by=by, before={"status": before}, after={"status": to}, reason=reason)
    return call


def open_and_close_due_calls(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Open scheduled drafts whose time has come and close open calls past their closing time."""
    now = now or timezone.now()
    result: dict[str, list[int]] = {"opened": [], "closed": []}
    due_to_open = Call.objects.filter(
        status=Call.Status.DRAFT, scheduled=True, opens_at__lte=now, closes_at__gt=now
    ).exclude(description="")
    for call in due_to_open.order_by("pk"):
        transition_call(call=call, to=Call.Status.OPEN, by=None, now=now)
        result["opened"].append(call.pk)
    for call in Call.objects.filter(status=Call.Status.OPEN, closes_at__lte=now).order_by("pk"):
        transition_call(call=call, to=Call.Status.CLOSED, by=None, reason="closing time reached", now=now)
        result["closed"].append(call.pk)
    return result


@transaction.atomic
def set_commitment(
    *, call: Call, funder, amount, currency: str, rate_to_call_currency, by: User
) -> Commitment:
    """Record or change what a funder commits to a call."""
    ensure(can_manage_calls(by))
    commitment = Commitment.objects.select_for_update().filter(call=call, funder=funder).first()
    before = (
        model_to_dict(commitment, fields=["amount", "currency", "rate_to_call_currency"])
        if commitment
        else {}
    )
    commitment = commitment or Commitment(call=call, funder=funder)
    commitment.amount, commitment.currency = amount, currency
    commitment.rate_to_call_currency = rate_to_call_currency
    commitment.full_clean()
    commitment.save()
    after = model_to_dict(commitment, fields=["amount", "currency", "rate_to_call_currency"])
    record_event(commitment, "commitment.set", by=by, before=before, after=after, call=call.pk)
    return commitment


@transaction.atomic
def set_committee_member(*, call: Call, user: User, role: str, by: User) -> CommitteeMembership:
    """Put a user on the call's committee as member or chair (or change their role)."""
    ensure(can_manage_calls(by))
    if role not in CommitteeMembership.Role.values:
        raise Invalid(f"“{role}” is not a committee role.")
    membership, created = CommitteeMembership.objects.get_or_create(
        call=call, user=user, defaults={"role": role}
    )
    before = {} if created else {"role": membership.role}
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if created or before.get("role") != role:
        record_event(
            membership, "committee.member_set", by=by, before=before, after={"role": role}, call=call.pk
        )
    return membership


@transaction.atomic
def remove_committee_member(*, membership: CommitteeMembership, by: User) -> None:
    ensure(can_manage_calls(by))
    record_event(
        membership,
        "committee.member_removed",
        by=by,
        before={"role": membership.role},
        call=membership.call_id,
        user=membership.user_id,
    )
    membership.delete()


@transaction.atomic
def remove_commitment(*, commitment: Commitment, by: User) -> None:
    ensure(can_manage_calls(by))
    record_event(
        commitment,
        "commitment.removed",
        by=by,
        call=commitment.call_id,
        before=model_to_dict(commitment, fields=["amount", "currency", "rate_to_call_currency"]),
    )
    commitment.delete()
