"""Regression tests of information leaks: a committee member or chair with a conflict never learns
anything of that application, not its data, not its existence, not its position. Staff see it all.
``application`` is ranked first (80), ``other`` second (60); the line is at its default (the top 1)."""

import pytest

from reviews.models import Assignment, AssignmentRun, Triage, TriageOverride
from reviews.selectors_assignment import run_summary
from tests.reviews.factories import (
    AssignmentFactory,
    AssignmentRunFactory,
    ConflictFactory,
    SubmittedReviewFactory,
)
from tests.reviews.review_world import TITLE, World
from tests.reviews.test_meeting import build_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(world) -> World:
    for application, total in ((world.application, 80.0), (world.other, 60.0)):
        assignment = (
            Assignment.objects.filter(application=application).exclude(reviewer=world.conflicted).first()
        )
        SubmittedReviewFactory(assignment=assignment, weighted_total=total)
    return world


def ranking_api(client, world):
    return client.get(f"/api/v1/calls/{world.call.pk}/ranking/").json()


# 1. The ranking's triage line, over the rows the viewer sees.


def test_the_ranking_line_says_nothing_of_a_hidden_item_above(ranked, client_for):
    w = ranked
    ConflictFactory(application=w.application, reviewer=w.member)
    data = ranking_api(client_for(w.member, api=True), w)
    assert [(r["reference"], r["rank"], r["above_line"]) for r in data["results"]] == [
        (w.other.reference, 1, False)
    ]
    # The line over what the member sees: nothing above it (not the call's 1, which places a hidden item).
    assert data["discuss_count"] == sum(r["above_line"] for r in data["results"]) == 0
    assert data["line_is_default"] is False  # the top half of one row would be that row
    # Whoever sees everything keeps the true line.
    for viewer in (w.chair, w.staff):
        data = ranking_api(client_for(viewer, api=True), w)
        assert (data["discuss_count"], data["line_is_default"], data["count"]) == (1, True, 2)


def test_a_conflicted_chair_moves_the_line_over_the_rows_they_see(ranked, client_for):
    w = ranked
    ConflictFactory(application=w.application, reviewer=w.chair)
    client = client_for(w.chair)
    url = f"/review/calls/{w.call.slug}/ranking/"
    page = client.get(url).content.decode()
    assert 'placeholder="0"' in page
    assert 'placeholder="1"' not in page
    assert client.post(url + "line/", {"move": "down"}).status_code == 302
    assert Triage.objects.get(call=w.call).discuss_count == 2  # `other` now above the line
    assert ranking_api(client_for(w.chair, api=True), w)["discuss_count"] == 1
    # Beyond the rows they see: refused in the same words as beyond the call, with no total.
    mine = client.post(url + "line/", {"discuss_count": "2"}).content.decode()
    theirs = client_for(w.staff).post(url + "line/", {"discuss_count": "3"}).content.decode()
    message = "The line cannot leave more applications above it than the ranking has."
    assert message in mine
    assert message in theirs
    api = client_for(w.chair, api=True).post(f"/api/v1/calls/{w.call.pk}/triage/", {"discuss_count": 0})
    assert (api.status_code, api.json()["discuss_count"]) == (200, 0)
    assert Triage.objects.get(call=w.call).discuss_count == 0
    assert (
        client_for(w.chair, api=True)
        .post(f"/api/v1/calls/{w.call.pk}/triage/", {"discuss_count": 2})
        .status_code
        == 400
    )
    assert (
        "2"
        not in client_for(w.staff, api=True)
        .post(f"/api/v1/calls/{w.call.pk}/triage/", {"discuss_count": 3})
        .json()["detail"]
    )


# 2. Assignment pages and API: a conflicted chair never sees the conflicted application.


