"""Hand edits of a proposed assignment run, by staff or the call's chair.

Every edit is checked against the same rules as the optimiser: no conflict of interest or
forbidden pair, the reviewer's load limit, ``k`` reviewers per application and room for the lay
quota. Removing a reviewer may leave an application short: that is allowed in a proposal (the
usual next step is to add someone else) and :func:`reviews.services.assignment.publish_assignment_run`
refuses until every application has its ``k`` reviewers again. Added and swapped assignments are
marked ``manual``; pinning keeps the source (the pair was still chosen by whoever chose it).
"""

from django.db import IntegrityError, transaction

from accounts.models import User
from applications.models import Application, Call
from audit.services import record_event
from core.errors import Invalid, StateConflict, ensure
from reviews.models import Affinity, Assignment, AssignmentRun, ForbiddenPair, ReviewerInvitation
from reviews.permissions import can_manage_assignment
from reviews.selectors import is_conflicted, reviewer_load_limit

__all__ = ["add_assignment", "forbid_pair", "remove_assignment", "set_pinned", "swap_assignment"]


def _label(application: Application) -> str:
    return application.reference or f"application #{application.pk}"


def _lock_proposal(run: AssignmentRun, by: User) -> AssignmentRun:
    ensure(can_manage_assignment(by, run.call))
    run = AssignmentRun.objects.select_for_update().select_related("call").get(pk=run.pk)
    if run.status != AssignmentRun.Status.PROPOSED:
        raise StateConflict(
            f"Run #{run.pk} is {run.get_status_display().lower()}: only a proposal can be edited."
        )
    return run


def _is_lay(user: User) -> bool:
    profile = getattr(user, "reviewer_profile", None)
    return bool(profile and profile.is_lay)


def _check_pair(run: AssignmentRun, application: Application, reviewer: User) -> ReviewerInvitation:
    """Refuse a pair the optimiser could not have chosen; returns the reviewer's invitation."""
    if application.call_id != run.call_id or application.status != Application.Status.SUBMITTED:
        raise Invalid(f"{_label(application)} is not a submitted application of this call.")
    invitation = (
        ReviewerInvitation.objects.filter(
            call_id=run.call_id, reviewer=reviewer, status=ReviewerInvitation.Status.ACCEPTED
        )
        .select_related("reviewer__reviewer_profile")
        .first()
    )
    if invitation is None or not hasattr(reviewer, "reviewer_profile"):
        raise Invalid(f"{reviewer} has not accepted an invitation to review this call.")
    if Assignment.objects.filter(run=run, application=application, reviewer=reviewer).exists():
        raise Invalid(f"{reviewer} is already assigned to {_label(application)}.")
    if is_conflicted(reviewer, application):
        raise Invalid(f"{reviewer} has a conflict of interest with {_label(application)}.")
    forbidden = ForbiddenPair.objects.filter(
        call_id=run.call_id, application=application, reviewer=reviewer
    ).first()
    if forbidden is not None:
        why = f" ({forbidden.reason})" if forbidden.reason else ""
        raise Invalid(f"{reviewer} and {_label(application)} are a forbidden pair{why}.")
    limit = reviewer_load_limit(invitation)
    load = Assignment.objects.filter(run=run, reviewer=reviewer).count()
    if load >= limit:
        raise Invalid(
            f"{reviewer} already has {load} applications in this proposal, "
            f"their limit for this call is {limit}."
        )
    return invitation


def _check_lay_room(
    run: AssignmentRun, application: Application, *, adding: User, removing: User | None
) -> None:
    """After the change, the application must still be able to get its lay quota within ``k``."""
    call = run.call
    room = call.reviewers_per_application - call.lay_reviewers_per_application  # places for non-lay
    others = Assignment.objects.filter(run=run, application=application).select_related(
        "reviewer__reviewer_profile"
    )
    non_lay = sum(
        1 for a in others if not _is_lay(a.reviewer) and a.reviewer_id != getattr(removing, "pk", None)
    )
    if not _is_lay(adding) and non_lay + 1 > room:
        quota = call.lay_reviewers_per_application
        raise Invalid(
            f"{_label(application)} needs at least {quota} lay reviewer{'s' if quota != 1 else ''}: "
            f"{adding} is not a lay reviewer, and its remaining places are kept for lay reviewers."
        )


def _pair_affinity(run: AssignmentRun, application: Application, reviewer: User) -> float | None:
    return (
        Affinity.objects.filter(run=run, application=application, reviewer=reviewer)
        .values_list("total", flat=True)
        .first()
    )


