"""Process analytics against hand-counted figures: applications and success rates (per call, country
and applicant history), reviewer timeliness and load, conflicts declared and detected."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from portfolio.selectors_process import History, process_analytics
from reviews.models import Assignment, Conflict, ReviewerProfile
from tests.applications.factories import ApplicationFactory
from tests.factories import InstitutionFactory, UserFactory
from tests.reviews.factories import AssignmentFactory, ReviewerProfileFactory, SubmittedReviewFactory


@pytest.fixture
def process(world):
    """On top of the world: Quinn (Italy) applies to both calls without success; a withdrawn and a
    draft application that do not count; four assignments and three conflicts on the planning call."""
    now = timezone.now()
    turin = InstitutionFactory(name="University of Turin", country="IT")
    quinn = UserFactory(full_name="Quinn Newcomer", institution=turin)
    for call, days_ago in ((world.planning_call, 500), (world.network_call, 200)):
        ApplicationFactory(
            call=call,
            pi=quinn,
            institution=turin,
            status=Application.Status.SUBMITTED,
            submitted_at=now - timedelta(days=days_ago),
            reference=f"{call.program.code}-Q",
        )
    ApplicationFactory(call=world.planning_call, status=Application.Status.WITHDRAWN, submitted_at=now)
    ApplicationFactory(call=world.planning_call)

    call = world.planning_call
    published = now - timedelta(days=30)
    call.review_due_at = now - timedelta(days=20)
    call.save(update_fields=["review_due_at"])
    rita = ReviewerProfileFactory(user__full_name="Rita Reviewer").user
    lara = ReviewerProfileFactory(user__full_name="Lara Lay", kind=ReviewerProfile.Kind.LAY).user
    a1, a2 = world.awards["A1"].application, world.awards["A2"].application
    on_time = AssignmentFactory(application=a1, reviewer=rita, due_at=None, published_at=published)
    SubmittedReviewFactory(assignment=on_time, submitted_at=published + timedelta(days=2))
    late = AssignmentFactory(
        application=a2, reviewer=lara, due_at=published + timedelta(days=5), published_at=published
    )
    SubmittedReviewFactory(assignment=late, submitted_at=published + timedelta(days=10))
    AssignmentFactory(
        application=a2, reviewer=rita, due_at=published + timedelta(days=1), published_at=published
    )
    AssignmentFactory(application=a1, reviewer=UserFactory(), state=Assignment.State.DECLINED)

    conflict = {"reason": "Evidence.", "kind": Conflict.Kind.OTHER}
    Conflict.objects.create(application=a1, reviewer=lara, source=Conflict.Source.DECLARED, **conflict)
    Conflict.objects.create(
        application=a2, reviewer=world.member, source=Conflict.Source.DETECTED, **conflict
    )
    Conflict.objects.create(
        application=a1, reviewer=world.member, source=Conflict.Source.DETECTED, lifted=True, **conflict
    )
    return world


def tables(call=None):
    return {table.key: table for table in process_analytics(call=call)}


def test_success_rates_per_call_and_country(process):
    t = tables()

    assert t["calls"].rows == [
        ["Network Awards 2026", "Collaborative Network Awards", 2, 1, 0.5, 0],
        ["Planning Grants 2025", "Planning Grants", 4, 3, 0.75, 1],
    ]
    assert t["calls"].footer == ["All calls shown", "", 6, 4, 4 / 6, 1]
    assert t["countries"].rows == [["Italy", 3, 1, 1 / 3], ["United Kingdom", 3, 3, 1.0]]


def test_applicant_history_stands_in_for_career_stage(process):
    history = tables()["history"]

    assert history.rows == [
        [History.FIRST, 4, 3, 0.75],
        [History.RETURNING, 1, 0, 0.0],
        [History.HOLDER, 1, 1, 1.0],
    ]
    assert "records no career stage" in history.note


def test_reviewer_timeliness_load_and_conflicts(process):
    t = tables(process.planning_call)

    assert t["timeliness"].rows == [["Planning Grants 2025", 3, 2, 0.5, 6.0, 1]]
    assert t["load"].rows == [["Planning Grants 2025", 2, 1, 1.5, 1.5, 2, 1.0]]
    assert t["conflicts"].rows == [["Planning Grants 2025", 1, 2, 0, 0, 1]]


def test_the_page_shows_the_tables_and_downloads_each(process, client_for):
    client = client_for(process.staff)

    page = client.get(reverse("portfolio:analytics")).content.decode()
    response = client.get(reverse("portfolio:analytics"), {"call": "planning-2025", "export": "timeliness"})

    assert "Reviewer timeliness per call" in page
    assert 'role="img"' in page
    assert "75.0%" in page
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "Call",
            "Reviews assigned",
            "Submitted",
            "Submitted by the due date (%)",
            "Median days to submit",
            "Not submitted, past due",
        ],
        ["Planning Grants 2025", "3", "2", "50.0", "6.0", "1"],
    ]
