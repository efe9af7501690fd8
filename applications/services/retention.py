"""The retention policy: unsuccessful applications lose their personal data after a configurable age.

Unsuccessful means: declined (the decision applied), waitlisted in a call that has been decided
(never funded), withdrawn, or a draft of a call that closed — each counted from that moment. What
is kept is what the funder's statistics need: the call, the institution, focus areas, the amounts
requested, the budget's categories and amounts, the scores and the outcome. What goes: the texts,
the team, the attachments, the applicant's exclusions, the reviewers' written comments, the
letters' files and the PI (replaced by one inactive placeholder account). Funded applications are
never touched here.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Call
from audit.services import record_event

logger = logging.getLogger(__name__)
PLACEHOLDER_EMAIL = "anonymised-applicant@granted.invalid"


def unsuccessful_before(cutoff: datetime) -> QuerySet[Application]:
    """Applications whose unsuccessful outcome is older than ``cutoff`` and not yet anonymised."""
    declined = Q(decision__published_outcome="decline", decision__applied_at__lt=cutoff)
    never_funded = Q(
        decision__published_outcome="waitlist",
        decision__status="applied",  # not while a change (to fund, say) waits to be applied
        decision__applied_at__lt=cutoff,
        call__status=Call.Status.DECIDED,
    )
    withdrawn = Q(status=Application.Status.WITHDRAWN, withdrawn_at__lt=cutoff)
    stale_draft = Q(status=Application.Status.DRAFT, call__closes_at__lt=cutoff) & ~Q(
        call__status=Call.Status.OPEN
    )
    return (
        Application.objects.filter(anonymised_at__isnull=True)
        .filter(declined | never_funded | withdrawn | stale_draft)
        .exclude(award__isnull=False)
        .order_by("pk")
    )


def placeholder_applicant() -> User:
    user = User.objects.filter(email=PLACEHOLDER_EMAIL).first()
    if user is None:
        user = User(email=PLACEHOLDER_EMAIL, full_name="Anonymised applicant", is_active=False)
        user.set_unusable_password()
        user.save()
    return user


@dataclass
class RetentionReport:
    cutoff: datetime
    dry_run: bool
    references: list[str] = field(default_factory=list)
    files_removed: int = 0

    @property
    def count(self) -> int:
        return len(self.references)


def _anonymise(application: Application, placeholder: User, now: datetime) -> int:
    """Strip one application; returns the number of stored files deleted (after the commit)."""
    from awards.models import Letter
    from reviews.models import Affinity, Conflict, MeetingItem, Review

    files = [a.file for a in application.attachments.all()]
    letters = list(Letter.objects.filter(decision__application=application).exclude(file=""))
    files += [letter.file for letter in letters]
    application.attachments.all().delete()
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(file="", size=None)
    application.team.all().delete()
    application.exclusions.all().delete()
    application.budget_lines.update(justification="")
    Review.objects.filter(assignment__application=application).update(
        strengths="", weaknesses="", comments_to_applicant="", confidential_comments=""
    )
    MeetingItem.objects.filter(application=application).update(discussion_notes="")
    Affinity.objects.filter(application=application).update(terms="")
    Conflict.objects.filter(application=application).update(reason="(removed under the retention policy)")
    if hasattr(application, "decision"):
        application.decision.__class__.objects.filter(pk=application.decision.pk).update(
            conditions="", discussion_summary=""
        )
    application.title = f"Anonymised application {application.reference or application.pk}"
    application.lay_summary = ""
    application.scientific_abstract = ""
    application.keywords = ""
    application.needed_expertise = ""
    application.withdrawal_reason = ""
    application.pi = placeholder
    application.anonymised_at = now
    application.save()
    record_event(application, "application.anonymised", by=None, files_removed=len(files))

    def remove_files():
        for stored in files:
            try:
                stored.storage.delete(stored.name)
            except OSError:
                logger.exception("Retention: could not delete %s", stored.name)

    transaction.on_commit(remove_files)
    return len(files)


def anonymise_unsuccessful(
    *, older_than_days: int | None = None, dry_run: bool = False, now=None
) -> RetentionReport:
    """Anonymise every unsuccessful application older than the policy's age (``dry_run``: only list
    them). Each application is done in its own transaction, so an interrupted run keeps what it did
    and the next run carries on."""
    days = settings.RETENTION_UNSUCCESSFUL_DAYS if older_than_days is None else older_than_days
    if days < 1:
        raise ValueError("The retention age must be at least one day.")
    now = now or timezone.now()
    report = RetentionReport(cutoff=now - timedelta(days=days), dry_run=dry_run)
    candidates = list(unsuccessful_before(report.cutoff).values_list("pk", "reference"))
    if dry_run:
        report.references = [reference or f"draft #{pk}" for pk, reference in candidates]
        return report
    placeholder = placeholder_applicant()
    for pk, reference in candidates:
        with transaction.atomic():
            application = (
                unsuccessful_before(report.cutoff).select_for_update(of=("self",)).filter(pk=pk).first()
            )
            if application is None:  # changed since the list was taken
                continue
            report.files_removed += _anonymise(application, placeholder, now)
            report.references.append(reference or f"draft #{pk}")
    return report
