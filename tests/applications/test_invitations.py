"""Co-investigators are invited by e-mail and, once they accept, may read but not edit."""

import pytest
from django.conf import settings
from django.core import mail

from applications import services
from applications.models import TeamMember
from core.errors import Invalid, StateConflict
from tests.applications.factories import ApplicantFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(draft, django_capture_on_commit_callbacks):
    member = TeamMemberFactory(application=draft, name="Cora Coinvestigator", email="cora@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_team_member(member=member, by=draft.pi)
    member.refresh_from_db()
    return member


def test_inviting_sends_one_email_with_the_accept_link(invited):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cora@example.org"]
    assert f"{settings.SITE_URL}/invitations/{invited.invite_token}/" in message.body
    assert len(invited.invite_token) >= 40
    assert invited.invited_at is not None
    assert invited.accepted_at is None


def test_the_api_invites_too(draft, client_for, django_capture_on_commit_callbacks):
    member = TeamMemberFactory(application=draft, email="dan@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(draft.pi, api=True).post(
            f"/api/v1/applications/{draft.pk}/team/{member.pk}/invite/"
        )

    assert response.status_code == 200
    assert (response.json()["invited"], response.json()["accepted"]) == (True, False)
    assert [m.to for m in mail.outbox] == [["dan@example.org"]]


def test_accepting_with_another_account_lets_it_read_but_not_edit(invited, client_for):
    account = ApplicantFactory(email="cora.private@example.net")
    portal = client_for(account)

    accepted = portal.post(f"/invitations/{invited.invite_token}/")

    assert accepted.status_code == 302
    assert accepted["Location"] == f"/applications/{invited.application_id}/"
    invited.refresh_from_db()
    assert invited.user == account
    assert invited.accepted_at is not None
    assert portal.get(f"/applications/{invited.application_id}/").status_code == 200
    api = client_for(account, api=True)
    assert [a["id"] for a in api.get("/api/v1/applications/").json()["results"]] == [invited.application_id]
    patch = api.patch(f"/api/v1/applications/{invited.application_id}/", {"title": "Mine now"}, format="json")
    assert (patch.status_code, patch.json()) == (
        403,
        {"detail": "Only the principal investigator can change this application."},
    )
    assert portal.get(f"/applications/{invited.application_id}/edit/").status_code == 403
    invited.application.refresh_from_db()
    assert invited.application.title == "Remyelination in progressive MS"


def test_a_collaborator_cannot_be_invited(draft):
    member = TeamMemberFactory(application=draft, role=TeamMember.Role.COLLABORATOR)

    with pytest.raises(Invalid) as refused:
        services.invite_team_member(member=member, by=draft.pi)

    assert refused.value.message == "Only co-investigators are invited to see the application."
    member.refresh_from_db()
    assert (member.invite_token, member.invited_at) == ("", None)
    assert mail.outbox == []


def test_an_accepted_invitation_cannot_be_taken_by_a_third_account(invited, client_for):
    first = ApplicantFactory()
    services.accept_team_invitation(token=invited.invite_token, by=first)
    third = ApplicantFactory()

    with pytest.raises(StateConflict) as refused:
        services.accept_team_invitation(token=invited.invite_token, by=third)
    assert refused.value.status_code == 409
    assert refused.value.message == "This invitation has been accepted by another account already."

    client_for(third).post(f"/invitations/{invited.invite_token}/")
    invited.refresh_from_db()
    assert invited.user == first
    assert client_for(third).get(f"/applications/{invited.application_id}/").status_code == 404


def test_accepting_twice_with_the_same_account_changes_nothing(invited):
    account = ApplicantFactory()
    first = services.accept_team_invitation(token=invited.invite_token, by=account)
    again = services.accept_team_invitation(token=invited.invite_token, by=account)

    assert (again.user, again.accepted_at) == (account, first.accepted_at)


def test_an_unknown_token_is_not_found(client_for):
    response = client_for(ApplicantFactory()).get("/invitations/not-a-token/")

    assert response.status_code == 404
    with pytest.raises(Invalid):
        services.accept_team_invitation(token="not-a-token", by=ApplicantFactory())
