"""Every change to an application, from the first draft to submission or withdrawal."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.identifiers import normalise_orcid
from accounts.models import User
from applications.documents import check_pdf_upload
from applications.eligibility import call_timing_problem, eligibility_problems, submission_problems
from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    FocusArea,
    ReferenceSequence,
    ReviewerExclusion,
    TeamMember,
)
from applications.permissions import (
    application_state_allows_edit,
    can_edit_application,
    can_withdraw_application,
)
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from core.tasks import enqueue_on_commit

DETAIL_FIELDS = [
    "title",
    "lay_summary",
    "scientific_abstract",
    "keywords",
    "requested_amount",
    "duration_months",
    "needed_expertise",
]


def _lock_for_edit(application: Application, by: User) -> Application:
    """Lock the application row and check that ``by`` may change it now."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    ensure(can_edit_application(by, application), NotAllowed)
    ensure(application_state_allows_edit(application), StateConflict)
    return application


TEAM_FIELDS = ["name", "email", "orcid", "institution_name", "role"]
BUDGET_FIELDS = ["category", "year", "amount", "justification"]
EXCLUSION_FIELDS = ["name", "email", "orcid", "reason"]


def _store_item(item, fields: dict[str, Any], *, tracked: list[str], verb: str, by: User):
    """Set, validate and save a part of a draft (a team member, budget line or exclusion) and audit
    the change; the caller has locked the application and checked the editor."""
    before = model_to_dict(item, fields=tracked) if item.pk else {}
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _clean(item)
    item.save()
    after = model_to_dict(item, fields=tracked)
    record_event(item, verb, by=by, before=before, after=after, application=item.application_id)
    return item


def _remove_item(item, *, tracked: list[str], verb: str, by: User) -> None:
    """Remove a part of a draft, with the audit row on the application."""
    application = _lock_for_edit(item.application, by)
    record_event(application, verb, by=by, before=model_to_dict(item, fields=tracked))
    item.delete()


def _clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise Invalid("Please correct the errors below.", field_errors=error.message_dict) from error


@transaction.atomic
def start_application(*, call: Call, by: User, now: datetime | None = None) -> Application:
    """Start a draft for ``by`` as PI, if they are eligible for the call now."""
    now = now or timezone.now()
    # Locking the call serialises starts on it, so two tabs cannot both pass the per-PI limit.
    call = Call.objects.select_for_update().get(pk=call.pk)
    timing = call_timing_problem(call, now)
    if timing:
        raise StateConflict(timing)
    problems = eligibility_problems(call=call, user=by, now=now)
    if problems:
        raise NotAllowed(" ".join(problems))
    application = Application.objects.create(call=call, pi=by, institution=by.institution)
    record_event(application, "application.started", by=by, after={"call": call.pk})
    return application


