"""The reviewer workspace: access, autosave with versions, submission, phase rules, decline and
conflict from the page, the "My assignments" statuses, and what the applicant never sees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from reviews.models import Assignment, Conflict, Review, ReviewPhase
from reviews.services.reviewing import save_review_draft, submit_review
from tests.reviews.factories import (
    AssignmentFactory,
    ReviewPhaseFactory,
    SubmittedApplicationFactory,
    workspace_form,
)
from tests.reviews.review_world import ACTORS, TITLE

pytestmark = pytest.mark.django_db
SEE = ReviewPhase.SeeOthers
HTMX = {"HTTP_HX_REQUEST": "true"}
FULL = {"score-impact": "4", "score-method": "3", "score-involvement": "na", "overall": "4"}


@pytest.fixture
def setup(world):
    """The world with a form and the blind-first reading phase (others' reviews after one's own)."""
    workspace_form(world.call)
    world.phase = ReviewPhaseFactory(call=world.call, name="Reading", see_others=SEE.AFTER_OWN)
    world.mine = Assignment.objects.get(application=world.application, reviewer=world.reviewer)
    return world


def url(assignment, suffix: str = "") -> str:
    return f"/review/assignments/{assignment.pk}/{suffix}"


def autosave(client, assignment, version="", **fields):
    return client.post(url(assignment, "save/"), {"version": version, **fields}, **HTMX)


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_assigned_reviewer_opens_the_workspace(setup, actor, client_for):
    expected = {"anonymous": 302, "reviewer": 200}.get(actor, 404)
    response = client_for(setup.actor(actor)).get(url(setup.mine))
    assert response.status_code == expected
    if actor == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_the_conflicted_reviewer_gets_404_for_their_own_assignment(setup, client_for):
    theirs = Assignment.objects.get(application=setup.application, reviewer=setup.conflicted)
    client = client_for(setup.conflicted)
    assert client.get(url(theirs)).status_code == 404
    assert autosave(client, theirs, strengths="x").status_code == 404
    assert not Review.objects.filter(assignment=theirs).exists()


@pytest.mark.parametrize("state", [Assignment.State.PROPOSED, Assignment.State.DECLINED])
def test_unpublished_assignments_are_404(setup, state, client_for):
    Assignment.objects.filter(pk=setup.mine.pk).update(state=state)
    assert client_for(setup.reviewer).get(url(setup.mine)).status_code == 404


def test_the_page_shows_the_application_beside_the_form(setup, client_for):
    page = client_for(setup.reviewer).get(url(setup.mine)).content.decode()
    assert TITLE in page
    assert "Repairing myelin." in page
    assert f"/applications/{setup.application.pk}/attachments/{setup.attachment.pk}/" in page
    assert "How much would this change the lives of people with MS?" in page
    assert "Transformative" in page
    assert "Not applicable" in page
    assert "0 of 1 done" in page
    assert 'hx-trigger="input changed delay:800ms, change, autosave-retry"' in page
    assert setup.mine.due_at.strftime("%Y-%m-%d") in page


def test_autosave_saves_and_raises_the_version(setup, client_for):
    client = client_for(setup.reviewer)
    first = autosave(client, setup.mine, **{"score-impact": "4", "strengths": "Clear aims"})
    assert first.status_code == 200
    assert "Saved at" in first.content.decode()
    assert 'id="review-version" value="1" hx-swap-oob="true"' in first.content.decode()
    second = autosave(client, setup.mine, version="1", **{"score-impact": "5", "strengths": "Clearer"})
    assert second.status_code == 200
    review = Review.objects.get(assignment=setup.mine)
    assert (review.version, review.status, review.strengths) == (2, Review.Status.DRAFT, "Clearer")
    assert [(s.criterion.key, s.value) for s in review.scores.order_by("criterion__position")] == [
        ("impact", 5),
        ("method", None),
        ("involvement", None),
    ]


def test_a_stale_version_is_refused_and_nothing_is_overwritten(setup, client_for):
    """Two tabs loaded version 1; the first saves, the second's save is refused."""
    client = client_for(setup.reviewer)
    autosave(client, setup.mine, strengths="Loaded in both tabs")
    assert autosave(client, setup.mine, version="1", strengths="Tab one").status_code == 200
    response = autosave(client, setup.mine, version="1", strengths="Tab two")
    assert response.status_code == 409
    assert (
        "This review changed in another tab or window; reload to see the latest" in response.content.decode()
    )
    review = Review.objects.get(assignment=setup.mine)
    assert (review.version, review.strengths) == (2, "Tab one")
    # Without JavaScript the same: the page says so and keeps what was typed.
    page = client.post(url(setup.mine), {"version": "1", "strengths": "Tab three", "action": "save"})
    assert page.status_code == 409
    assert "Tab three" in page.content.decode()
    assert Review.objects.get(assignment=setup.mine).strengths == "Tab one"


