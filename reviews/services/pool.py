"""The reviewer pool: profiles, invitations, conflicts of interest and bids."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Call
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from core.tasks import enqueue_on_commit
from reviews.conflicts import detect_conflicts
from reviews.models import Assignment, Bid, Conflict, ReviewerInvitation, ReviewerProfile
from reviews.permissions import can_manage_reviewers, can_respond_to_invitation
from reviews.selectors import accepted_invitation, is_conflicted

PROFILE_FIELDS = ["kind", "expertise", "keywords", "default_load", "collaborators", "active"]


@transaction.atomic
def save_reviewer_profile(*, user: User, by: User, focus_areas=None, **fields) -> ReviewerProfile:
    """Create or change a reviewer's profile: by the reviewer themselves or by staff."""
    if by.pk != user.pk and not by.is_staff:
        raise NotAllowed("You can only change your own reviewer profile.")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    profile, created = ReviewerProfile.objects.select_for_update().get_or_create(user=user)
    before = {name: getattr(profile, name) for name in fields} if not created else {}
    for name, value in fields.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    profile.full_clean()
    profile.save()
    if focus_areas is not None:
        profile.focus_areas.set(focus_areas)
    record_event(profile, "reviewer.profile_saved", by=by, before=before, after=fields | {"user": user.pk})
    return profile


@transaction.atomic
def invite_reviewer(*, call: Call, reviewer: User, by: User) -> ReviewerInvitation:
    """Invite a pool member to review the call (staff). Re-inviting a decliner reopens the invitation."""
    ensure(can_manage_reviewers(by, call))
    if not hasattr(reviewer, "reviewer_profile"):
        raise Invalid(f"{reviewer} has no reviewer profile yet: add them to the reviewer pool first.")
    invitation, created = ReviewerInvitation.objects.select_for_update().get_or_create(
        call=call, reviewer=reviewer, defaults={"invited_by": by}
    )
    if not created:
        if invitation.status != ReviewerInvitation.Status.DECLINED:
            raise StateConflict(f"{reviewer} is invited already ({invitation.get_status_display().lower()}).")
        invitation.status, invitation.responded_at, invitation.decline_reason = (
            ReviewerInvitation.Status.PENDING,
            None,
            "",
        )
        invitation.invited_by = by
        invitation.save(update_fields=["status", "responded_at", "decline_reason", "invited_by"])
    record_event(invitation, "reviewer.invited", by=by, call=call.pk, reviewer=reviewer.pk)
    from reviews.tasks import send_reviewer_invitation

    enqueue_on_commit(send_reviewer_invitation, invitation.pk)
    return invitation


@transaction.atomic
def respond_to_invitation(
    *, invitation: ReviewerInvitation, by: User, accept: bool, load_limit: int | None = None, reason: str = ""
) -> ReviewerInvitation:
    """The reviewer accepts (optionally with a lower load for this call) or declines with a reason."""
    invitation = (
        ReviewerInvitation.objects.select_for_update(of=("self",))
        .select_related("reviewer__reviewer_profile")
        .get(pk=invitation.pk)
    )
    ensure(can_respond_to_invitation(by, invitation))
    if invitation.call.status in (Call.Status.DECIDED,):
        raise StateConflict("This call is decided; its review is over.")
    before = {"status": invitation.status, "load_limit": invitation.load_limit}
    if accept:
        default = invitation.reviewer.reviewer_profile.default_load
        if load_limit is not None and not 1 <= load_limit <= default:
            raise Invalid(
                f"Choose a load between 1 and your default of {default} applications.",
                field_errors={"load_limit": [f"Between 1 and {default}."]},
            )
        invitation.status, invitation.load_limit, invitation.decline_reason = (
            ReviewerInvitation.Status.ACCEPTED,
            load_limit,
            "",
        )
    else:
        if not reason.strip():
            raise Invalid(
                "Tell the programme office why you decline.", field_errors={"reason": ["Required."]}
            )
        if Assignment.objects.filter(
            call=invitation.call, reviewer=by, state=Assignment.State.PUBLISHED
        ).exists():
            raise StateConflict(
                "You have published assignments in this call; decline them one by one instead."
            )
        invitation.status, invitation.decline_reason = ReviewerInvitation.Status.DECLINED, reason.strip()
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "load_limit", "decline_reason", "responded_at"])
    record_event(
        invitation,
        "reviewer.invitation_accepted" if accept else "reviewer.invitation_declined",
        by=by,
        before=before,
        after={"status": invitation.status, "load_limit": invitation.load_limit},
        reason=invitation.decline_reason,
    )
    return invitation


