"""The retention policy: unsuccessful applications lose their personal data; funded ones never do."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import Application
from applications.services.retention import PLACEHOLDER_EMAIL, anonymise_unsuccessful
from audit.models import AuditEvent
from awards.models import Decision
from awards.services import DecisionInput, apply_decisions, set_decision
from tests.applications.factories import ApplicationFactory, TeamMemberFactory, add_pdf
from tests.awards.factories import deciding_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(settings, django_capture_on_commit_callbacks):
    """Three applications of a call, decided and applied three years ago: funded, declined, waitlisted."""
    call, chair, (funded, declined, waitlisted) = deciding_call(requests=["30000", "20000", "10000"])
    for application, outcome in [(funded, "fund"), (declined, "decline"), (waitlisted, "waitlist")]:
        TeamMemberFactory(application=application, name="Dr Ada Secret", email="ada@example.org")
        add_pdf(application)
        set_decision(application=application, by=chair, data=DecisionInput(outcome=outcome))
    with django_capture_on_commit_callbacks(execute=True):  # the letters render (eager Celery)
        apply_decisions(call=call, by=chair)
    Decision.objects.update(applied_at=timezone.now() - timedelta(days=3 * 365))
    return call, funded, declined, waitlisted


def test_a_dry_run_lists_and_changes_nothing(decided):
    _call, _funded, declined, _waitlisted = decided

    report = anonymise_unsuccessful(older_than_days=365, dry_run=True)

    assert report.references == [declined.reference]  # the waitlist counts once the call is decided
    declined.refresh_from_db()
    assert declined.anonymised_at is None
    assert declined.team.count() == 1
    assert not AuditEvent.objects.filter(verb="application.anonymised").exists()


def test_declined_and_never_funded_applications_lose_their_personal_data(
    decided, django_capture_on_commit_callbacks
):
    call, funded, declined, waitlisted = decided
    type(call).objects.filter(pk=call.pk).update(status="decided")
    attachment_path = declined.attachments.get().file.path
    letter_path = declined.decision.letters.get(kind="decline").file.path

    with django_capture_on_commit_callbacks(execute=True):  # files go once the change is committed
        report = anonymise_unsuccessful(older_than_days=365)

    assert sorted(report.references) == sorted([declined.reference, waitlisted.reference])
    declined.refresh_from_db()
    assert declined.title == f"Anonymised application {declined.reference}"
    assert declined.lay_summary == ""
    assert declined.pi.email == PLACEHOLDER_EMAIL
    assert declined.team.count() == 0
    assert declined.attachments.count() == 0
    assert declined.requested_amount == Decimal("20000")  # kept for the funder's statistics
    assert not os.path.exists(attachment_path)
    assert not os.path.exists(letter_path)
    assert declined.decision.letters.get(kind="decline").file.name == ""
    funded.refresh_from_db()
    assert funded.anonymised_at is None
    assert funded.team.count() == 1
    assert AuditEvent.objects.filter(verb="application.anonymised").count() == 2
    assert anonymise_unsuccessful(older_than_days=365).count == 0  # a second run finds nothing


def test_recent_outcomes_and_withdrawals_wait_for_the_configured_age(decided, settings):
    call, _funded, declined, _waitlisted = decided
    withdrawn = ApplicationFactory(
        call=call, status=Application.Status.WITHDRAWN, withdrawn_at=timezone.now() - timedelta(days=10)
    )
    settings.RETENTION_UNSUCCESSFUL_DAYS = 5 * 365

    assert anonymise_unsuccessful().count == 0
    assert anonymise_unsuccessful(older_than_days=5, dry_run=True).references == [
        declined.reference,
        f"draft #{withdrawn.pk}",
    ]
    with pytest.raises(ValueError, match="at least one day"):
        anonymise_unsuccessful(older_than_days=0)


def test_the_command_prints_what_it_would_do(decided, capsys):
    call_command("anonymise_unsuccessful", "--older-than-days", "365", "--dry-run")

    out = capsys.readouterr().out
    assert "Would anonymise 1 unsuccessful application(s)" in out
    assert decided[2].reference in out


def test_a_removed_letter_answers_410_with_the_reason(decided, staff, client_for):
    from django.urls import reverse

    _call, _funded, declined, _waitlisted = decided
    letter = declined.decision.letters.get(kind="decline")
    anonymise_unsuccessful(older_than_days=365)

    page = client_for(staff).get(reverse("awards:letter_download", args=[letter.pk]))
    api = client_for(staff, api=True).get(f"/api/v1/letters/{letter.pk}/download/")

    assert page.status_code == 410
    assert "data-retention policy" in page.content.decode()
    assert api.status_code == 410
    assert "data-retention policy" in api.json()["detail"]
