"""Who may see and change decisions, awards and letters. Used by services, portal views and the API.

A chair or committee member conflicted with an application never sees its decision, award or letters;
the call's totals still count it (the budget is the budget), without naming it.
"""

from applications.models import Call
from applications.permissions import is_chair, is_committee_member, is_pi
from core.errors import ALLOWED, Verdict, deny
from reviews.selectors import is_conflicted


def can_view_funding(user, call: Call) -> Verdict:
    """The funding scenario: staff, the chair and the committee (members read it, the chair decides)."""
    if not user.is_authenticated:
        return deny("Sign in to see the call's funding decisions.")
    if user.is_staff or is_committee_member(user, call):
        return ALLOWED
    return deny("Only staff and the call's committee see its funding decisions.")


def can_decide(user, call: Call) -> Verdict:
    if not user.is_authenticated:
        return deny("Sign in as the committee chair to make funding decisions.")
    if user.is_staff or is_chair(user, call):
        return ALLOWED
    return deny("Only the committee chair or staff can make and apply funding decisions.")


def can_decide_application(user, application) -> Verdict:
    verdict = can_decide(user, application.call)
    if not verdict:
        return verdict
    if has_stake(user, application):
        return deny("You are on this application's team: its decision is made by others.")
    if not user.is_staff and is_conflicted(user, application):
        return deny("You have a conflict of interest with this application: staff record its decision.")
    return ALLOWED


def has_stake(user, application) -> bool:
    """The user is the application's PI or on its team (by account or e-mail): a stake in the outcome
    whether or not a conflict was ever recorded (conflicts are detected for reviewers, not the chair)."""
    if is_pi(user, application):
        return True
    team = application.team.all()
    return team.filter(user=user).exists() or team.filter(email__iexact=user.email).exists()


def decision_state_allows_change(decision) -> Verdict:
    """Pending decisions change freely; an applied one only from the waitlist (to fund or to decline)."""
    if decision is None or not decision.published_outcome:
        return ALLOWED
    if decision.published_outcome == decision.Outcome.WAITLIST:
        return ALLOWED
    return deny(
        f"The decision on {decision.application.reference} "
        f"({decision.get_published_outcome_display().lower()}) has been applied "
        "and the applicant told; it can no longer change."
    )


def can_view_letter(user, letter) -> Verdict:
    """The applicant (the PI, their own), staff, and the call's chair unless conflicted."""
    application = letter.decision.application
    if not user.is_authenticated:
        return deny("Sign in to download letters.")
    if user.is_staff:
        return ALLOWED
    if is_pi(user, application):
        if letter.decision.status == letter.decision.Status.APPLIED or letter.decision.published_outcome:
            return ALLOWED
        return deny("This letter is not yours.")
    if is_chair(user, application.call) and not is_conflicted(user, application):
        return ALLOWED
    return deny("This letter is not yours.")


def can_view_award(user, award) -> Verdict:
    if not user.is_authenticated:
        return deny("Sign in to see awards.")
    if user.is_staff or is_pi(user, award.application):
        return ALLOWED
    if is_committee_member(user, award.application.call) and not is_conflicted(user, award.application):
        return ALLOWED
    return deny("This award is not yours.")


def may_respond_to_award(user, award) -> Verdict:
    """Who may answer the award (whatever its state): its PI. The API checks it before the body."""
    if not is_pi(user, award.application):
        return deny("Only the principal investigator can accept or decline this award.")
    return ALLOWED


def can_respond_to_award(user, award) -> Verdict:
    verdict = may_respond_to_award(user, award)
    if not verdict:
        return verdict
    if award.status != award.Status.OFFERED:
        return deny(f"This award has been {award.status} already ({award.responded_at:%d %b %Y}).")
    return ALLOWED


def can_view_register(user) -> Verdict:
    if not user.is_authenticated or not user.is_staff:
        return deny("Only program officers (staff) see the award register.")
    return ALLOWED
