"""Celery tasks of review: the assignment run and the e-mails that follow publication."""

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reviews.models import Assignment, AssignmentRun, ReviewerInvitation
from reviews.services.assignment import execute_assignment_run

logger = logging.getLogger(__name__)


@shared_task(
    name="reviews.tasks.run_assignment",
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60 + 30,  # raises inside the run, which then marks itself failed
)
def run_assignment(run_id: int) -> str:
    """Execute a queued assignment run; a redelivered task finds the run finished and does nothing."""
    return execute_assignment_run(run_id=run_id).status


@shared_task(
    name="reviews.tasks.send_assignment_email",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def send_assignment_email(run_id: int, reviewer_id: int) -> bool:
    """Tell a reviewer which applications of a published run are theirs and when reviews are due.

    Nothing is sent for a run that is not published. A redelivered task sends the e-mail again,
    which is harmless (the same list, the same date).
    """
    run = (
        AssignmentRun.objects.select_related("call")
        .filter(pk=run_id, status=AssignmentRun.Status.PUBLISHED)
        .first()
    )
    reviewer = User.objects.filter(pk=reviewer_id).first()
    if run is None or reviewer is None:
        return False
    assignments = list(
        Assignment.objects.filter(run=run, reviewer=reviewer, state=Assignment.State.PUBLISHED)
        .select_related("application")
        .order_by("application__reference")
    )
    if not assignments:
        return False
    call = run.call
    due_at = run.review_due_at
    context = {
        "reviewer": reviewer,
        "call": call,
        "applications": [a.application for a in assignments],
        "due_local": timezone.localtime(due_at, call.zone) if due_at else None,
        "url": settings.SITE_URL + "/",
    }
    send_mail(
        subject=f"Your applications to review for {call.title}",
        message=render_to_string("reviews/email/assignment.txt", context),
        from_email=None,
        recipient_list=[reviewer.email],
    )
    return True


@shared_task(
    name="reviews.tasks.send_reviewer_invitation",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def send_reviewer_invitation(invitation_id: int) -> bool:
    """E-mail a pool member their invitation to review a call (only while it is still pending)."""
    invitation = (
        ReviewerInvitation.objects.select_related("reviewer", "call__program")
        .filter(pk=invitation_id, status=ReviewerInvitation.Status.PENDING)
        .first()
    )
    if invitation is None:
        return False
    call = invitation.call
    context = {
        "invitation": invitation,
        "call": call,
        "url": settings.SITE_URL + reverse("reviews:home"),
        "due_local": timezone.localtime(call.review_due_at, call.zone) if call.review_due_at else None,
    }
    send_mail(
        subject=f"Invitation to review: {call.title}",
        message=render_to_string("reviews/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.reviewer.email],
    )
    return True


@shared_task(name="reviews.tasks.switch_review_phases", acks_late=True)
def switch_review_phases() -> int:
    """Activate every phase whose start has come (``selectors_reminders.phases_to_activate``)."""
    from reviews.selectors_reminders import phases_to_activate
    from reviews.services.forms import activate_review_phase

    phases = phases_to_activate(now=timezone.now())
    for phase in phases:
        activate_review_phase(phase=phase, by=None)
    return len(phases)


@shared_task(name="reviews.tasks.send_review_reminders", acks_late=True)
def send_review_reminders() -> dict:
    """Daily: one e-mail per reviewer listing their reviews due within three days or overdue, and to
    each call's chairs the reviewers more than ``REVIEW_OVERDUE_DAYS`` days overdue; each e-mail at
    most once a day (``reviews.services.reminders``): running it again sends only what failed to go."""
    from reviews.selectors_reminders import overdue_reports, reviews_to_remind
    from reviews.services.reminders import send_once_a_day

    now = timezone.now()
    today = timezone.localdate(now)
    days = getattr(settings, "REVIEW_OVERDUE_DAYS", 7)
    site = settings.SITE_URL
    outgoing = []  # (what it counts as, how many people, its key, the e-mail)
    for reviewer, assignments in reviews_to_remind(now=now).items():
        context = {"reviewer": reviewer, "assignments": assignments, "now": now, "site": site}
        mail = {
            "subject": "Reviews due soon or overdue",
            "message": render_to_string("reviews/email/review_reminder.txt", context),
            "from_email": None,
            "recipient_list": [reviewer.email],
        }
        outgoing.append(("reviewers", 1, f"due:{reviewer.pk}", mail))
    for report in overdue_reports(now=now, days=days):
        context = {"report": report, "days": days, "site": site}
        mail = {
            "subject": f"Overdue reviews for {report.call.title}",
            "message": render_to_string("reviews/email/overdue_report.txt", context),
            "from_email": None,
            "recipient_list": [chair.email for chair in report.chairs],
        }
        outgoing.append(("chairs", len(report.chairs), f"overdue:{report.call.pk}", mail))
    sent = {"reviewers": 0, "chairs": 0, "failed": 0}
    for kind, people, key, mail in outgoing:
        try:
            if send_once_a_day(key=key, day=today, send=partial(send_mail, **mail)):
                sent[kind] += people
        except Exception:  # a refused address or a mail server hiccup must not stop the others
            logger.exception("review reminder %s was not sent; the task's next run sends it", key)
            sent["failed"] += 1
    return sent
