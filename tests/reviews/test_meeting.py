"""The panel meeting: conflicted members never see or score the current item, final-score arithmetic,
only the current item is scored, preliminary scores are kept, the agenda holds the discussed items in
order of preliminary score, and every service writes its audit row. The permission matrix of every
page and endpoint is in ``test_meeting_access``."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from applications.models import Application, Call, CommitteeMembership
from audit.models import AuditEvent
from core.errors import Invalid, NotAllowed, StateConflict
from reviews.final_scores import mean_final_score, shown_final_score
from reviews.models import Assignment, FinalScore, MeetingItem, PanelMeeting, Triage, TriageOverride
from reviews.services.meeting import (
    close_item,
    close_meeting,
    open_meeting,
    record_discussion_notes,
    record_final_score,
    set_current_item,
)
from tests.factories import CallFactory, CommitteeMembershipFactory, UserFactory
from tests.reviews.factories import (
    AssignmentFactory,
    ConflictFactory,
    SubmittedApplicationFactory,
    SubmittedReviewFactory,
)
from tests.reviews.review_world import TITLE, World

pytestmark = pytest.mark.django_db


@dataclass
class Panel:
    world: World
    meeting: PanelMeeting | None
    conflicted_member: object
    other_committee: object
    extra_members: list

    @property
    def call(self) -> Call:
        return self.world.call

    def item(self, application: Application) -> MeetingItem:
        return MeetingItem.objects.get(meeting__call=self.call, application=application)


def build_panel(world: World, *, opened: bool = True) -> Panel:
    """``application`` (80) and ``other`` (60) are both discussed; ``application`` comes first. Cora sits on
    the committee with a conflict on ``application``; Oliver sits on another call's committee."""
    for application, total in ((world.application, 80.0), (world.other, 60.0)):
        for assignment in Assignment.objects.filter(application=application).exclude(
            reviewer=world.conflicted
        ):
            SubmittedReviewFactory(assignment=assignment, weighted_total=total)
    Triage.objects.create(call=world.call, discuss_count=2)
    conflicted_member = CommitteeMembershipFactory(call=world.call, user__full_name="Cora Conflicted").user
    ConflictFactory(application=world.application, reviewer=conflicted_member)
    other_committee = CommitteeMembershipFactory(
        call=CallFactory(status=Call.Status.CLOSED), user__full_name="Oliver Elsewhere"
    ).user
    extra = [
        CommitteeMembershipFactory(call=world.call, user__full_name=name).user
        for name in ("Ann Second", "Ben Third")
    ]
    meeting = open_meeting(call=world.call, by=world.chair) if opened else None
    return Panel(world, meeting, conflicted_member, other_committee, extra)


@pytest.fixture
def panel(world) -> Panel:
    return build_panel(world)


# Conflicts: never seen, never scored.


def test_a_conflicted_member_cannot_score_the_current_item_and_nothing_is_stored(panel):
    item = panel.item(panel.world.application)
    events = AuditEvent.objects.count()
    with pytest.raises(NotAllowed, match="You are conflicted with this application"):
        record_final_score(item=item, member=panel.conflicted_member, score=1, by=panel.conflicted_member)
    assert FinalScore.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_conflicted_member_sees_only_that_they_are_conflicted_in_the_portal(panel, client_for):
    client = client_for(panel.conflicted_member)
    for url in (
        f"/review/calls/{panel.call.slug}/meeting/",
        f"/review/calls/{panel.call.slug}/meeting/current/",
    ):
        html = client.get(url).content.decode()
        assert "You are conflicted with the current item" in html
        assert TITLE not in html
        assert panel.world.application.reference not in html
        assert "Repairing myelin" not in html


def test_a_conflicted_member_cannot_score_through_the_portal_or_the_api(panel, client_for):
    item = panel.item(panel.world.application)
    portal = client_for(panel.conflicted_member).post(
        f"/review/calls/{panel.call.slug}/meeting/items/{item.pk}/score/", {"score": "2"}
    )
    api = client_for(panel.conflicted_member, api=True).post(
        f"/api/v1/calls/{panel.call.pk}/meeting/items/{item.pk}/scores/", {"score": "2"}, format="json"
    )
    assert (portal.status_code, api.status_code) == (403, 403)
    assert api.json() == {"detail": "You are conflicted with this application."}
    assert FinalScore.objects.count() == 0


