"""Review reminders (due within three days or overdue; the chair's overdue list) and the periodic
switch of review phases."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from reviews.models import Assignment, ReminderSent, ReviewPhase
from reviews.services.reviewing import save_review_draft, submit_review
from reviews.tasks import send_review_reminders, switch_review_phases
from tests.factories import UserFactory
from tests.reviews.factories import (
    AssignmentFactory,
    ConflictFactory,
    ReviewPhaseFactory,
    SubmittedApplicationFactory,
    workspace_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(world, settings):
    """Reviewers with reviews due at various times (the world's own assignments are due in 30 days)."""
    settings.REVIEW_OVERDUE_DAYS = 7
    workspace_form(world.call)
    ReviewPhaseFactory(call=world.call)
    now = timezone.now()

    def assign(name, delta, **kwargs):
        return AssignmentFactory(
            application=SubmittedApplicationFactory(call=world.call),
            reviewer=UserFactory(full_name=name, email=f"{name.split()[0].lower()}@example.org"),
            due_at=now + delta,
            **kwargs,
        )

    soon = assign("Sam Soon", timedelta(days=2))
    late = assign("Lea Late", -timedelta(days=1))
    very_late = assign("Vic Verylate", -timedelta(days=10))
    done = assign("Dora Done", -timedelta(days=10))
    review = save_review_draft(
        assignment=done, by=done.reviewer, scores={"impact": 4, "method": 3}, overall=4
    )
    submit_review(review=review, by=done.reviewer)
    drafted = assign("Dan Draft", timedelta(days=1))
    save_review_draft(assignment=drafted, by=drafted.reviewer, scores={"impact": 2})
    assign("Fay Faraway", timedelta(days=5))
    assign("Pat Proposed", -timedelta(days=10), state=Assignment.State.PROPOSED)
    conflicted = assign("Cy Conflicted", -timedelta(days=10))
    ConflictFactory(application=conflicted.application, reviewer=conflicted.reviewer)
    return {"soon": soon, "late": late, "very_late": very_late}


def test_exactly_the_right_reviewers_are_reminded(due, world):
    mail.outbox.clear()
    result = send_review_reminders()
    reviewer_mails = [m for m in mail.outbox if m.subject == "Reviews due soon or overdue"]
    assert sorted(m.to[0] for m in reviewer_mails) == [
        "dan@example.org",
        "lea@example.org",
        "sam@example.org",
        "vic@example.org",
    ]
    vic = next(m for m in reviewer_mails if m.to == ["vic@example.org"])
    assert due["very_late"].application.reference in vic.body
    assert "OVERDUE" in vic.body
    assert f"/review/assignments/{due['very_late'].pk}/" in vic.body
    sam = next(m for m in reviewer_mails if m.to == ["sam@example.org"])
    assert "OVERDUE" not in sam.body
    assert result == {"reviewers": 4, "chairs": 1, "failed": 0}


def test_the_chair_gets_the_list_of_reviewers_more_than_n_days_overdue(due, world):
    mail.outbox.clear()
    send_review_reminders()
    [report] = [m for m in mail.outbox if m.subject.startswith("Overdue reviews")]
    assert report.to == [world.chair.email]
    assert "Vic Verylate" in report.body
    assert due["very_late"].application.reference in report.body
    for name in ("Lea Late", "Dora Done", "Cy Conflicted", "Pat Proposed", "Sam Soon"):
        assert name not in report.body


def test_one_email_per_reviewer_listing_all_their_reviews(due, world):
    extra = AssignmentFactory(
        application=SubmittedApplicationFactory(call=world.call),
        reviewer=due["soon"].reviewer,
        due_at=timezone.now() + timedelta(hours=5),
    )
    mail.outbox.clear()
    send_review_reminders()
    sam = [m for m in mail.outbox if m.to == ["sam@example.org"]]
    assert len(sam) == 1
    assert due["soon"].application.reference in sam[0].body
    assert extra.application.reference in sam[0].body


def test_running_twice_in_a_day_sends_nothing_twice(due, world):
    """Two beats, or the task delivered again after its worker died: each e-mail goes out once."""
    mail.outbox.clear()
    assert send_review_reminders() == {"reviewers": 4, "chairs": 1, "failed": 0}
    assert send_review_reminders() == {"reviewers": 0, "chairs": 0, "failed": 0}
    assert len(mail.outbox) == 5
    assert AuditEvent.objects.filter(verb="review.reminder_sent").count() == 5
    # The next day they are reminded again.
    tomorrow = timezone.now() + timedelta(days=1)
    with patch("reviews.tasks.timezone.now", return_value=tomorrow):
        assert send_review_reminders()["reviewers"] == 4


def test_a_reminder_that_failed_to_send_goes_out_at_the_next_run(due, world, caplog):
    mail.outbox.clear()
    failing = {"vic@example.org"}

    def send_mail(**mail_):
        if set(mail_["recipient_list"]) & failing:
            raise ConnectionRefusedError("the mail server is down")
        mail.EmailMessage(mail_["subject"], mail_["message"], to=mail_["recipient_list"]).send()

    with patch("reviews.tasks.send_mail", side_effect=send_mail):
        assert send_review_reminders() == {"reviewers": 3, "chairs": 1, "failed": 1}
    assert "review reminder due:" in caplog.text
    assert not ReminderSent.objects.filter(key=f"due:{due['very_late'].reviewer.pk}").exists()
    first_run = sorted(m.to[0] for m in mail.outbox)
    assert "vic@example.org" not in first_run
    assert send_review_reminders() == {"reviewers": 1, "chairs": 0, "failed": 0}
    assert [m.to for m in mail.outbox[len(first_run) :]] == [["vic@example.org"]]


def test_the_phase_whose_start_has_come_is_activated(world):
    now = timezone.now()
    first = ReviewPhaseFactory(call=world.call, position=0, starts_at=now - timedelta(days=9))
    reading = ReviewPhaseFactory(
        call=world.call, name="Reading", position=1, active=False, starts_at=now - timedelta(minutes=1)
    )
    later = ReviewPhaseFactory(
        call=world.call, name="Panel", position=2, active=False, starts_at=now + timedelta(days=3)
    )
    assert switch_review_phases() == 1
    assert list(ReviewPhase.objects.filter(active=True)) == [reading]
    assert switch_review_phases() == 0
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.active, later.active) == (False, False)
