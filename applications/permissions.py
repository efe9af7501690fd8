"""Who may do what with calls. Used by services, portal views and the API alike."""

from applications.models import Call, CommitteeMembership
from applications.workflow import Transition
from core.errors import ALLOWED, Verdict, deny


def is_chair(user, call: Call) -> bool:
    if not user.is_authenticated:
        return False
    return CommitteeMembership.objects.filter(
        user=user, call=call, role=CommitteeMembership.Role.CHAIR
    ).exists()


def is_committee_member(user, call: Call) -> bool:
    """True for members and chairs of the call's committee."""
    if not user.is_authenticated:
        return False
    return CommitteeMembership.objects.filter(user=user, call=call).exists()


def can_manage_calls(user) -> Verdict:
    if not user.is_authenticated:
        return deny("Sign in as a program officer to manage calls.")
    if not user.is_staff:
        return deny("Only program officers (staff) can create and change calls.")
    return ALLOWED


def can_take_transition(user, call: Call, transition: Transition) -> Verdict:
    if user is None:  # the scheduler acts for the system
        return ALLOWED
    if user.is_authenticated and user.is_staff:
        return ALLOWED
    if transition.chair_may and is_chair(user, call):
        return ALLOWED
    if transition.chair_may:
        return deny(f"Only staff or the committee chair can {transition.label.lower()}.")
    return deny(f"Only program officers (staff) can {transition.label.lower()}.")