@transaction.atomic
def add_assignment(
    *, run: AssignmentRun, application: Application, reviewer: User, by: User, pinned: bool = False
) -> Assignment:
    """Add a reviewer to an application in a proposal (e.g. after removing one)."""
    run = _lock_proposal(run, by)
    _check_pair(run, application, reviewer)
    k = run.call.reviewers_per_application
    if Assignment.objects.filter(run=run, application=application).count() >= k:
        raise Invalid(f"{_label(application)} already has its {k} reviewers: remove or swap one first.")
    _check_lay_room(run, application, adding=reviewer, removing=None)
    assignment = Assignment.objects.create(
        call_id=run.call_id,
        run=run,
        application=application,
        reviewer=reviewer,
        source=Assignment.Source.MANUAL,
        pinned=pinned,
        affinity=_pair_affinity(run, application, reviewer),
    )
    record_event(
        assignment,
        "assignment.added",
        by=by,
        run=run.pk,
        application=application.pk,
        reviewer=reviewer.pk,
        pinned=pinned,
    )
    return assignment


@transaction.atomic
def remove_assignment(*, assignment: Assignment, by: User) -> None:
    """Take a reviewer off an application in a proposal; the application may be left short for now."""
    run = _lock_proposal(assignment.run, by)
    assignment = Assignment.objects.select_related("application", "reviewer").get(pk=assignment.pk, run=run)
    record_event(
        assignment,
        "assignment.removed",
        by=by,
        run=run.pk,
        application=assignment.application_id,
        reviewer=assignment.reviewer_id,
        before={"source": assignment.source, "pinned": assignment.pinned},
    )
    assignment.delete()


@transaction.atomic
def swap_assignment(*, assignment: Assignment, reviewer: User, by: User) -> Assignment:
    """Give an assignment of a proposal to another reviewer (same application)."""
    run = _lock_proposal(assignment.run, by)
    assignment = Assignment.objects.select_related("application", "reviewer__reviewer_profile").get(
        pk=assignment.pk, run=run
    )
    if assignment.reviewer_id == reviewer.pk:
        raise Invalid(f"{reviewer} is already assigned to {_label(assignment.application)}.")
    _check_pair(run, assignment.application, reviewer)
    _check_lay_room(run, assignment.application, adding=reviewer, removing=assignment.reviewer)
    before = {"reviewer": assignment.reviewer_id, "source": assignment.source}
    assignment.reviewer = reviewer
    assignment.source = Assignment.Source.MANUAL
    assignment.affinity = _pair_affinity(run, assignment.application, reviewer)
    assignment.save(update_fields=["reviewer", "source", "affinity"])
    record_event(
        assignment,
        "assignment.swapped",
        by=by,
        run=run.pk,
        application=assignment.application_id,
        before=before,
        after={"reviewer": reviewer.pk, "source": assignment.source},
    )
    return assignment


@transaction.atomic
def set_pinned(*, assignment: Assignment, pinned: bool, by: User) -> Assignment:
    """Pin a pair so that the next run keeps it, or unpin it."""
    run = _lock_proposal(assignment.run, by)
    assignment = Assignment.objects.get(pk=assignment.pk, run=run)
    if assignment.pinned != pinned:
        assignment.pinned = pinned
        assignment.save(update_fields=["pinned"])
        record_event(
            assignment,
            "assignment.pinned" if pinned else "assignment.unpinned",
            by=by,
            run=run.pk,
            application=assignment.application_id,
            reviewer=assignment.reviewer_id,
        )
    return assignment


@transaction.atomic
def forbid_pair(
    *, call: Call, application: Application, reviewer: User, by: User, reason: str = ""
) -> ForbiddenPair:
    """Rule a pair out of the call's assignment (no evidence needed, unlike a conflict).

    The pair is taken out of every proposed run of the call at once (its application may be left
    short, see the module docstring); a published assignment is left alone: withdrawing one is a
    step of its own that the reviewer is told about.
    """
    ensure(can_manage_assignment(by, call))
    if application.call_id != call.pk:
        raise Invalid(f"{_label(application)} is not an application of this call.")
    existing = ForbiddenPair.objects.filter(call=call, application=application, reviewer=reviewer).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            pair = ForbiddenPair.objects.create(
                call=call, application=application, reviewer=reviewer, reason=reason.strip(), created_by=by
            )
    except IntegrityError as error:  # a concurrent request forbade it first
        raise StateConflict(f"{reviewer} and {_label(application)} are already a forbidden pair.") from error
    proposed = Assignment.objects.filter(
        call=call, application=application, reviewer=reviewer, run__status=AssignmentRun.Status.PROPOSED
    )
    removed_from = sorted(proposed.values_list("run_id", flat=True))
    proposed.delete()
    record_event(
        pair,
        "assignment.pair_forbidden",
        by=by,
        call=call.pk,
        application=application.pk,
        reviewer=reviewer.pk,
        reason=pair.reason,
        removed_from_runs=removed_from,
    )
    return pair