def _withdraw_assignments(*, application: Application, reviewer: User, reason: str, by: User | None) -> None:
    """A new conflict removes the pair from proposals and takes it back from a published assignment."""
    pairs = Assignment.objects.filter(application=application, reviewer=reviewer)
    proposed = pairs.filter(state=Assignment.State.PROPOSED)
    for assignment in proposed:
        record_event(assignment, "assignment.removed_for_conflict", by=by, reason=reason)
    proposed.delete()
    published = pairs.filter(state=Assignment.State.PUBLISHED)
    for assignment in published:
        assignment.state, assignment.decline_reason = Assignment.State.DECLINED, reason
        assignment.save(update_fields=["state", "decline_reason"])
        record_event(assignment, "assignment.withdrawn_for_conflict", by=by, reason=reason)


def _record_conflict(*, application, reviewer, kind, source, reason, by) -> Conflict:
    existing = (
        Conflict.objects.select_for_update()
        .filter(application=application, reviewer=reviewer, kind=kind)
        .first()
    )
    if existing is not None:
        if not existing.lifted:
            return existing
        existing.lifted, existing.lifted_by, existing.lifted_reason, existing.lifted_at = (
            False,
            None,
            "",
            None,
        )
        existing.source, existing.reason, existing.recorded_by = source, reason, by
        existing.save()
        conflict = existing
    else:
        try:
            with transaction.atomic():
                conflict = Conflict.objects.create(
                    application=application,
                    reviewer=reviewer,
                    kind=kind,
                    source=source,
                    reason=reason,
                    recorded_by=by,
                )
        except IntegrityError:  # declared at the same moment in another tab
            return Conflict.objects.get(application=application, reviewer=reviewer, kind=kind)
    record_event(
        conflict,
        "conflict.recorded",
        by=by,
        after={"kind": kind, "source": source, "reason": reason},
        application=application.pk,
        reviewer=reviewer.pk,
    )
    _withdraw_assignments(application=application, reviewer=reviewer, reason=f"Conflict: {reason}", by=by)
    return conflict


@transaction.atomic
def declare_conflict(
    *, application: Application, by: User, reason: str, kind: str = Conflict.Kind.OTHER
) -> Conflict:
    """A reviewer declares a conflict with an application of a call they review; it disappears for them."""
    if not reason.strip():
        raise Invalid("Say briefly what the conflict is.", field_errors={"reason": ["Required."]})
    if kind not in Conflict.Kind.values:
        raise Invalid("Choose the kind of conflict.", field_errors={"kind": ["Unknown kind."]})
    if (
        accepted_invitation(application.call, by) is None
        and not Assignment.objects.filter(application=application, reviewer=by).exists()
    ):
        raise NotAllowed("You do not review this call.")
    return _record_conflict(
        application=application,
        reviewer=by,
        kind=kind,
        source=Conflict.Source.DECLARED,
        reason=reason.strip(),
        by=by,
    )


@transaction.atomic
def set_conflict(
    *, application: Application, reviewer: User, by: User, reason: str, kind: str = Conflict.Kind.OTHER
) -> Conflict:
    """Staff record a conflict, with a required reason."""
    ensure(can_manage_reviewers(by, application.call))
    if not reason.strip():
        raise Invalid("A reason is required to set a conflict.", field_errors={"reason": ["Required."]})
    return _record_conflict(
        application=application,
        reviewer=reviewer,
        kind=kind,
        source=Conflict.Source.STAFF,
        reason=reason.strip(),
        by=by,
    )


