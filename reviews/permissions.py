"""Who may do what in review. Used by services, portal views and the API alike."""

from applications.models import Call
from applications.permissions import is_chair, is_committee_member
from core.errors import ALLOWED, Verdict, deny


def can_manage_reviewers(user, call: Call) -> Verdict:
    """Invite reviewers, record and lift conflicts: staff only."""
    if not user.is_authenticated:
        return deny("Sign in as a program officer to manage reviewers.")
    if not user.is_staff:
        return deny("Only program officers (staff) can manage the reviewer pool and conflicts.")
    return ALLOWED


def can_respond_to_invitation(user, invitation) -> Verdict:
    """Accept or decline an invitation to review: the reviewer it is addressed to."""
    if not user.is_authenticated or invitation.reviewer_id != user.pk:
        return deny("This invitation is addressed to someone else.")
    return ALLOWED


def can_manage_assignment(user, call: Call) -> Verdict:
    """Run, edit and publish assignments: staff or the call's chair."""
    if not user.is_authenticated:
        return deny("Sign in to manage assignments.")
    if user.is_staff or is_chair(user, call):
        return ALLOWED
    return deny("Only staff or the committee chair can manage the assignment of this call.")


def can_view_ranking(user, call: Call) -> Verdict:
    """The committee's ranking: staff and the call's committee (members and the chair)."""
    if not user.is_authenticated:
        return deny("Sign in to see the ranking.")
    if user.is_staff or is_committee_member(user, call):
        return ALLOWED
    return deny("Only the committee and staff can see the ranking of this call.")


def can_manage_triage(user, call: Call) -> Verdict:
    """Move the triage line, pull items back or set them aside, see reviewers' score pages: staff or
    the chair (committee members only read)."""
    if not user.is_authenticated:
        return deny("Sign in to manage the triage.")
    if user.is_staff or is_chair(user, call):
        return ALLOWED
    return deny("Only staff or the committee chair can change the triage of this call.")
