"""Celery tasks of review: the assignment run and the e-mails that follow publication."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reviews.models import Assignment, AssignmentRun, ReviewerInvitation
from reviews.services.assignment import execute_assignment_run


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
    each call's chairs the reviewers more than ``REVIEW_OVERDUE_DAYS`` days overdue."""
    from reviews.selectors_reminders import overdue_reports, reviews_to_remind

    now = timezone.now()
    days = getattr(settings, "REVIEW_OVERDUE_DAYS", 7)
    site = settings.SITE_URL
    reviewers = reviews_to_remind(now=now)
    for reviewer, assignments in reviewers.items():
        context = {"reviewer": reviewer, "assignments": assignments, "now": now, "site": site}
        send_mail(
            subject="Reviews due soon or overdue",
            message=render_to_string("reviews/email/review_reminder.txt", context),
            from_email=None,
            recipient_list=[reviewer.email],
        )
    reports = overdue_reports(now=now, days=days)
    for report in reports:
        context = {"report": report, "days": days, "site": site}
        send_mail(
            subject=f"Overdue reviews for {report.call.title}",
            message=render_to_string("reviews/email/overdue_report.txt", context),
            from_email=None,
            recipient_list=[chair.email for chair in report.chairs],
        )
    return {"reviewers": len(reviewers), "chairs": sum(len(r.chairs) for r in reports)}
