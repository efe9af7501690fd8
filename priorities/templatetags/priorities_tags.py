"""How people appear in research priorities: by the name they chose, never by their account name."""

from django import template

from priorities.models import ANONYMOUS_NAME, CommunityProfile

register = template.Library()


def public_name_of(user) -> str:
    """A member's chosen name; moderators (staff without a profile) appear as "Moderator"."""
    try:
        return user.community_profile.display_name
    except CommunityProfile.DoesNotExist:
        return "Moderator" if user.is_staff else ANONYMOUS_NAME


@register.filter
def public_name(user) -> str:
    return public_name_of(user)


@register.simple_tag
def votes_on(ballot, question) -> int:
    """The member's votes on ``question`` in ``ballot`` (a ``BallotSummary``)."""
    return ballot.on(question.pk) if ballot else 0


@register.simple_tag
def vote_options(ballot, question) -> list[dict]:
    """The choices of a vote control: 0 to the round's most per question, the saved one checked."""
    current = ballot.on(question.pk)
    return [{"value": n, "checked": n == current} for n in range(ballot.per_question + 1)]
