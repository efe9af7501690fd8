from decimal import Decimal

import pytest

from applications.models import Call
from applications.services import update_call
from audit.models import AuditEvent
from core.errors import NotAllowed, StateConflict
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def test_update_writes_an_audit_row_with_before_and_after(staff):
    call = CallFactory(status=Call.Status.OPEN, title="Old title", budget=Decimal("100000.00"))

    update_call(call=call, by=staff, title="New title", budget=Decimal("150000.00"))

    call.refresh_from_db()
    assert (call.title, call.budget) == ("New title", Decimal("150000.00"))
    event = AuditEvent.objects.get(verb="call.updated")
    assert event.actor == staff
    assert event.target_id == str(call.pk)
    assert (event.before["title"], event.after["title"]) == ("Old title", "New title")
    assert (event.before["budget"], event.after["budget"]) == ("100000.00", "150000.00")
    assert event.before["status"] == event.after["status"] == "open"


def test_an_update_that_changes_nothing_writes_no_audit_row(staff):
    call = CallFactory(title="Same")

    update_call(call=call, by=staff, title="Same")

    assert not AuditEvent.objects.filter(verb="call.updated").exists()


def test_a_decided_call_cannot_change(staff):
    call = CallFactory(status=Call.Status.DECIDED, title="Frozen")

    with pytest.raises(StateConflict) as error:
        update_call(call=call, by=staff, title="Thawed")

    assert error.value.message == "This call is decided; its details can no longer change."
    call.refresh_from_db()
    assert call.title == "Frozen"
    assert not AuditEvent.objects.exists()


def test_the_currency_of_an_open_call_is_fixed(staff):
    call = CallFactory(status=Call.Status.OPEN, currency="EUR")

    with pytest.raises(StateConflict) as error:
        update_call(call=call, by=staff, currency="USD")

    assert error.value.message == "The call is open: currency can only change while it is a draft."
    call.refresh_from_db()
    assert call.currency == "EUR"


def test_the_currency_of_a_draft_can_change(staff):
    call = CallFactory(status=Call.Status.DRAFT, currency="EUR")

    update_call(call=call, by=staff, currency="USD")

    call.refresh_from_db()
    assert call.currency == "USD"


def test_a_user_who_is_not_staff_cannot_update(user, chair, call):
    for actor in (user, chair):
        with pytest.raises(NotAllowed):
            update_call(call=call, by=actor, title="Hijacked")

    call.refresh_from_db()
    assert call.title == "Ocean Health Challenge"