@transaction.atomic
def update_application(
    *, application: Application, by: User, focus_areas: list[FocusArea] | None = None, **changes: Any
) -> Application:
    """Save the details section of a draft (title, summaries, keywords, request, duration)."""
    application = _lock_for_edit(application, by)
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise Invalid(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    before = model_to_dict(application, fields=list(changes))
    for name, value in changes.items():
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    _clean(application)
    call = application.call
    if application.requested_amount is not None and application.requested_amount > call.max_request:
        raise Invalid(
            "The request is above the call's maximum.",
            field_errors={
                "requested_amount": [
                    f"The maximum request for this call is {call.max_request:,.0f} {call.currency}."
                ]
            },
        )
    application.save()
    after = model_to_dict(application, fields=list(changes))
    if focus_areas is not None:
        before["focus_areas"] = sorted(application.focus_areas.values_list("slug", flat=True))
        application.focus_areas.set(focus_areas)
        after["focus_areas"] = sorted(a.slug for a in focus_areas)
    changed = {k for k in after if after[k] != before.get(k)}
    if changed:
        record_event(
            application,
            "application.updated",
            by=by,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
        )
    return application


@transaction.atomic
def save_team_member(
    *, application: Application, by: User, member: TeamMember | None = None, **fields: Any
) -> TeamMember:
    """Add a team member or change one."""
    application = _lock_for_edit(application, by)
    if member is not None and member.application_id != application.pk:
        raise NotAllowed("This team member belongs to another application.")
    fields["email"] = fields.get("email", member.email if member else "").strip().lower()
    if "orcid" in fields:
        fields["orcid"] = normalise_orcid(fields["orcid"])
    if fields["email"] == application.pi.email:
        raise Invalid(
            "You are the principal investigator; add the other members of the team here.",
            field_errors={"email": ["This is your own e-mail address."]},
        )
    duplicate = application.team.filter(email__iexact=fields["email"])
    if member is not None:
        duplicate = duplicate.exclude(pk=member.pk)
    if duplicate.exists():
        raise Invalid(
            "This person is in the team already.",
            field_errors={"email": ["Someone in the team has this e-mail address already."]},
        )
    member = member or TeamMember(application=application)
    if member.pk and fields["email"] != member.email:
        # A new address is a new person: an earlier invitation no longer applies.
        member.user, member.invite_token, member.invited_at, member.accepted_at = None, "", None, None
    return _store_item(member, fields, tracked=TEAM_FIELDS, verb="application.team_member_saved", by=by)


@transaction.atomic
def remove_team_member(*, member: TeamMember, by: User) -> None:
    _remove_item(member, tracked=TEAM_FIELDS, verb="application.team_member_removed", by=by)


@transaction.atomic
def invite_team_member(*, member: TeamMember, by: User) -> TeamMember:
    """E-mail a co-investigator a link that lets them read the application with their account."""
    from applications.tasks import send_team_invitation

    member = TeamMember.objects.select_for_update().select_related("application").get(pk=member.pk)
    ensure(can_edit_application(by, member.application), NotAllowed)
    if member.role != TeamMember.Role.CO_INVESTIGATOR:
        raise Invalid("Only co-investigators are invited to see the application.")
    if member.accepted_at:
        raise StateConflict(f"{member.name} has accepted the invitation already.")
    member.invite_token = member.invite_token or TeamMember.new_token()
    member.invited_at = timezone.now()
    member.save(update_fields=["invite_token", "invited_at"])
    record_event(member, "application.team_member_invited", by=by, application=member.application_id)
    enqueue_on_commit(send_team_invitation, member.pk)
    return member


@transaction.atomic
def accept_team_invitation(*, token: str, by: User) -> TeamMember:
    """Link the invited co-investigator's account to the team entry; they may then read it."""
    member = TeamMember.objects.select_for_update().filter(invite_token=token).first() if token else None
    if member is None:
        raise Invalid("This invitation link is not valid. Ask the principal investigator to send it again.")
    if member.accepted_at and member.user_id != by.pk:
        raise StateConflict("This invitation has been accepted by another account already.")
    if member.application.pi_id == by.pk:
        raise Invalid("You are the principal investigator of this application.")
    if not member.accepted_at:
        member.user, member.accepted_at = by, timezone.now()
        member.save(update_fields=["user", "accepted_at"])
        record_event(member, "application.team_invitation_accepted", by=by, application=member.application_id)
    return member


@transaction.atomic
def save_budget_line(
    *, application: Application, by: User, line: BudgetLine | None = None, **fields: Any
) -> BudgetLine:
    application = _lock_for_edit(application, by)
    if line is not None and line.application_id != application.pk:
        raise NotAllowed("This budget line belongs to another application.")
    line = line or BudgetLine(application=application)
    return _store_item(line, fields, tracked=BUDGET_FIELDS, verb="application.budget_line_saved", by=by)


@transaction.atomic
def remove_budget_line(*, line: BudgetLine, by: User) -> None:
    _remove_item(line, tracked=BUDGET_FIELDS, verb="application.budget_line_removed", by=by)


@transaction.atomic
def add_attachment(*, application: Application, by: User, kind: str, upload: UploadedFile) -> Attachment:
    """Check the upload (PDF by content, size, pages, name) and store it under a generated name."""
    application = _lock_for_edit(application, by)
    if kind not in Attachment.Kind.values:
        raise Invalid("Choose what kind of document this is.", field_errors={"kind": ["Unknown kind."]})
    call = application.call
    page_limit = call.research_plan_page_limit if kind == Attachment.Kind.RESEARCH_PLAN else None
    checked = check_pdf_upload(upload, size_limit_mb=call.attachment_size_limit_mb, page_limit=page_limit)
    if kind == Attachment.Kind.RESEARCH_PLAN and application.attachments.filter(kind=kind).exists():
        raise StateConflict("There is a research plan already: remove it first to upload a new one.")
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=checked.display_name,
        size=checked.size,
        pages=checked.pages,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    attachment.file.save("upload.pdf", ContentFile(checked.content), save=False)
    try:
        attachment.save()
        record_event(
            attachment,
            "application.attachment_added",
            by=by,
            application=application.pk,
            after={
                "kind": kind,
                "name": checked.display_name,
                "pages": checked.pages,
                "sha256": checked.sha256,
            },
        )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: Attachment, by: User) -> None:
    application = _lock_for_edit(attachment.application, by)
    record_event(
        application,
        "application.attachment_removed",
        by=by,
        before={"kind": attachment.kind, "name": attachment.original_name, "sha256": attachment.sha256},
    )
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def save_exclusion(
    *, application: Application, by: User, exclusion: ReviewerExclusion | None = None, **fields: Any
) -> ReviewerExclusion:
    """Name someone who should not review the application, with the reason."""
    application = _lock_for_edit(application, by)
    if exclusion is not None and exclusion.application_id != application.pk:
        raise NotAllowed("This exclusion belongs to another application.")
    if "orcid" in fields:
        fields["orcid"] = normalise_orcid(fields["orcid"])
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
    exclusion = exclusion or ReviewerExclusion(application=application)
    return _store_item(exclusion, fields, tracked=EXCLUSION_FIELDS, verb="application.exclusion_saved", by=by)


