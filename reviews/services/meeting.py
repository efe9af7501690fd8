"""The panel meeting: the chair opens it with an agenda of the discussed applications, moves the
current item, records the discussion, and closes each item once the eligible members have given
their final scores. Pre-discussion (preliminary) scores stay on the items unchanged.

Only the current item can be scored or closed, so every member scores what the panel just discussed.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import Call
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from reviews.final_scores import mean_final_score, shown_final_score
from reviews.models import FinalScore, MeetingItem, PanelMeeting
from reviews.selectors_meeting import (
    can_handle_item,
    can_run_meeting,
    can_score_item,
    discussed_applications,
    eligible_final_scores,
)

MEETING_CALL_STATES = (Call.Status.CLOSED, Call.Status.IN_REVIEW)


def _in_progress(meeting: PanelMeeting) -> None:
    if meeting.status != PanelMeeting.Status.IN_PROGRESS:
        raise StateConflict(f"The panel meeting is {meeting.get_status_display().lower()}, not in progress.")


def _current_and_open(item: MeetingItem) -> None:
    _in_progress(item.meeting)
    if item.meeting.current_item_id != item.pk:
        raise StateConflict("Only the current item of the meeting can be scored or closed.")
    if item.discussed_at is not None:
        raise StateConflict("This item is closed; its final score is recorded.")


def _locked_item(item: MeetingItem) -> MeetingItem:
    return (
        MeetingItem.objects.select_for_update().select_related("meeting__call", "application").get(pk=item.pk)
    )


@transaction.atomic
def open_meeting(*, call: Call, by: User) -> PanelMeeting:
    """Start the call's panel meeting: the agenda is the discussed applications, best preliminary
    score first, each with that score kept; the first item becomes current. A planned meeting's
    agenda is rebuilt from the triage as it stands now."""
    ensure(can_run_meeting(by, call))
    if call.status not in MEETING_CALL_STATES:
        raise StateConflict("The panel meets once the call is closed for applications.")
    meeting, _ = PanelMeeting.objects.select_for_update().get_or_create(call=call)
    if meeting.status != PanelMeeting.Status.PLANNED:
        raise StateConflict(f"The panel meeting is {meeting.get_status_display().lower()} already.")
    agenda = discussed_applications(call)
    if not agenda:
        raise StateConflict("No application is marked for discussion.")
    meeting.current_item = None
    meeting.save(update_fields=["current_item"])
    meeting.items.all().delete()
    items = MeetingItem.objects.bulk_create(
        MeetingItem(meeting=meeting, application=application, position=position, preliminary_score=score)
        for position, (application, score) in enumerate(agenda, start=1)
    )
    meeting.status, meeting.started_at = PanelMeeting.Status.IN_PROGRESS, timezone.now()
    meeting.current_item = items[0]
    meeting.save(update_fields=["status", "started_at", "current_item"])
    record_event(
        meeting,
        "meeting.opened",
        by=by,
        call=call.pk,
        agenda=[{"application": i.application_id, "preliminary_score": i.preliminary_score} for i in items],
    )
    return meeting


@transaction.atomic
def set_current_item(*, meeting: PanelMeeting, item: MeetingItem, by: User) -> PanelMeeting:
    """Move the meeting to ``item`` (any item of its agenda, forward or back); members follow."""
    ensure(can_run_meeting(by, meeting.call))
    meeting = PanelMeeting.objects.select_for_update().select_related("call").get(pk=meeting.pk)
    _in_progress(meeting)
    if item.meeting_id != meeting.pk:
        raise Invalid("This item is not on the meeting's agenda.")
    before = meeting.current_item_id
    meeting.current_item = item
    meeting.save(update_fields=["current_item"])
    record_event(meeting, "meeting.current_item_set", by=by, before={"item": before}, after={"item": item.pk})
    return meeting


def _parse_score(meeting: PanelMeeting, score) -> Decimal:
    low, high = meeting.final_scale_min, meeting.final_scale_max
    message = f"Give a final score from {low} to {high} (at most one decimal)."
    if isinstance(score, bool):
        raise Invalid(message, field_errors={"score": [message]})
    try:
        value = Decimal(str(score).strip())
    except InvalidOperation:
        raise Invalid(message, field_errors={"score": [message]}) from None
    if not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.1")):
        raise Invalid(message, field_errors={"score": [message]})
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def record_final_score(*, item: MeetingItem, member: User, score, by: User) -> FinalScore:
    """A member's post-discussion score of the current item, on the meeting's final scale; given
    again, it replaces the earlier one until the item is closed. Members score for themselves only."""
    item = _locked_item(item)
    if by.pk != member.pk:
        raise NotAllowed("Members give their own final scores only.")
    ensure(can_score_item(member, item))
    _current_and_open(item)
    value = _parse_score(item.meeting, score)
    existing = item.final_scores.filter(member=member).first()
    before = {"score": str(existing.score)} if existing else {}
    final, _ = FinalScore.objects.update_or_create(item=item, member=member, defaults={"score": value})
    record_event(final, "meeting.final_score_recorded", by=by, before=before, after={"score": str(value)})
    return final


@transaction.atomic
def record_discussion_notes(*, item: MeetingItem, notes: str, by: User) -> MeetingItem:
    """The chair's notes of the panel's discussion of an item (any item of a meeting in progress)."""
    item = _locked_item(item)
    ensure(can_handle_item(by, item))
    _in_progress(item.meeting)
    notes = (notes or "").strip()
    if len(notes) > 20000:
        raise Invalid("Keep the notes under 20,000 characters.", field_errors={"notes": ["Too long."]})
    before = item.discussion_notes
    item.discussion_notes = notes
    item.save(update_fields=["discussion_notes"])
    record_event(item, "meeting.notes_recorded", by=by, before={"notes": before}, after={"notes": notes})
    return item


def compute_final_score(item: MeetingItem) -> Decimal | None:
    """The mean of the eligible members' final scores (see ``reviews.final_scores`` for rounding)."""
    return mean_final_score(eligible_final_scores(item).values_list("score", flat=True))


