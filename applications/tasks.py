from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, TeamMember
from applications.services import open_and_close_due_calls


@shared_task(name="applications.tasks.open_and_close_calls", acks_late=True)
def open_and_close_calls() -> dict[str, list[int]]:
    """Periodic (Celery beat, every minute): open and close calls at their times."""
    return open_and_close_due_calls()


@shared_task(
    name="applications.tasks.send_submission_receipt",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def send_submission_receipt(application_id: int) -> bool:
    """E-mail the PI a receipt, once: the row records that it was sent, so a rerun sends nothing."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("call", "pi")
            .filter(pk=application_id, status=Application.Status.SUBMITTED, receipt_sent_at__isnull=True)
            .first()
        )
        if application is None:
            return False
        context = {
            "application": application,
            "call": application.call,
            "url": settings.SITE_URL + reverse("applications:application_detail", args=[application.pk]),
        }
        send_mail(
            subject=f"Received: {application.reference} — {application.title}",
            message=render_to_string("applications/email/receipt.txt", context),
            from_email=None,
            recipient_list=[application.pi.email],
        )
        application.receipt_sent_at = timezone.now()
        application.save(update_fields=["receipt_sent_at"])
    return True


@shared_task(
    name="applications.tasks.send_team_invitation",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def send_team_invitation(member_id: int) -> bool:
    member = (
        TeamMember.objects.select_related("application__pi", "application__call").filter(pk=member_id).first()
    )
    if member is None or not member.invite_token or member.accepted_at:
        return False
    context = {
        "member": member,
        "application": member.application,
        "url": settings.SITE_URL + reverse("applications:accept_invitation", args=[member.invite_token]),
    }
    send_mail(
        subject=f"{member.application.pi.full_name} invites you to an application on Granted",
        message=render_to_string("applications/email/team_invitation.txt", context),
        from_email=None,
        recipient_list=[member.email],
    )
    return True