@transaction.atomic
def remove_exclusion(*, exclusion: ReviewerExclusion, by: User) -> None:
    _remove_item(exclusion, tracked=EXCLUSION_FIELDS, verb="application.exclusion_removed", by=by)


def _next_reference(application: Application) -> str:
    call = application.call
    year = call.closes_local.year
    sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(program=call.program, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{call.program.code}-{year}-{sequence.last:04d}"


@transaction.atomic
def submit_application(*, application: Application, by: User, now: datetime | None = None) -> Application:
    """Submit a complete draft before the call closes: give it a reference, freeze it, send a receipt.

    Submitting an application that is already submitted changes nothing and returns it (a double
    click, a second tab or a retried request leaves exactly one submission and one receipt).
    """
    from applications.tasks import send_submission_receipt

    application = (
        Application.objects.select_for_update().select_related("call__program").get(pk=application.pk)
    )
    ensure(can_edit_application(by, application), NotAllowed)
    if application.status == Application.Status.SUBMITTED:
        return application
    ensure(application_state_allows_edit(application), StateConflict)
    now = now or timezone.now()  # judged on the server, in UTC, whatever the browser's time zone
    timing = call_timing_problem(application.call, now)
    if timing:
        raise StateConflict(timing)
    problems = submission_problems(application, now=now)
    if problems:
        raise Invalid(
            "The application is not complete: " + " ".join(p.message for p in problems),
            field_errors={"problems": [p.message for p in problems]},
        )
    application.status = Application.Status.SUBMITTED
    application.submitted_at = now
    application.reference = _next_reference(application)
    application.save(update_fields=["status", "submitted_at", "reference", "updated_at"])
    record_event(
        application,
        "application.submitted",
        by=by,
        before={"status": "draft"},
        after={"status": "submitted", "reference": application.reference},
    )
    enqueue_on_commit(send_submission_receipt, application.pk)
    return application


@transaction.atomic
def withdraw_application(*, application: Application, by: User, reason: str = "") -> Application:
    """Withdraw a draft or a submitted application; it stays on record, frozen."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure(
        can_withdraw_application(by, application), StateConflict if application.pi_id == by.pk else NotAllowed
    )
    before = application.status
    application.status = Application.Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.withdrawal_reason = reason.strip()
    application.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    record_event(
        application,
        "application.withdrawn",
        by=by,
        before={"status": before},
        after={"status": "withdrawn"},
        reason=application.withdrawal_reason,
    )
    from awards.services.decisions import drop_pending_decision  # awards builds on applications

    drop_pending_decision(application=application, by=by)
    return application
