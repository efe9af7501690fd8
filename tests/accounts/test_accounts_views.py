import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Institution, User
from audit.models import AuditEvent
from tests.factories import PASSWORD, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple-giraffe-lantern-42"


def registration_data(**overrides):
    data = {
        "full_name": "Rosalind Researcher",
        "email": "Rosalind@Example.org",
        "orcid": "https://orcid.org/0000-0002-1825-0097",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "new_institution_name": "University of Tromsø",
        "new_institution_country": "NO",
        "new_institution_ror": "",
    }
    data.update(overrides)
    return data


def test_registration_creates_a_signed_in_user_and_an_audit_event(client):
    response = client.post(reverse("accounts:register"), registration_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get()
    assert user.email == "rosalind@example.org"
    assert user.full_name == "Rosalind Researcher"
    assert user.orcid == "0000-0002-1825-0097"
    assert user.institution.name == "University of Tromsø"
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.get(verb="account.registered")
    assert event.actor == user
    assert event.target_id == str(user.pk)
    assert event.after == {
        "full_name": "Rosalind Researcher",
        "orcid": "0000-0002-1825-0097",
        "institution": user.institution_id,
    }


def test_registration_with_an_existing_institution(client):
    institution = InstitutionFactory(name="Delft University of Technology", country="NL")
    data = registration_data(institution=institution.pk, new_institution_name="", new_institution_country="")

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 302
    assert User.objects.get().institution == institution
    assert Institution.objects.count() == 1


def test_registration_with_a_known_email_in_any_case_is_refused(client):
    UserFactory(email="rosalind@example.org")
    institutions_before = Institution.objects.count()

    response = client.post(reverse("accounts:register"), registration_data(email="ROSALIND@example.ORG"))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address exists already. Reset your password if you have forgotten it."
    ]
    assert "An account with this e-mail address exists already." in response.content.decode()
    assert User.objects.count() == 1
    assert Institution.objects.count() == institutions_before
    assert not AuditEvent.objects.filter(verb="account.registered").exists()
    assert "_auth_user_id" not in client.session


def test_registration_refuses_a_bad_orcid(client):
    response = client.post(reverse("accounts:register"), registration_data(orcid="0000-0002-1825-0098"))

    assert response.status_code == 200
    assert "check digit" in response.context["form"].errors["orcid"][0]
    assert User.objects.count() == 0


def test_login_by_email_ignores_case(client):
    user = UserFactory(email="mixed.case@example.org")

    response = client.post(
        reverse("accounts:login"), {"username": "Mixed.CASE@Example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_a_wrong_password_fails(client):
    UserFactory(email="someone@example.org")

    response = client.post(reverse("accounts:login"), {"username": "someone@example.org", "password": "nope"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="forgetful@example.org", full_name="Forgetful Fred")

    response = client.post(reverse("accounts:password_reset"), {"email": "Forgetful@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgetful@example.org"]
    assert "Hello Forgetful Fred" in message.body
    links = re.findall(r"https?://[^/\s]+(/accounts/password/reset/\S+/\S+/)", message.body)
    assert len(links) == 1

    # The link redirects to the form under a session-held token; the form sets the new password.
    form_page = client.get(links[0], follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_account_page_updates_the_profile_and_audits_it(client_for):
    user = UserFactory(full_name="Old Name", orcid="")
    institution = InstitutionFactory()
    client = client_for(user)

    response = client.post(
        reverse("accounts:account"),
        {"full_name": "New Name", "orcid": "0000-0002-1694-233x", "institution": institution.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert (user.full_name, user.orcid, user.institution) == ("New Name", "0000-0002-1694-233X", institution)
    event = AuditEvent.objects.get(verb="account.profile_updated")
    assert event.actor == user
    assert event.before == {"full_name": "Old Name", "orcid": "", "institution": None}
    assert event.after == {
        "full_name": "New Name",
        "orcid": "0000-0002-1694-233X",
        "institution": institution.pk,
    }


def test_account_page_needs_sign_in(client):
    response = client.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('accounts:account')}"


def test_user_model_is_ours():
    assert get_user_model() is User
