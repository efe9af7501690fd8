from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Call, Program
from audit.models import AuditEvent
from tests.factories import CallFactory, FocusAreaFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Call.Status
LIST_URL = "/api/v1/calls/"


def detail_url(call):
    return f"{LIST_URL}{call.pk}/"


def transition_url(call):
    return f"{LIST_URL}{call.pk}/transition/"


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def calls_in_each_state(db):
    """One call per status, with distinct closing times so the list order (closes_at) is known."""
    now = timezone.now()
    return {
        status: CallFactory(
            slug=f"{status}-call",
            status=status,
            opens_at=now - timedelta(days=40),
            closes_at=now + timedelta(days=10 + index),
        )
        for index, status in enumerate(S.values)
    }


def test_anonymous_reads_open_calls_only(api_client, calls_in_each_state):
    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    assert slugs(response) == ["open-call"]
    for status, call in calls_in_each_state.items():
        detail = api_client.get(detail_url(call))
        assert detail.status_code == (200 if status == S.OPEN else 404), status


def test_anonymous_sees_no_transitions(api_client, call):
    body = api_client.get(detail_url(call)).json()

    assert body["slug"] == "ocean-health"
    assert body["status"] == "open"
    assert body["is_open_now"] is True
    assert body["allowed_transitions"] == []


def test_staff_sees_all_calls(client_for, staff, calls_in_each_state):
    response = client_for(staff, api=True).get(LIST_URL)

    assert response.status_code == 200
    assert slugs(response) == ["draft-call", "open-call", "closed-call", "in_review-call", "decided-call"]
    open_call = response.json()["results"][1]
    assert open_call["allowed_transitions"] == ["closed"]


def test_a_chair_sees_their_own_draft_call(client_for, call, chair):
    Call.objects.filter(pk=call.pk).update(status=S.CLOSED)
    CallFactory(slug="someone-elses-draft", status=S.DRAFT)

    response = client_for(chair, api=True).get(LIST_URL)

    assert slugs(response) == ["ocean-health"]
    assert response.json()["results"][0]["allowed_transitions"] == ["in_review"]


def create_payload(**overrides):
    program, _ = Program.objects.get_or_create(code="CA", defaults={"name": "Challenge Awards"})
    FocusAreaFactory(slug="climate", name="Climate")
    FocusAreaFactory(slug="health", name="Health")
    payload = {
        "program": program.code,
        "slug": "new-call-2026",
        "title": "New call 2026",
        "description": "What we fund.",
        "opens_at": "2026-01-10T09:00:00Z",
        "closes_at": "2026-03-10T17:00:00Z",
        "budget": "500000.00",
        "max_request": "50000.00",
        "currency": "EUR",
        "focus_areas": ["climate", "health"],
    }
    payload.update(overrides)
    return payload