@transaction.atomic
def close_item(*, item: MeetingItem, by: User) -> MeetingItem:
    """End the scoring of the current item and store its final score; scores are frozen from now."""
    item = _locked_item(item)
    ensure(can_handle_item(by, item))
    _current_and_open(item)
    final = compute_final_score(item)
    if final is None:
        raise StateConflict("No eligible member has given a final score for this item yet.")
    item.final_score, item.discussed_at = final, timezone.now()
    item.save(update_fields=["final_score", "discussed_at"])
    record_event(
        item,
        "meeting.item_closed",
        by=by,
        after={
            "final_score": str(final),
            "shown": str(shown_final_score(final, times_ten=item.meeting.show_times_ten)),
            "preliminary_score": item.preliminary_score,
        },
        scores=eligible_final_scores(item).count(),
    )
    return item


@transaction.atomic
def close_meeting(*, meeting: PanelMeeting, by: User) -> PanelMeeting:
    """End the meeting once every item on the agenda is closed."""
    ensure(can_run_meeting(by, meeting.call))
    meeting = PanelMeeting.objects.select_for_update().select_related("call").get(pk=meeting.pk)
    _in_progress(meeting)
    open_items = list(meeting.items.filter(discussed_at__isnull=True).values_list("position", flat=True))
    if open_items:
        raise StateConflict(f"Close every item first; still open: {', '.join(map(str, open_items))}.")
    meeting.status, meeting.closed_at, meeting.current_item = PanelMeeting.Status.CLOSED, timezone.now(), None
    meeting.save(update_fields=["status", "closed_at", "current_item"])
    record_event(meeting, "meeting.closed", by=by)
    return meeting
