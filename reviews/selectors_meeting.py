"""Reading the panel meeting: who may attend, run and score it, the agenda as each viewer may see it,
and the preliminary (pre-discussion) scores the agenda is built from.

Conflicts win everywhere: an item whose application the viewer has an active conflict with is
redacted to its position (no title, reference or scores), and a conflicted member cannot score it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from applications.models import Application, Call
from applications.permissions import is_chair, is_committee_member
from core.errors import ALLOWED, Verdict, deny
from reviews.final_scores import shown_final_score
from reviews.models import FinalScore, MeetingItem, PanelMeeting
from reviews.selectors import active_conflicts, is_conflicted
from reviews.selectors_ranking import ranking_for

CONFLICTED = "You are conflicted with this application."


def can_attend_meeting(user, call: Call) -> Verdict:
    """Committee members (the chair included) follow the meeting; staff see all of it."""
    if not user.is_authenticated:
        return deny("Sign in to attend the panel meeting.")
    if user.is_staff or is_committee_member(user, call):
        return ALLOWED
    return deny("Only the call's committee and staff attend its panel meeting.")


def can_run_meeting(user, call: Call) -> Verdict:
    """Open and close the meeting, move the current item, take notes, close items: the chair, or
    staff (a program officer stands in when the chair is conflicted or absent)."""
    if not user.is_authenticated:
        return deny("Sign in to run the panel meeting.")
    if user.is_staff or is_chair(user, call):
        return ALLOWED
    return deny("Only the committee chair or staff can run the panel meeting.")


def sees_chair_details(user, call: Call) -> bool:
    """The discussion notes and who has scored the current item are shown to whoever runs the
    meeting, and to no other member (the portal's chair section and the API alike)."""
    return bool(can_run_meeting(user, call))


def can_handle_item(user, item: MeetingItem) -> Verdict:
    """Notes and closing need to see the item: whoever runs the meeting, unless conflicted with it."""
    verdict = can_run_meeting(user, item.meeting.call)
    if not verdict:
        return verdict
    if is_conflicted(user, item.application):
        return deny(CONFLICTED)
    return ALLOWED


def can_score_item(user, item: MeetingItem) -> Verdict:
    """A committee member of the call without an active conflict on the item's application."""
    if not user.is_authenticated or not is_committee_member(user, item.meeting.call):
        return deny("Only members of the call's committee give final scores.")
    if is_conflicted(user, item.application):
        return deny(CONFLICTED)
    return ALLOWED


def meeting_of(call: Call) -> PanelMeeting | None:
    return PanelMeeting.objects.filter(call=call).select_related("current_item__application").first()


def eligible_members(item: MeetingItem) -> QuerySet[User]:
    """The committee members who may score ``item``: none with an active conflict on it."""
    conflicted = active_conflicts().filter(application_id=item.application_id).values("reviewer_id")
    return (
        User.objects.filter(committee_memberships__call_id=item.meeting.call_id)
        .exclude(pk__in=conflicted)
        .order_by("full_name", "pk")
    )


def eligible_final_scores(item: MeetingItem) -> QuerySet[FinalScore]:
    """The final scores that count: by eligible members only (a score given before a conflict was
    recorded, or by someone who left the committee, is kept but not counted)."""
    return item.final_scores.filter(member__in=eligible_members(item)).select_related("member")


# The agenda comes from the committee's ranking (``reviews.selectors_ranking``): which applications
# are discussed (the triage line and its overrides) and their preliminary score.
# The agenda is the call's, hidden from no one: it is redacted per viewer when shown.
WHOLE_CALL = AnonymousUser()


def discussed_applications(call: Call) -> list[tuple[Application, float | None]]:
    """The applications marked for discussion with their preliminary (pre-discussion) score: the mean
    of their submitted reviews' weighted totals (0-100 goodness, higher is better). Best score first;
    unscored last; ties in the ranking's order."""
    rows = [row for row in ranking_for(call, WHOLE_CALL).rows if row.discussed]
    rows.sort(key=lambda row: (row.raw_mean is None, -(row.raw_mean or 0), row.rank))
    applications = Application.objects.in_bulk([row.application_id for row in rows])
    return [(applications[row.application_id], row.raw_mean) for row in rows]


@dataclass(frozen=True)
class AgendaRow:
    """One agenda item as a viewer may see it: ``item`` is None when the viewer is conflicted."""

    item_id: int  # to move the meeting to it; says nothing about the application
    position: int
    is_current: bool
    closed: bool
    item: MeetingItem | None
    shown_final_score: Decimal | None

    @property
    def conflicted(self) -> bool:
        return self.item is None


def agenda_for(meeting: PanelMeeting, viewer) -> list[AgendaRow]:
    """The agenda in order; items the viewer is conflicted with are redacted to their position."""
    items = meeting.items.select_related("application").order_by("position")
    conflicted = set(
        active_conflicts()
        .filter(reviewer=viewer, application__call_id=meeting.call_id)
        .values_list("application_id", flat=True)
    )
    return [
        AgendaRow(
            item_id=item.pk,
            position=item.position,
            is_current=item.pk == meeting.current_item_id,
            closed=item.discussed_at is not None,
            item=None if item.application_id in conflicted else item,
            shown_final_score=None
            if item.application_id in conflicted
            else shown_final_score(item.final_score, times_ten=meeting.show_times_ten),
        )
        for item in items
    ]


@dataclass(frozen=True)
class Tally:
    """Who of the eligible members has scored the current item. Values stay hidden until the item is
    closed, so the chair cannot steer the panel toward a figure while it is still scoring."""

    scored: list[User]
    waiting: list[User]
    scores: list[FinalScore]  # empty until the item is closed

    @property
    def eligible_count(self) -> int:
        return len(self.scored) + len(self.waiting)


def tally_of(item: MeetingItem) -> Tally:
    eligible = list(eligible_members(item))
    given = list(eligible_final_scores(item).order_by("member__full_name", "member_id"))
    scored_ids = {s.member_id for s in given}
    return Tally(
        scored=[m for m in eligible if m.pk in scored_ids],
        waiting=[m for m in eligible if m.pk not in scored_ids],
        scores=given if item.discussed_at is not None else [],
    )


def own_final_score(item: MeetingItem, member) -> FinalScore | None:
    if not member.is_authenticated:
        return None
    return item.final_scores.filter(member=member).first()
