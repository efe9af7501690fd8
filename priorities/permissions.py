"""Who may do what with research priorities. Used by services, portal views and the API alike; each
predicate says why when it refuses, so a page can explain a missing button."""

from datetime import datetime

from core.errors import ALLOWED, Verdict, deny
from priorities.models import CommunityProfile, Question, Round


def is_community_member(user) -> bool:
    if not user.is_authenticated:
        return False
    try:
        return user.community_profile is not None
    except CommunityProfile.DoesNotExist:
        return False


def is_moderator(user) -> bool:
    """Program officers (staff) moderate questions and comments and run the rounds."""
    return bool(user.is_authenticated and user.is_staff)


def can_take_part(user, action: str) -> Verdict:
    """Propose, vote and comment as a community member."""
    if not user.is_authenticated:
        return deny(f"Sign in as a community member to {action}.")
    if not is_community_member(user):
        return deny(
            f"Join as a community member to {action}: it takes a minute, and no research role is needed."
        )
    return ALLOWED


def gathering_open(round_: Round, now: datetime) -> Verdict:
    """The round takes new questions (and drafts of them) now."""
    if round_.is_gathering_at(now):
        return ALLOWED
    if round_.phase == Round.Phase.DRAFT or now < round_.opens_at:
        return deny("This round does not take questions yet.")
    return deny("This round no longer takes new questions: the time for gathering them has ended.")


def voting_open(round_: Round, now: datetime) -> Verdict:
    """Votes may be given and moved now."""
    if round_.is_voting_at(now):
        return ALLOWED
    if round_.phase in (Round.Phase.DRAFT, Round.Phase.GATHERING):
        return deny("Voting has not started yet in this round.")
    return deny("Voting has closed in this round: votes can no longer be given or moved.")


def can_manage_rounds(user) -> Verdict:
    """Create rounds, move them along, record the top ten and name the calls that address a question."""
    if not user.is_authenticated:
        return deny("Sign in as a program officer to manage priority-setting rounds.")
    if not user.is_staff:
        return deny("Only program officers (staff) can manage priority-setting rounds.")
    return ALLOWED


def can_moderate(user) -> Verdict:
    """Publish, edit for clarity, merge or hide questions, and hide comments."""
    if not user.is_authenticated:
        return deny("Sign in as a moderator to do this.")
    if not user.is_staff:
        return deny("Only moderators (program officers) can do this.")
    return ALLOWED


def can_propose(user, round_: Round, now: datetime) -> Verdict:
    """Propose a question, or save a draft of one: community members, while the round gathers them."""
    return can_take_part(user, "propose a question") and gathering_open(round_, now)


def can_edit_draft(user, question: Question, now: datetime) -> Verdict:
    """Change or send one's own draft: the author, while it is a draft and the round gathers questions."""
    if not user.is_authenticated or question.author_id != user.pk:
        return deny("Only the person who wrote this question can change it.")
    if question.status != Question.Status.DRAFT:
        return deny("This question has been sent to the moderators; it can no longer be changed by you.")
    return can_propose(user, question.round, now)


def can_vote(user, round_: Round, now: datetime) -> Verdict:
    return can_take_part(user, "vote") and voting_open(round_, now)


def can_join_discussion(user) -> Verdict:
    """Comment on questions: community members and moderators."""
    if not user.is_authenticated:
        return deny("Sign in as a community member to comment.")
    if not (is_community_member(user) or is_moderator(user)):
        return deny("Join as a community member to comment.")
    return ALLOWED


def discussion_open(question: Question) -> Verdict:
    if question.status != Question.Status.PUBLISHED:
        return deny("Only published questions can be discussed.")
    if question.round.phase == Round.Phase.CLOSED:
        return deny("This round is closed: the discussion has ended.")
    return ALLOWED


def can_comment(user, question: Question) -> Verdict:
    return can_join_discussion(user) and discussion_open(question)


def can_see_ranking(user, round_: Round) -> Verdict:
    """Vote totals: moderators at any time; everyone once voting has closed (so that early totals do
    not sway the votes still to come)."""
    if is_moderator(user) or round_.phase in (Round.Phase.FINAL, Round.Phase.CLOSED):
        return ALLOWED
    return deny("The ranking is shown when voting closes.")
