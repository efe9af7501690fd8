"""The permission matrix of every panel-meeting page and endpoint: anonymous, an applicant, a reviewer
not on the committee, a committee member, a committee member conflicted with the current item, the
chair, staff and a member of another call's committee. Exact status codes; a denial changes nothing."""

import pytest

from audit.models import AuditEvent
from reviews.models import FinalScore, MeetingItem, PanelMeeting
from reviews.services.meeting import close_item, record_final_score, set_current_item
from tests.reviews.test_meeting import Panel, build_panel

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "applicant",
    "reviewer",
    "member",
    "conflicted_member",
    "chair",
    "staff",
    "other_committee",
]
RUNNERS = {"chair", "staff"}
MEMBERS = {"member", "chair"}  # staff are not on the committee; the conflicted member is refused


def actor(panel: Panel, name: str):
    w = panel.world
    return {
        "anonymous": None,
        "applicant": w.application.pi,
        "reviewer": w.reviewer,
        "member": w.member,
        "conflicted_member": panel.conflicted_member,
        "chair": w.chair,
        "staff": w.staff,
        "other_committee": panel.other_committee,
    }[name]


def codes(ok: set[str], *, success: int, anonymous: int, refused: int = 403) -> dict[str, int]:
    """``ok`` actors get ``success``; other attendees ``refused``; outsiders 403 or 404."""
    out = {"anonymous": anonymous, "applicant": 404, "reviewer": 403, "other_committee": 404}
    for name in ("member", "conflicted_member", "chair", "staff"):
        out[name] = success if name in ok else refused
    return out


def current(p: Panel) -> MeetingItem:
    return MeetingItem.objects.get(meeting__call=p.call, application=p.world.application)


def second(p: Panel) -> MeetingItem:
    return MeetingItem.objects.get(meeting__call=p.call, application=p.world.other)


def member_scored(p: Panel) -> None:
    record_final_score(item=current(p), member=p.world.member, score=2, by=p.world.member)


def all_items_closed(p: Panel) -> None:
    member_scored(p)
    close_item(item=current(p), by=p.world.chair)
    set_current_item(meeting=p.meeting, item=second(p), by=p.world.chair)
    record_final_score(item=second(p), member=p.world.member, score=4, by=p.world.member)
    close_item(item=second(p), by=p.world.chair)


ATTENDEES = {"member", "conflicted_member", "chair", "staff"}
# name: (method, portal url, api url, who succeeds, portal success, api success, opened, prepare, data)
ENDPOINTS = {
    "meeting": ("get", "", "", ATTENDEES, 200, 200, True, None, None),
    "current": ("get", "current/", None, ATTENDEES, 200, None, True, None, None),
    "tally": ("get", "tally/", None, RUNNERS, 200, None, True, None, None),
    "open": ("post", "open/", "open/", RUNNERS, 302, 201, False, None, None),
    "move": (
        "post",
        lambda p: f"items/{second(p).pk}/current/",
        "current/",
        RUNNERS,
        302,
        200,
        True,
        None,
        lambda p: {"item": second(p).pk},
    ),
    "score": (
        "post",
        lambda p: f"items/{current(p).pk}/score/",
        lambda p: f"items/{current(p).pk}/scores/",
        MEMBERS,
        302,
        200,
        True,
        None,
        lambda p: {"score": "3"},
    ),
    "notes": (
        "post",
        lambda p: f"items/{current(p).pk}/notes/",
        lambda p: f"items/{current(p).pk}/notes/",
        RUNNERS,
        302,
        200,
        True,
        None,
        lambda p: {"notes": "Strong team."},
    ),
    "close item": (
        "post",
        lambda p: f"items/{current(p).pk}/close/",
        lambda p: f"items/{current(p).pk}/close/",
        RUNNERS,
        302,
        200,
        True,
        member_scored,
        None,
    ),
    "close meeting": ("post", "close/", "close/", RUNNERS, 302, 200, True, all_items_closed, None),
}


def snapshot(p: Panel) -> tuple:
    return (
        list(PanelMeeting.objects.values_list("status", "current_item", "closed_at")),
        list(
            MeetingItem.objects.order_by("pk").values_list(
                "position", "preliminary_score", "discussion_notes", "final_score", "discussed_at"
            )
        ),
        list(FinalScore.objects.order_by("pk").values_list("item", "member", "score")),
        AuditEvent.objects.count(),
    )


def _path(part, p: Panel) -> str:
    return part(p) if callable(part) else part


def _request(client, method: str, url: str, data, *, api: bool):
    if method == "get":
        return client.get(url)
    return client.post(url, data or {}, format="json") if api else client.post(url, data or {})


def _check(world, name: str, who: str, client_for, *, api: bool) -> None:
    method, portal, api_part, ok, portal_ok, api_ok, opened, prepare, data = ENDPOINTS[name]
    p = build_panel(world, opened=opened)
    if prepare:
        prepare(p)
    part = api_part if api else portal
    base = f"/api/v1/calls/{p.call.pk}/meeting/" if api else f"/review/calls/{p.call.slug}/meeting/"
    expected = codes(ok, success=api_ok if api else portal_ok, anonymous=403 if api else 302)[who]
    before = snapshot(p)
    response = _request(
        client_for(actor(p, who), api=api), method, base + _path(part, p), data and data(p), api=api
    )
    assert response.status_code == expected, response.content[:300]
    if who not in ok or method == "get":
        assert snapshot(p) == before
    else:
        assert snapshot(p) != before


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_portal_access(name, who, world, client_for):
    _check(world, name, who, client_for, api=False)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("name", [n for n, e in ENDPOINTS.items() if e[2] is not None])
def test_api_access(name, who, world, client_for):
    _check(world, name, who, client_for, api=True)


def test_the_meeting_endpoint_answers_404_before_the_meeting_is_opened(world, client_for):
    build_panel(world, opened=False)
    response = client_for(world.chair, api=True).get(f"/api/v1/calls/{world.call.pk}/meeting/")
    assert response.status_code == 404


def test_the_meeting_page_invites_the_chair_to_open_it(world, client_for):
    build_panel(world, opened=False)
    chair = client_for(world.chair).get(f"/review/calls/{world.call.slug}/meeting/").content.decode()
    member = client_for(world.member).get(f"/review/calls/{world.call.slug}/meeting/").content.decode()
    assert "Open the meeting" in chair
    assert "Open the meeting" not in member
    assert "The panel meeting has not started yet" in member