def test_staff_creates_a_call(client_for, staff):
    response = client_for(staff, api=True).post(LIST_URL, create_payload(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "new-call-2026"
    assert body["status"] == "draft"
    assert body["program"] == "CA"
    assert body["focus_areas"] == ["climate", "health"]
    assert body["allowed_countries"] == []
    call = Call.objects.get(slug="new-call-2026")
    assert call.status == S.DRAFT
    assert sorted(call.focus_areas.values_list("slug", flat=True)) == ["climate", "health"]
    event = AuditEvent.objects.get(verb="call.created")
    assert event.actor == staff
    assert event.target_id == str(call.pk)
    assert event.after["focus_areas"] == ["climate", "health"]
    assert event.after["status"] == "draft"


def test_status_cannot_be_set_on_create(client_for, staff):
    response = client_for(staff, api=True).post(LIST_URL, create_payload(status="open"), format="json")

    assert response.status_code == 201
    assert Call.objects.get(slug="new-call-2026").status == S.DRAFT


def test_a_user_who_is_not_staff_cannot_create(client_for, user, chair):
    for actor in (user, chair):
        response = client_for(actor, api=True).post(LIST_URL, create_payload(), format="json")
        assert response.status_code == 403
        assert response.json() == {"detail": "Only program officers (staff) can create and change calls."}
    assert not Call.objects.filter(slug="new-call-2026").exists()
    assert not AuditEvent.objects.exists()


def test_anonymous_cannot_create(api_client):
    response = api_client.post(LIST_URL, create_payload(), format="json")

    assert response.status_code in (401, 403)
    assert not Call.objects.filter(slug="new-call-2026").exists()


def test_staff_updates_a_call(client_for, staff, call):
    response = client_for(staff, api=True).patch(detail_url(call), {"title": "Renamed"}, format="json")

    assert response.status_code == 200
    call.refresh_from_db()
    assert call.title == "Renamed"
    assert AuditEvent.objects.get(verb="call.updated").after["title"] == "Renamed"


def test_a_user_who_is_not_staff_cannot_update(client_for, user, chair, call):
    for actor in (user, chair):
        client = client_for(actor, api=True)
        assert client.patch(detail_url(call), {"title": "Hijacked"}, format="json").status_code == 403
        assert (
            client.put(detail_url(call), create_payload(title="Hijacked"), format="json").status_code == 403
        )
    call.refresh_from_db()
    assert call.title == "Ocean Health Challenge"
    assert not AuditEvent.objects.exists()


def test_updating_a_decided_call_is_a_conflict(client_for, staff):
    call = CallFactory(status=S.DECIDED, title="Frozen")

    response = client_for(staff, api=True).patch(detail_url(call), {"title": "Thawed"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "This call is decided; its details can no longer change."}


def test_staff_transitions_a_call(client_for, staff, call):
    response = client_for(staff, api=True).post(
        transition_url(call), {"to": "closed", "reason": "Budget exhausted"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["allowed_transitions"] == ["open", "in_review"]
    call.refresh_from_db()
    assert call.status == S.CLOSED
    event = AuditEvent.objects.get(verb="call.closed")
    assert (event.actor, event.before, event.after) == (staff, {"status": "open"}, {"status": "closed"})


def test_an_invalid_transition_is_409_with_a_detail(client_for, staff, call):
    response = client_for(staff, api=True).post(transition_url(call), {"to": "decided"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A open call cannot become decided. From here it can become: closed."
    }
    call.refresh_from_db()
    assert call.status == S.OPEN


def test_closing_early_without_a_reason_is_400(client_for, staff, call):
    response = client_for(staff, api=True).post(transition_url(call), {"to": "closed"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The closing time has not come yet: give a reason for closing early.",
        "reason": ["Say why the call closes before its closing time."],
    }


def test_a_user_who_is_not_staff_cannot_transition(client_for, user, call):
    response = client_for(user, api=True).post(
        transition_url(call), {"to": "closed", "reason": "Because"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only program officers (staff) can close submissions."}
    call.refresh_from_db()
    assert call.status == S.OPEN
    assert not AuditEvent.objects.exists()


def test_anonymous_cannot_transition(api_client, call):
    response = api_client.post(transition_url(call), {"to": "closed", "reason": "x"}, format="json")

    assert response.status_code in (401, 403)
    call.refresh_from_db()
    assert call.status == S.OPEN


def test_the_chair_starts_review_through_the_api(client_for, call, chair):
    Call.objects.filter(pk=call.pk).update(status=S.CLOSED)

    response = client_for(chair, api=True).post(transition_url(call), {"to": "in_review"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"


def test_filter_by_status(client_for, staff, calls_in_each_state):
    client = client_for(staff, api=True)

    assert slugs(client.get(LIST_URL, {"status": "closed"})) == ["closed-call"]
    assert slugs(client.get(f"{LIST_URL}?status=draft&status=decided")) == ["draft-call", "decided-call"]


def test_filter_by_program(client_for, staff):
    marine = ProgramFactory(code="MAR")
    CallFactory(slug="marine-1", program=marine, closes_at=timezone.now() + timedelta(days=5))
    CallFactory(slug="marine-2", program=marine, closes_at=timezone.now() + timedelta(days=6))
    CallFactory(slug="other")

    response = client_for(staff, api=True).get(LIST_URL, {"program": "mar"})

    assert slugs(response) == ["marine-1", "marine-2"]


def test_filter_by_focus_area(api_client):
    climate, health = FocusAreaFactory(slug="climate"), FocusAreaFactory(slug="health")
    both = CallFactory(slug="both", closes_at=timezone.now() + timedelta(days=5))
    both.focus_areas.set([climate, health])
    CallFactory(slug="health-only").focus_areas.set([health])
    CallFactory(slug="none")

    assert slugs(api_client.get(LIST_URL, {"focus_area": "climate"})) == ["both"]
    assert slugs(api_client.get(LIST_URL, {"focus_area": "health"})) == ["both", "health-only"]


def test_filter_open_now(client_for, staff):
    now = timezone.now()
    CallFactory(slug="open-now")
    CallFactory(slug="past-closing", opens_at=now - timedelta(days=9), closes_at=now - timedelta(minutes=5))
    CallFactory(
        slug="not-yet", status=S.DRAFT, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9)
    )
    client = client_for(staff, api=True)

    assert slugs(client.get(LIST_URL, {"open_now": "true"})) == ["open-now"]
    assert slugs(client.get(LIST_URL, {"open_now": "false"})) == ["past-closing", "not-yet"]


def test_closing_before_opening_is_400_per_field(client_for, staff):
    payload = create_payload(opens_at="2026-03-10T09:00:00Z", closes_at="2026-01-10T09:00:00Z")

    response = client_for(staff, api=True).post(LIST_URL, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Please correct the errors below.",
        "closes_at": ["The call must close after it opens."],
    }
    assert not Call.objects.exists()


def test_max_request_above_budget_is_400_per_field(client_for, staff):
    payload = create_payload(budget="1000.00", max_request="2000.00")

    response = client_for(staff, api=True).post(LIST_URL, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Please correct the errors below.",
        "max_request": ["The maximum request cannot exceed the call's budget."],
    }


def test_missing_fields_are_400_per_field(client_for, staff):
    response = client_for(staff, api=True).post(LIST_URL, {"slug": "x"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Please correct the errors below."
    assert sorted(k for k in body if k != "detail") == [
        "budget",
        "closes_at",
        "max_request",
        "opens_at",
        "program",
        "title",
    ]


@pytest.mark.parametrize("as_staff", [False, True], ids=["anonymous", "staff"])
def test_list_query_count_does_not_grow_with_calls(as_staff, client_for, staff):
    client = client_for(staff if as_staff else None, api=True)
    areas = [FocusAreaFactory(), FocusAreaFactory()]

    def count_queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(LIST_URL)
        assert response.status_code == 200
        return len(context.captured_queries), len(response.json()["results"])

    CallFactory().focus_areas.set(areas)
    one = count_queries()
    for _ in range(2):
        CallFactory(prerequisite_call=CallFactory(status=S.DRAFT)).focus_areas.set(areas)
    three = count_queries()

    expected_three = 5 if as_staff else 3
    assert one[1] == 1
    assert three[1] == expected_three
    assert three[0] == one[0]


def test_detail_of_an_unknown_call_is_404(api_client):
    response = api_client.get(f"{LIST_URL}999999/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_other_users_do_not_see_drafts(client_for, calls_in_each_state):
    response = client_for(UserFactory(), api=True).get(LIST_URL)

    assert slugs(response) == ["open-call"]