def test_a_conflicted_chair_sees_no_assignment_of_the_conflicted_application(world, client_for):
    ConflictFactory(application=world.application, reviewer=world.chair)
    run = AssignmentRunFactory(call=world.call)
    AssignmentFactory(
        application=world.application, reviewer=world.other_reviewer, run=run, state=Assignment.State.PROPOSED
    )
    AssignmentFactory(
        application=world.other, reviewer=world.reviewer, run=run, state=Assignment.State.PROPOSED
    )

    listed = client_for(world.chair, api=True).get("/api/v1/assignments/").content.decode()
    assert world.other.reference in listed
    assert world.application.reference not in listed
    assert TITLE not in listed
    assert (
        world.application.reference
        in client_for(world.staff, api=True).get("/api/v1/assignments/").content.decode()
    )

    summary = run_summary(run, world.chair)
    assert [row.application for row in summary.applications] == [world.other]
    assert {(e.reviewer, e.load) for e in summary.reviewers if e.load} == {(world.reviewer, 1)}
    assert {row.application for row in run_summary(run, world.staff).applications} == {
        world.application,
        world.other,
    }
    detail = client_for(world.chair, api=True).get(f"/api/v1/assignment-runs/{run.pk}/").json()
    assert [row["reference"] for row in detail["summary"]["applications"]] == [world.other.reference]
    body = str(detail["summary"])
    assert world.application.reference not in body
    assert TITLE not in body
    page = client_for(world.chair).get(f"/review/runs/{run.pk}/").content.decode()
    assert world.other.reference in page
    assert world.application.reference not in page
    assert TITLE not in page
    assert run.status == AssignmentRun.Status.PROPOSED


# 3. Triage override by id: a conflicted item answers like an unknown one.


def test_overriding_a_conflicted_item_answers_404(world, client_for):
    ConflictFactory(application=world.application, reviewer=world.chair)
    page = client_for(world.chair).post(
        f"/review/calls/{world.call.slug}/ranking/{world.application.pk}/triage/", {"action": "discuss"}
    )
    api = client_for(world.chair, api=True).post(
        f"/api/v1/calls/{world.call.pk}/triage/",
        {"application": world.application.pk, "discuss": True},
        format="json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    assert "conflict" not in page.content.decode().lower() + api.content.decode().lower()
    assert not TriageOverride.objects.exists()
    staff = client_for(world.staff, api=True).post(
        f"/api/v1/calls/{world.call.pk}/triage/",
        {"application": world.application.pk, "discuss": True},
        format="json",
    )
    assert staff.status_code == 200
    assert TriageOverride.objects.filter(application=world.application, discuss=True).exists()


# 4. The meeting API: the chair's notes and who has scored, for whoever runs the meeting only.


def test_only_whoever_runs_the_meeting_gets_notes_and_who_has_scored(world, client_for):
    panel = build_panel(world)
    item = panel.item(world.application)
    item.discussion_notes = "Chair's private note"
    item.save(update_fields=["discussion_notes"])
    url = f"/api/v1/calls/{world.call.pk}/meeting/"
    member = client_for(world.member, api=True).get(url)
    body = member.json()
    assert body["current"]["title"] == TITLE
    assert "notes" not in body["current"]
    assert all("notes" not in row for row in body["agenda"])
    assert "scored_by" not in body
    assert "private note" not in member.content.decode()
    for runner in (world.chair, world.staff):
        body = client_for(runner, api=True).get(url).json()
        assert body["current"]["notes"] == "Chair's private note"
        assert body["scored_by"] == []


def test_the_worst_served_application_is_not_named_to_a_chair_conflicted_with_it(world, client_for):
    ConflictFactory(application=world.application, reviewer=world.chair)
    run = AssignmentRunFactory(call=world.call, status=AssignmentRun.Status.PROPOSED)
    AssignmentRun.objects.filter(pk=run.pk).update(worst_application=world.application, worst_affinity=0.1)

    for path in (f"/api/v1/assignment-runs/{run.pk}/", f"/api/v1/calls/{world.call.pk}/assignment-runs/"):
        body = client_for(world.chair, api=True).get(path)
        assert body.status_code == 200
        assert world.application.reference not in body.content.decode()
    staff_view = client_for(world.staff, api=True).get(f"/api/v1/assignment-runs/{run.pk}/").json()
    assert staff_view["worst_application"] == world.application.reference