def test_the_api_redacts_the_current_item_for_a_conflicted_member(panel, client_for):
    response = client_for(panel.conflicted_member, api=True).get(f"/api/v1/calls/{panel.call.pk}/meeting/")
    item = panel.item(panel.world.application)
    body = response.json()
    assert body["current"] == {
        "id": item.pk,
        "position": 1,
        "conflicted": True,
        "current": True,
        "closed": False,
    }
    assert body["agenda"][0] == body["current"]
    assert "scored_by" not in body
    assert TITLE not in response.content.decode()
    assert panel.world.application.reference not in response.content.decode()


def test_a_member_sees_the_current_item_and_can_score_it(panel, client_for):
    client = client_for(panel.world.member)
    html = client.get(f"/review/calls/{panel.call.slug}/meeting/").content.decode()
    assert TITLE in html
    assert "Repairing myelin" in html
    assert "Your final score (1\N{EN DASH}9, 1 is best)" in html
    item = panel.item(panel.world.application)
    response = client.post(
        f"/review/calls/{panel.call.slug}/meeting/items/{item.pk}/score/",
        {"score": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved: 2.0." in response.content.decode()
    assert list(FinalScore.objects.values_list("member", "score")) == [
        (panel.world.member.pk, Decimal("2.0"))
    ]


def test_the_poll_answers_204_until_the_current_item_changes(panel, client_for):
    client = client_for(panel.world.member)
    url = f"/review/calls/{panel.call.slug}/meeting/current/"
    item = panel.item(panel.world.application)
    assert client.get(url, {"seen": f"i{item.pk}-0-"}).status_code == 204
    set_current_item(meeting=panel.meeting, item=panel.item(panel.world.other), by=panel.world.chair)
    response = client.get(url, {"seen": f"i{item.pk}-0-"})
    assert response.status_code == 200
    assert "Fatigue in daily life" in response.content.decode()


def test_a_score_given_before_a_conflict_was_recorded_is_not_counted(panel):
    item = panel.item(panel.world.application)
    for member, score in zip(panel.extra_members, (2, 4), strict=True):
        record_final_score(item=item, member=member, score=score, by=member)
    late = panel.extra_members[1]
    ConflictFactory(application=panel.world.application, reviewer=late)
    item = close_item(item=item, by=panel.world.chair)
    assert item.final_score == Decimal("2.000")
    assert FinalScore.objects.filter(item=item).count() == 2  # kept, not counted


def test_a_conflicted_chair_cannot_take_notes_or_close_but_staff_can(panel):
    ConflictFactory(application=panel.world.application, reviewer=panel.world.chair)
    item = panel.item(panel.world.application)
    record_final_score(item=item, member=panel.world.member, score=3, by=panel.world.member)
    with pytest.raises(NotAllowed):
        record_discussion_notes(item=item, notes="Strong team.", by=panel.world.chair)
    with pytest.raises(NotAllowed):
        close_item(item=item, by=panel.world.chair)
    record_discussion_notes(item=item, notes="Strong team.", by=panel.world.staff)
    assert close_item(item=item, by=panel.world.staff).final_score == Decimal("3.000")


# Final-score arithmetic.


@pytest.mark.parametrize(
    ("scores", "mean", "times_ten", "plain"),
    [
        ([2, 3, 3], "2.667", "26.7", "2.67"),
        ([1, 2], "1.500", "15.0", "1.50"),
        (
            [Decimal("2.1"), Decimal("2.1"), Decimal("2.1"), Decimal("2.2")],
            "2.125",
            "21.3",
            "2.13",
        ),  # half up
        ([1] * 7 + [Decimal("1.1")], "1.013", "10.1", "1.01"),  # 1.0125: half up, not to even
        ([9], "9.000", "90.0", "9.00"),
    ],
)
def test_final_score_arithmetic(scores, mean, times_ten, plain):
    assert mean_final_score(scores) == Decimal(mean)
    assert shown_final_score(Decimal(mean), times_ten=True) == Decimal(times_ten)
    assert shown_final_score(Decimal(mean), times_ten=False) == Decimal(plain)


def test_no_scores_no_mean():
    assert mean_final_score([]) is None
    assert shown_final_score(None, times_ten=True) is None


def test_the_final_score_is_the_mean_of_the_eligible_members_scores(panel, client_for):
    item = panel.item(panel.world.application)
    for member, score in zip([panel.world.member, *panel.extra_members], (2, 3, 3), strict=True):
        record_final_score(item=item, member=member, score=score, by=member)
    with pytest.raises(NotAllowed):
        record_final_score(item=item, member=panel.conflicted_member, score=9, by=panel.conflicted_member)
    item = close_item(item=item, by=panel.world.chair)
    assert item.final_score == Decimal("2.667")
    assert item.discussed_at is not None
    body = client_for(panel.world.member, api=True).get(f"/api/v1/calls/{panel.call.pk}/meeting/").json()
    assert (body["current"]["final_score"], body["current"]["shown_final_score"]) == ("2.667", "26.7")
    html = client_for(panel.world.chair).get(f"/review/calls/{panel.call.slug}/meeting/").content.decode()
    assert "Final score: 26.7" in html
    assert "Ann Second: 3.0" in html


def test_scores_stay_hidden_from_the_chair_until_the_item_is_closed(panel, client_for):
    item = panel.item(panel.world.application)
    record_final_score(item=item, member=panel.world.member, score=7, by=panel.world.member)
    html = (
        client_for(panel.world.chair).get(f"/review/calls/{panel.call.slug}/meeting/tally/").content.decode()
    )
    assert "Scored: Mo Member." in html
    assert "Waiting for: Ann Second, Ben Third, Carla Chair." in html
    assert "7.0" not in html


def test_a_member_changes_their_score_until_the_item_is_closed(panel):
    item = panel.item(panel.world.application)
    member = panel.world.member
    record_final_score(item=item, member=member, score=4, by=member)
    record_final_score(item=item, member=member, score="3.5", by=member)
    assert list(FinalScore.objects.values_list("score", flat=True)) == [Decimal("3.5")]
    close_item(item=item, by=panel.world.chair)
    with pytest.raises(StateConflict, match="closed"):
        record_final_score(item=item, member=member, score=1, by=member)
    assert list(FinalScore.objects.values_list("score", flat=True)) == [Decimal("3.5")]


@pytest.mark.parametrize("score", [0, 10, "2.55", "nine", True, ""])
def test_a_score_outside_the_final_scale_is_refused(panel, score):
    item = panel.item(panel.world.application)
    with pytest.raises(Invalid, match="from 1 to 9"):
        record_final_score(item=item, member=panel.world.member, score=score, by=panel.world.member)
    assert FinalScore.objects.count() == 0


def test_members_score_for_themselves_only(panel):
    item = panel.item(panel.world.application)
    with pytest.raises(NotAllowed):
        record_final_score(item=item, member=panel.world.member, score=2, by=panel.world.chair)
    assert FinalScore.objects.count() == 0


def test_closing_needs_an_eligible_score(panel):
    with pytest.raises(StateConflict, match="No eligible member"):
        close_item(item=panel.item(panel.world.application), by=panel.world.chair)


# Only the current item; the preliminary score is kept.


def test_only_the_current_item_can_be_scored_or_closed(panel):
    other = panel.item(panel.world.other)
    with pytest.raises(StateConflict, match="current item"):
        record_final_score(item=other, member=panel.world.member, score=2, by=panel.world.member)
    with pytest.raises(StateConflict, match="current item"):
        close_item(item=other, by=panel.world.chair)
    set_current_item(meeting=panel.meeting, item=other, by=panel.world.chair)
    record_final_score(item=other, member=panel.world.member, score=2, by=panel.world.member)
    with pytest.raises(StateConflict, match="current item"):
        record_final_score(
            item=panel.item(panel.world.application),
            member=panel.world.member,
            score=2,
            by=panel.world.member,
        )
    assert list(FinalScore.objects.values_list("item", flat=True)) == [other.pk]


def test_the_preliminary_score_is_kept_after_the_final_score(panel):
    item = panel.item(panel.world.application)
    assert item.preliminary_score == 80.0
    record_final_score(item=item, member=panel.world.member, score=5, by=panel.world.member)
    item = close_item(item=item, by=panel.world.chair)
    item.refresh_from_db()
    assert (item.preliminary_score, item.final_score) == (80.0, Decimal("5.000"))


# The agenda.


def test_the_agenda_holds_the_discussed_items_best_preliminary_score_first(world):
    call = world.call
    scored = {}
    for title, total in (("Fifty", 50.0), ("Ninety", 90.0), ("Seventy", 70.0), ("Thirty", 30.0)):
        application = SubmittedApplicationFactory(call=call, title=title)
        SubmittedReviewFactory(assignment=AssignmentFactory(application=application), weighted_total=total)
        scored[title] = application
    # world.application and world.other have no review: ranked last. Six applications: the top three.
    meeting = open_meeting(call=call, by=world.chair)
    agenda = list(
        meeting.items.order_by("position").values_list("application__title", "position", "preliminary_score")
    )
    assert agenda == [("Ninety", 1, 90.0), ("Seventy", 2, 70.0), ("Fifty", 3, 50.0)]
    assert meeting.current_item.application == scored["Ninety"]


def test_triage_overrides_pull_items_in_and_set_them_aside(world):
    for application, total in ((world.application, 80.0), (world.other, 60.0)):
        assignment = Assignment.objects.get(
            application=application, reviewer__in=[world.reviewer, world.other_reviewer]
        )
        SubmittedReviewFactory(assignment=assignment, weighted_total=total)
    TriageOverride.objects.create(call=world.call, application=world.application, discuss=False)
    TriageOverride.objects.create(call=world.call, application=world.other, discuss=True)
    meeting = open_meeting(call=world.call, by=world.chair)
    assert list(meeting.items.values_list("application", flat=True)) == [world.other.pk]


def test_the_meeting_opens_once_and_only_for_a_closed_call(panel):
    with pytest.raises(StateConflict, match="in progress already"):
        open_meeting(call=panel.call, by=panel.world.chair)
    open_call = CallFactory()
    CommitteeMembershipFactory(call=open_call, user=panel.world.chair, role=CommitteeMembership.Role.CHAIR)
    with pytest.raises(StateConflict, match="closed for applications"):
        open_meeting(call=open_call, by=panel.world.chair)
    with pytest.raises(NotAllowed):
        open_meeting(call=open_call, by=UserFactory())


def test_the_meeting_closes_once_every_item_is_closed(panel):
    chair, member = panel.world.chair, panel.world.member
    with pytest.raises(StateConflict, match="still open: 1, 2"):
        close_meeting(meeting=panel.meeting, by=chair)
    for application in (panel.world.application, panel.world.other):
        item = panel.item(application)
        set_current_item(meeting=panel.meeting, item=item, by=chair)
        record_final_score(item=item, member=member, score=2, by=member)
        close_item(item=item, by=chair)
    meeting = close_meeting(meeting=panel.meeting, by=chair)
    assert (meeting.status, meeting.current_item) == (PanelMeeting.Status.CLOSED, None)


# Audit.


def test_every_action_writes_its_audit_row(panel):
    chair, member = panel.world.chair, panel.world.member
    item = panel.item(panel.world.application)
    record_discussion_notes(item=item, notes="  A strong team; the aims are vague.  ", by=chair)
    record_final_score(item=item, member=member, score=3, by=member)
    record_final_score(item=item, member=member, score=2, by=member)
    close_item(item=item, by=chair)
    set_current_item(meeting=panel.meeting, item=panel.item(panel.world.other), by=chair)
    rows = list(AuditEvent.objects.order_by("pk").values_list("verb", "actor", "before", "after"))
    assert [(verb, actor) for verb, actor, _, _ in rows] == [
        ("meeting.opened", chair.pk),
        ("meeting.notes_recorded", chair.pk),
        ("meeting.final_score_recorded", member.pk),
        ("meeting.final_score_recorded", member.pk),
        ("meeting.item_closed", chair.pk),
        ("meeting.current_item_set", chair.pk),
    ]
    assert rows[1][2:] == ({"notes": ""}, {"notes": "A strong team; the aims are vague."})
    assert rows[3][2:] == ({"score": "3.0"}, {"score": "2.0"})
    assert rows[4][3] == {"final_score": "2.000", "shown": "20.0", "preliminary_score": 80.0}
