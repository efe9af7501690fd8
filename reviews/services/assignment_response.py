"""A reviewer's answer to a published assignment: declining it with a reason."""

from django.db import transaction

from accounts.models import User
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict
from reviews.models import Assignment, Review


@transaction.atomic
def decline_assignment(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    """The assigned reviewer gives an application back (with a reason staff and the chair read when
    they re-assign it). A submitted review cannot be declined; a draft stays, hidden with the
    assignment."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not by.is_authenticated or assignment.reviewer_id != by.pk:
        raise NotAllowed("Only the assigned reviewer can decline this assignment.")
    if assignment.state != Assignment.State.PUBLISHED:
        raise StateConflict("Only a published assignment can be declined.")
    if not (reason or "").strip():
        raise Invalid("Say briefly why you decline.", field_errors={"reason": ["Required."]})
    if Review.objects.filter(assignment=assignment, status=Review.Status.SUBMITTED).exists():
        raise StateConflict("You have submitted this review; it can no longer be declined.")
    assignment.state, assignment.decline_reason = Assignment.State.DECLINED, reason.strip()
    assignment.save(update_fields=["state", "decline_reason"])
    record_event(
        assignment,
        "assignment.declined",
        by=by,
        before={"state": Assignment.State.PUBLISHED},
        after={"state": Assignment.State.DECLINED, "reason": assignment.decline_reason},
        application=assignment.application_id,
    )
    return assignment
