from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Call
from applications.services import open_and_close_due_calls, transition_call
from applications.workflow import TRANSITIONS
from audit.models import AuditEvent
from core.errors import Invalid, NotAllowed, StateConflict
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Call.Status


def events_for(call):
    return list(AuditEvent.objects.filter(target_id=str(call.pk)).order_by("id"))


@pytest.mark.parametrize("transition", TRANSITIONS, ids=[t.name for t in TRANSITIONS])
def test_staff_can_take_each_allowed_transition(transition, staff):
    call = CallFactory(status=transition.source)

    result = transition_call(call=call, to=transition.target, by=staff, reason="Planned change")

    assert result.status == transition.target
    call.refresh_from_db()
    assert call.status == transition.target
    [event] = events_for(call)
    assert event.verb == transition.verb
    assert event.actor == staff
    assert event.actor_repr == staff.email
    assert event.before == {"status": transition.source}
    assert event.after == {"status": transition.target}
    assert event.data == {"reason": "Planned change"}


def test_the_transition_table_covers_the_lifecycle():
    assert [(t.source, t.target) for t in TRANSITIONS] == [
        (S.DRAFT, S.OPEN),
        (S.OPEN, S.CLOSED),
        (S.CLOSED, S.OPEN),
        (S.CLOSED, S.IN_REVIEW),
        (S.IN_REVIEW, S.DECIDED),
    ]


def test_a_transition_not_in_the_table_is_a_state_conflict_listing_the_possible_targets(staff):
    call = CallFactory(status=S.DRAFT)

    with pytest.raises(StateConflict) as error:
        transition_call(call=call, to=S.DECIDED, by=staff)

    assert error.value.message == "A draft call cannot become decided. From here it can become: open."
    call.refresh_from_db()
    assert call.status == S.DRAFT
    assert events_for(call) == []


def test_closed_call_lists_both_targets(staff):
    call = CallFactory(status=S.CLOSED)

    with pytest.raises(StateConflict) as error:
        transition_call(call=call, to=S.DECIDED, by=staff)

    assert error.value.message.endswith("From here it can become: open, in_review.")


def test_an_unknown_status_is_invalid(staff):
    call = CallFactory(status=S.DRAFT)

    with pytest.raises(Invalid):
        transition_call(call=call, to="archived", by=staff)


def test_a_user_who_is_not_staff_may_not_transition(user):
    call = CallFactory(status=S.OPEN)

    with pytest.raises(NotAllowed) as error:
        transition_call(call=call, to=S.CLOSED, by=user, reason="I would like to")

    assert error.value.message == "Only program officers (staff) can close submissions."
    call.refresh_from_db()
    assert call.status == S.OPEN
    assert events_for(call) == []


def test_the_chair_may_start_review_and_decide(call, chair):
    Call.objects.filter(pk=call.pk).update(status=S.CLOSED)

    transition_call(call=call, to=S.IN_REVIEW, by=chair)
    transition_call(call=call, to=S.DECIDED, by=chair)

    call.refresh_from_db()
    assert call.status == S.DECIDED
    assert [(e.verb, e.actor) for e in events_for(call)] == [
        ("call.review_started", chair),
        ("call.decided", chair),
    ]


def test_the_chair_may_not_open_or_close(call, chair):
    Call.objects.filter(pk=call.pk).update(status=S.DRAFT)

    with pytest.raises(NotAllowed) as error:
        transition_call(call=call, to=S.OPEN, by=chair)
    assert error.value.message == "Only program officers (staff) can open for submissions."

    Call.objects.filter(pk=call.pk).update(status=S.OPEN)
    with pytest.raises(NotAllowed):
        transition_call(call=call, to=S.CLOSED, by=chair, reason="Enough applications")
    call.refresh_from_db()
    assert call.status == S.OPEN


def test_a_chair_of_another_call_may_not_start_review(chair):
    other = CallFactory(status=S.CLOSED)

    with pytest.raises(NotAllowed) as error:
        transition_call(call=other, to=S.IN_REVIEW, by=chair)

    assert error.value.message == "Only staff or the committee chair can start review."


def test_opening_before_the_opening_time_is_refused_with_a_reason(staff):
    call = CallFactory(
        status=S.DRAFT,
        opens_at=timezone.now() + timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=30),
    )

    with pytest.raises(StateConflict) as error:
        transition_call(call=call, to=S.OPEN, by=staff)

    assert error.value.message.startswith("The call is due to open at ")
    assert "open automatically" in error.value.message
    call.refresh_from_db()
    assert call.status == S.DRAFT


def test_opening_without_a_description_is_refused(staff):
    call = CallFactory(status=S.DRAFT, description="  ")

    with pytest.raises(StateConflict) as error:
        transition_call(call=call, to=S.OPEN, by=staff)

    assert "description" in error.value.message


def test_reopening_after_the_closing_time_is_refused(staff):
    call = CallFactory(
        status=S.CLOSED,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )

    with pytest.raises(StateConflict) as error:
        transition_call(call=call, to=S.OPEN, by=staff)

    assert "has passed" in error.value.message


def test_closing_early_needs_a_reason(staff):
    call = CallFactory(status=S.OPEN)

    with pytest.raises(Invalid) as error:
        transition_call(call=call, to=S.CLOSED, by=staff, reason="   ")

    assert error.value.field_errors == {"reason": ["Say why the call closes before its closing time."]}
    call.refresh_from_db()
    assert call.status == S.OPEN
    assert events_for(call) == []

    transition_call(call=call, to=S.CLOSED, by=staff, reason="Budget withdrawn")

    call.refresh_from_db()
    assert call.status == S.CLOSED
    [event] = events_for(call)
    assert event.data == {"reason": "Budget withdrawn"}


def test_closing_after_the_closing_time_needs_no_reason(staff):
    call = CallFactory(
        status=S.OPEN,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(minutes=1),
    )

    transition_call(call=call, to=S.CLOSED, by=staff)

    call.refresh_from_db()
    assert call.status == S.CLOSED


def test_the_scheduler_opens_due_drafts_and_closes_past_calls():
    now = timezone.now()
    due = CallFactory(status=S.DRAFT, scheduled=True, opens_at=now - timedelta(minutes=1))
    unscheduled = CallFactory(status=S.DRAFT, scheduled=False, opens_at=now - timedelta(minutes=1))
    not_yet = CallFactory(
        status=S.DRAFT, scheduled=True, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=9)
    )
    past = CallFactory(status=S.OPEN, opens_at=now - timedelta(days=30), closes_at=now - timedelta(seconds=1))
    still_open = CallFactory(status=S.OPEN)

    result = open_and_close_due_calls(now=now)

    assert result == {"opened": [due.pk], "closed": [past.pk]}
    statuses = dict(Call.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: S.OPEN,
        unscheduled.pk: S.DRAFT,
        not_yet.pk: S.DRAFT,
        past.pk: S.CLOSED,
        still_open.pk: S.OPEN,
    }
    events = list(AuditEvent.objects.order_by("id").values_list("verb", "target_id", "actor", "actor_repr"))
    assert events == [
        ("call.opened", str(due.pk), None, "system"),
        ("call.closed", str(past.pk), None, "system"),
    ]
    closed_event = AuditEvent.objects.get(verb="call.closed")
    assert closed_event.data == {"reason": "closing time reached"}

    # A second run finds nothing left to do.
    assert open_and_close_due_calls(now=now) == {"opened": [], "closed": []}
    assert AuditEvent.objects.count() == 2


def test_staff_factory_user_is_staff(staff):
    assert staff.is_staff
    assert not UserFactory().is_staff