@transaction.atomic
def lift_conflict(*, conflict: Conflict, by: User, reason: str) -> Conflict:
    """Staff override a conflict (e.g. a false match), with a required reason kept in the audit trail."""
    conflict = Conflict.objects.select_for_update().select_related("application__call").get(pk=conflict.pk)
    ensure(can_manage_reviewers(by, conflict.application.call))
    if conflict.lifted:
        raise StateConflict("This conflict is lifted already.")
    if not reason.strip():
        raise Invalid("A reason is required to lift a conflict.", field_errors={"reason": ["Required."]})
    conflict.lifted, conflict.lifted_by, conflict.lifted_reason, conflict.lifted_at = (
        True,
        by,
        reason.strip(),
        timezone.now(),
    )
    conflict.save(update_fields=["lifted", "lifted_by", "lifted_reason", "lifted_at"])
    record_event(
        conflict,
        "conflict.lifted",
        by=by,
        reason=conflict.lifted_reason,
        application=conflict.application_id,
        reviewer=conflict.reviewer_id,
    )
    return conflict


@transaction.atomic
def detect_call_conflicts(*, call: Call, by: User | None) -> list[Conflict]:
    """Record every automatically detected conflict for the call's accepted and pending reviewers.

    Conflicts staff lifted stay lifted: detection never re-raises a pair a person has cleared.
    """
    if by is not None:
        ensure(can_manage_reviewers(by, call))
    reviewers = list(
        User.objects.filter(review_invitations__call=call)
        .exclude(review_invitations__status=ReviewerInvitation.Status.DECLINED)
        .select_related("institution", "reviewer_profile")
        .order_by("pk")
    )
    existing = set(
        Conflict.objects.filter(application__call=call).values_list("application_id", "reviewer_id", "kind")
    )
    created = []
    for finding in detect_conflicts(call=call, reviewers=reviewers):
        if (finding.application_id, finding.reviewer_id, finding.kind) in existing:
            continue
        conflict = Conflict.objects.create(
            application_id=finding.application_id,
            reviewer_id=finding.reviewer_id,
            kind=finding.kind,
            source=finding.source,
            reason=finding.evidence,
            recorded_by=None,
        )
        created.append(conflict)
        _withdraw_assignments(
            application=conflict.application,
            reviewer=conflict.reviewer,
            reason=f"Conflict: {finding.evidence}",
            by=by,
        )
    record_event(
        call,
        "conflicts.detected",
        by=by,
        created=len(created),
        pairs=[[c.application_id, c.reviewer_id, c.kind] for c in created][:500],
    )
    return created


@transaction.atomic
def place_bid(*, application: Application, by: User, value: str) -> Bid:
    """A reviewer who accepted the call says how much they want to review an application."""
    if value not in Bid.Value.values:
        raise Invalid(
            "Choose eager, willing, neutral or not willing.", field_errors={"value": ["Unknown bid."]}
        )
    if (
        application.status != Application.Status.SUBMITTED
        or accepted_invitation(application.call, by) is None
    ):
        raise NotAllowed("You can bid only on submitted applications of calls you have accepted to review.")
    if is_conflicted(by, application):
        raise NotAllowed("You have a conflict with this application.")
    if application.call.status not in (Call.Status.CLOSED, Call.Status.IN_REVIEW, Call.Status.OPEN):
        raise StateConflict("Bidding is over for this call.")
    bid, created = Bid.objects.select_for_update().get_or_create(
        application=application, reviewer=by, defaults={"value": value}
    )
    before = {} if created else {"value": bid.value}
    if not created and bid.value != value:
        bid.value = value
        bid.save(update_fields=["value", "updated_at"])
    if created or before.get("value") != value:
        record_event(
            bid, "bid.placed", by=by, before=before, after={"value": value}, application=application.pk
        )
    return bid
