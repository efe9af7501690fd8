"""Who may do what with calls. Used by services, portal views and the API alike."""

from applications.models import Call, CommitteeMembership
from applications.workflow import Transition, transitions_from
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


def can_move_call(user, call: Call) -> Verdict:
    """Whether ``user`` may take some transition from the call's status: the API asks it before reading
    which one is wanted (the service then checks that one). A call with nowhere to go is no one's to
    refuse here: the service answers that it cannot move."""
    verdicts = [can_take_transition(user, call, t) for t in transitions_from(call.status)]
    if not verdicts or any(verdicts):
        return ALLOWED
    return verdicts[0]


def is_pi(user, application) -> bool:
    return user.is_authenticated and application.pi_id == user.pk


def is_co_investigator(user, application) -> bool:
    """An invited co-investigator who accepted with their account (they may read, not edit)."""
    if not user.is_authenticated:
        return False
    return application.team.filter(user=user, role="co_investigator", accepted_at__isnull=False).exists()


def can_view_application(user, application) -> Verdict:
    if not user.is_authenticated:
        return deny("Sign in to see applications.")
    if user.is_staff or is_pi(user, application) or is_co_investigator(user, application):
        return ALLOWED
    return deny("This application is not yours.")


def can_see_applicant_side(user, application) -> Verdict:
    """Team e-mails and the applicant's reviewer exclusions are for the applicant's side and staff:
    an assigned reviewer reads the application, never who the applicant asked to keep away."""
    if user.is_authenticated and (
        user.is_staff or is_pi(user, application) or is_co_investigator(user, application)
    ):
        return ALLOWED
    return deny("Only the applicants and staff see the team's contact details and the reviewer exclusions.")


def can_edit_application(user, application) -> Verdict:
    """Only the PI edits (services also refuse with 409 once it is no longer a draft)."""
    if not is_pi(user, application):
        return deny("Only the principal investigator can change this application.")
    return ALLOWED


def application_state_allows_edit(application) -> Verdict:
    if application.status != "draft":
        return deny(
            f"This application is {application.get_status_display().lower()}; its content is frozen "
            "and can no longer change."
        )
    return ALLOWED


def may_withdraw_application(user, application) -> Verdict:
    """Who may withdraw (whatever the state): the PI. The API checks it before reading the body."""
    if not is_pi(user, application):
        return deny("Only the principal investigator can withdraw this application.")
    return ALLOWED


def can_withdraw_application(user, application) -> Verdict:
    verdict = may_withdraw_application(user, application)
    if not verdict:
        return verdict
    if application.status == "withdrawn":
        return deny("This application is withdrawn already.")
    decision = getattr(application, "decision", None)
    if decision is not None and decision.published_outcome:
        if decision.published_outcome == "fund":
            return deny("This application has been awarded: decline the award instead of withdrawing it.")
        if decision.published_outcome == "decline":
            return deny("A decision on this application has been made; there is nothing left to withdraw.")
    return ALLOWED
