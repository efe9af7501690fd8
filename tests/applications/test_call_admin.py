"""Staff manage calls in the admin; saving goes through the services, so rules and the audit trail apply."""

import pytest

from applications.models import Call, Commitment, CommitteeMembership
from audit.models import AuditEvent
from tests.factories import CallFactory, FocusAreaFactory, FunderFactory, ProgramFactory, UserFactory

INLINES = {
    "commitments-TOTAL_FORMS": "0",
    "commitments-INITIAL_FORMS": "0",
    "committee-TOTAL_FORMS": "0",
    "committee-INITIAL_FORMS": "0",
}


def call_form(program, **overrides) -> dict:
    data = {
        "program": program.pk,
        "title": "Planning Grants 2027",
        "slug": "planning-grants-2027",
        "summary": "",
        "description": "Planning grants for networks.",
        "timezone": "Europe/Rome",
        "opens_at_0": "2027-01-10",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2027-03-31",
        "closes_at_1": "17:00:00",
        "budget": "1200000",
        "currency": "EUR",
        "max_request": "100000",
        "reviewers_per_application": "3",
        "lay_reviewers_per_application": "1",
        "max_applications_per_pi": "1",
        "lay_summary_word_limit": "300",
        "abstract_word_limit": "500",
        "research_plan_page_limit": "10",
        "attachment_size_limit_mb": "10",
        "max_duration_months": "24",
        **INLINES,
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_create_a_call_in_the_admin_through_the_service(admin_client):
    program = ProgramFactory()
    area = FocusAreaFactory()
    response = admin_client.post("/admin/applications/call/add/", call_form(program, focus_areas=[area.pk]))

    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(slug="planning-grants-2027")
    assert call.status == Call.Status.DRAFT
    assert list(call.focus_areas.all()) == [area]
    assert list(AuditEvent.objects.filter(target_id=str(call.pk)).values_list("verb", flat=True)) == [
        "call.created"
    ]
    assert AuditEvent.objects.get(verb="call.created").after["focus_areas"] == [area.slug]

    other = FocusAreaFactory()
    data = call_form(program, focus_areas=[other.pk])
    assert admin_client.post(f"/admin/applications/call/{call.pk}/change/", data).status_code == 302
    assert list(call.focus_areas.all()) == [other]
    update = AuditEvent.objects.get(verb="call.updated")
    assert (update.before["focus_areas"], update.after["focus_areas"]) == ([area.slug], [other.slug])


def test_admin_shows_the_rule_a_change_breaks_and_saves_nothing(admin_client):
    program = ProgramFactory()
    response = admin_client.post(
        "/admin/applications/call/add/", call_form(program, max_request="2000000", budget="1000000")
    )
    assert response.status_code == 200
    assert "The maximum request cannot exceed the call" in response.content.decode()
    assert not Call.objects.exists()


def test_admin_inlines_and_transition_actions_are_audited(admin_client):
    call = CallFactory(status=Call.Status.DRAFT, description="About the call.")
    funder, member = FunderFactory(), UserFactory()
    data = call_form(
        call.program,
        title=call.title,
        slug=call.slug,
        description=call.description,
        **{
            "commitments-TOTAL_FORMS": "1",
            "commitments-0-funder": funder.pk,
            "commitments-0-amount": "500000",
            "commitments-0-currency": "USD",
            "commitments-0-rate_to_call_currency": "0.92",
            "committee-TOTAL_FORMS": "1",
            "committee-0-user": member.pk,
            "committee-0-role": "chair",
        },
    )
    response = admin_client.post(f"/admin/applications/call/{call.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Commitment.objects.get(call=call).amount_in_call_currency == 460000
    assert CommitteeMembership.objects.get(call=call).role == "chair"
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"call.updated", "commitment.set", "committee.member_set"} <= verbs

    response = admin_client.post(
        "/admin/applications/call/", {"action": "transition_close", "_selected_action": [call.pk]}
    )
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT  # draft → closed is not a transition: refused with a message
    messages = [m.message for m in response.wsgi_request._messages]
    assert any("cannot become closed" in m for m in messages)