def test_the_draft_survives_a_reload(setup, client_for):
    client = client_for(setup.reviewer)
    autosave(client, setup.mine, **{"score-impact": "3", "score-method": "7", "weaknesses": "Small sample"})
    page = client.get(url(setup.mine)).content.decode()
    assert "Small sample" in page
    assert 'name="score-impact" value="3" checked' in page
    assert 'name="score-method" value="7" checked' in page
    assert 'id="review-version" value="1"' in page


def test_saving_without_javascript(setup, client_for):
    client = client_for(setup.reviewer)
    response = client.post(url(setup.mine), {"version": "", "strengths": "Plain form", "action": "save"})
    assert response.status_code == 302
    assert Review.objects.get(assignment=setup.mine).strengths == "Plain form"


def test_submit_lists_the_errors_and_loses_nothing(setup, client_for):
    client = client_for(setup.reviewer)
    response = client.post(
        url(setup.mine), {"version": "", "score-impact": "4", "strengths": "Keep me", "action": "submit"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Complete the required scores before submitting." in page
    assert page.count("This criterion is required.") == 2  # in the summary and beside "method"
    assert "Give an overall score." in page
    assert "Keep me" in page
    review = Review.objects.get(assignment=setup.mine)
    assert (review.status, review.strengths, review.version) == (Review.Status.DRAFT, "Keep me", 1)
    assert f'value="{review.version}"' in page
    done = client.post(url(setup.mine), {"version": "1", **FULL, "action": "submit"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert "1 of 1 done" in client.get(url(setup.mine)).content.decode()


def test_an_invalid_score_is_reported_by_autosave(setup, client_for):
    response = autosave(client_for(setup.reviewer), setup.mine, **{"score-impact": "8"})
    assert response.status_code == 400
    assert "Give “Impact” a score from 1 to 5." in response.content.decode()
    assert not Review.objects.filter(assignment=setup.mine).exists()


def _submit(assignment, *, strengths="", confidential=""):
    review = save_review_draft(
        assignment=assignment,
        by=assignment.reviewer,
        scores={"impact": 4, "method": 3},
        overall=4,
        strengths=strengths,
        confidential_comments=confidential,
    )
    return submit_review(review=review, by=assignment.reviewer)


def _second_review(world):
    second = AssignmentFactory(application=world.application, reviewer=world.other_reviewer)
    _submit(second, strengths="Strengths by Otto", confidential="Secret note by Otto")
    return second


def test_others_reviews_appear_after_ones_own_in_the_reading_phase(setup, client_for):
    _second_review(setup)
    client = client_for(setup.reviewer)
    before = client.get(url(setup.mine)).content.decode()
    assert "Strengths by Otto" not in before
    assert "Submit your own review first" in before
    client.post(url(setup.mine), {"version": "", **FULL, "action": "submit"})
    after = client.get(url(setup.mine)).content.decode()
    assert "Strengths by Otto" in after
    assert "Otto Other" not in after  # names hidden in this phase
    assert "Secret note by Otto" not in after  # confidential comments are the committee's


def test_names_show_when_the_phase_allows(setup, client_for):
    ReviewPhase.objects.filter(pk=setup.phase.pk).update(see_others=SEE.ALWAYS, see_reviewer_names=True)
    _second_review(setup)
    page = client_for(setup.reviewer).get(url(setup.mine)).content.decode()
    assert "Otto Other" in page
    assert "Secret note by Otto" not in page


def test_a_never_phase_hides_others_even_after_submitting(setup, client_for):
    ReviewPhase.objects.filter(pk=setup.phase.pk).update(see_others=SEE.NEVER)
    _second_review(setup)
    _submit(setup.mine)
    page = client_for(setup.reviewer).get(url(setup.mine)).content.decode()
    assert "Strengths by Otto" not in page


def test_a_submitted_review_is_edited_only_while_the_phase_allows(setup, client_for):
    review = _submit(setup.mine)
    client = client_for(setup.reviewer)
    assert "Save changes" in client.get(url(setup.mine)).content.decode()
    edit = {"version": str(review.version), **FULL, "overall": "5", "action": "edit"}
    assert client.post(url(setup.mine), edit).status_code == 302
    review.refresh_from_db()
    assert (review.overall_score, review.status) == (5, Review.Status.SUBMITTED)
    assert AuditEvent.objects.filter(verb="review.edited", target_id=str(review.pk)).count() == 1
    ReviewPhase.objects.filter(pk=setup.phase.pk).update(can_write=False)
    page = client.get(url(setup.mine)).content.decode()
    assert "Save changes" not in page
    assert "cannot be written or changed" in page
    refused = client.post(url(setup.mine), {**edit, "version": str(review.version), "overall": "2"})
    assert refused.status_code == 403
    review.refresh_from_db()
    assert review.overall_score == 5


def test_save_and_next_goes_to_the_next_unfinished_assignment(setup, client_for):
    done = AssignmentFactory(
        application=SubmittedApplicationFactory(call=setup.call), reviewer=setup.reviewer
    )
    _submit(done)
    following = AssignmentFactory(
        application=SubmittedApplicationFactory(call=setup.call), reviewer=setup.reviewer
    )
    client = client_for(setup.reviewer)
    assert "1 of 3 done" in client.get(url(setup.mine)).content.decode()
    response = client.post(url(setup.mine), {"version": "", "strengths": "Next!", "action": "save_next"})
    assert response.status_code == 302
    assert response["Location"] == url(following)


def test_decline_with_a_reason(setup, client_for):
    client = client_for(setup.reviewer)
    assert client.post(url(setup.mine, "decline/"), {"decline-reason": ""}).status_code == 400
    response = client.post(url(setup.mine, "decline/"), {"decline-reason": "Travelling all month"})
    assert response.status_code == 302
    setup.mine.refresh_from_db()
    assert (setup.mine.state, setup.mine.decline_reason) == (
        Assignment.State.DECLINED,
        "Travelling all month",
    )
    assert AuditEvent.objects.filter(verb="assignment.declined", target_id=str(setup.mine.pk)).count() == 1
    assert client.get(url(setup.mine)).status_code == 404


def test_declaring_a_conflict_from_the_page_hides_the_application(setup, client_for):
    client = client_for(setup.reviewer)
    response = client.post(url(setup.mine, "conflict/"), {"coi-kind": "personal", "coi-reason": "My cousin"})
    assert response.status_code == 302
    assert Conflict.objects.filter(application=setup.application, reviewer=setup.reviewer).count() == 1
    assert client.get(url(setup.mine)).status_code == 404


def test_my_assignments_show_the_review_status_and_link_to_the_workspace(setup, client_for):
    second = AssignmentFactory(application=setup.other, reviewer=setup.reviewer)
    save_review_draft(assignment=second, by=setup.reviewer, scores={}, strengths="Started")
    page = client_for(setup.reviewer).get("/review/assignments/").content.decode()
    assert f'href="{url(setup.mine)}"' in page
    assert "Not started" in page
    assert "Draft" in page
    _submit(setup.mine)
    assert "Submitted" in client_for(setup.reviewer).get("/review/assignments/").content.decode()


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_my_assignments_with_reviews_use_a_constant_number_of_queries(setup, client_for):
    client = client_for(setup.reviewer)
    save_review_draft(assignment=setup.mine, by=setup.reviewer, scores={})
    client.get("/review/assignments/")
    one = _queries(client, "/review/assignments/")
    for _ in range(2):
        extra = AssignmentFactory(
            application=SubmittedApplicationFactory(call=setup.call), reviewer=setup.reviewer
        )
        save_review_draft(assignment=extra, by=setup.reviewer, scores={})
    three = _queries(client, "/review/assignments/")
    assert len(client.get("/review/assignments/").context["assignments"]) == 3
    assert three == one


def test_the_applicant_never_sees_reviewer_names_or_confidential_comments(setup, client_for):
    _submit(setup.mine, strengths="View by Rita", confidential="Secret note by Rita")
    _second_review(setup)
    applicant = client_for(setup.application.pi)
    page = applicant.get(f"/applications/{setup.application.pk}/")
    assert page.status_code == 200
    api = client_for(setup.application.pi, api=True).get(f"/api/v1/applications/{setup.application.pk}/")
    assert api.status_code == 200
    for text in (page.content.decode(), api.content.decode()):
        for secret in ("Rita Reviewer", "Otto Other", "Secret note by Rita", "Secret note by Otto"):
            assert secret not in text
    listed = client_for(setup.application.pi, api=True).get("/api/v1/reviews/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 0
