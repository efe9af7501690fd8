"""Writing and reading reviews: drafts, versions, submission, n/a, phases, conflicts and audit."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import Invalid, NotAllowed, StateConflict
from reviews.models import Criterion, Review, ReviewPhase
from reviews.selectors_reviews import can_read_others_reviews, ranking_for_call, reviews_visible_to
from reviews.services.forms import activate_review_phase, apply_form_template
from reviews.services.reviewing import edit_submitted_review, save_review_draft, submit_review
from tests.factories import UserFactory
from tests.reviews.factories import (
    AssignmentFactory,
    ConflictFactory,
    CriterionFactory,
    ReviewFormFactory,
    ReviewPhaseFactory,
    SubmittedApplicationFactory,
)

pytestmark = pytest.mark.django_db
LOWER = Criterion.Direction.LOWER_IS_BETTER
SEE = ReviewPhase.SeeOthers


@pytest.fixture
def form(call):
    form = ReviewFormFactory(call=call)
    CriterionFactory(form=form, key="impact", weight=Decimal("2"))  # 1-5, higher is better
    CriterionFactory(form=form, key="method", scale_min=1, scale_max=9, direction=LOWER)
    CriterionFactory(form=form, key="involvement", required=False, allow_not_applicable=True)
    return form


@pytest.fixture
def phase(call):
    return ReviewPhaseFactory(call=call, see_others=SEE.AFTER_OWN)


@pytest.fixture
def application(call, form, phase):
    return SubmittedApplicationFactory(call=call)


@pytest.fixture
def mine(application):
    return AssignmentFactory(application=application, reviewer__full_name="Rita Reviewer")


@pytest.fixture
def theirs(application):
    return AssignmentFactory(application=application, reviewer__full_name="Otto Other")


FULL = {"impact": 4, "method": 3, "involvement": "na"}


def submitted(assignment, scores=FULL, overall=4) -> Review:
    review = save_review_draft(assignment=assignment, by=assignment.reviewer, scores=scores, overall=overall)
    return submit_review(review=review, by=assignment.reviewer)


def verbs(review) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(review.pk), verb__startswith="review.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_a_draft_keeps_raw_scores_and_no_total(mine):
    review = save_review_draft(
        assignment=mine, by=mine.reviewer, scores={"impact": 4, "method": None}, strengths=" Clear aims "
    )
    review.refresh_from_db()
    assert (review.status, review.version, review.weighted_total) == (Review.Status.DRAFT, 1, None)
    assert review.strengths == "Clear aims"
    assert sorted((s.criterion.key, s.value, s.not_applicable) for s in review.scores.all()) == [
        ("impact", 4, False),
        ("involvement", None, False),
        ("method", None, False),
    ]
    assert verbs(review) == ["review.draft_saved"]


def test_a_stale_version_is_refused_visibly(mine):
    review = save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": 2})
    save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": 3}, version=1)  # tab one
    with pytest.raises(StateConflict, match="another tab") as raised:  # tab two still holds version 1
        save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": 5}, version=1)
    assert raised.value.status_code == 409
    review.refresh_from_db()
    assert review.version == 2
    assert review.scores.get(criterion__key="impact").value == 3


def test_submission_needs_every_required_criterion_and_the_overall_score(mine):
    review = save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": 4})
    with pytest.raises(Invalid) as raised:
        submit_review(review=review, by=mine.reviewer)
    assert raised.value.field_errors == {
        "method": ["This criterion is required."],
        "overall": ["Give an overall score."],
    }
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT


def test_submitting_computes_the_weighted_total_with_na_left_out(mine):
    review = submitted(mine, overall=1)
    # impact 4 → 75 (weight 2); method 3 on 1-9, lower is better → (9-3)/8 = 75 (weight 1);
    # involvement n/a → left out: (2·75 + 1·75) / 3 = 75. The overall score (1) is not in it.
    assert (review.status, review.weighted_total, review.overall_score) == (Review.Status.SUBMITTED, 75.0, 1)
    assert review.submitted_at is not None
    assert verbs(review) == ["review.draft_saved", "review.submitted"]
    event = AuditEvent.objects.get(verb="review.submitted")
    assert event.after["scores"] == {"impact": 4, "method": 3, "involvement": "na"}


def test_not_applicable_only_where_the_criterion_allows_it(mine):
    with pytest.raises(Invalid) as raised:
        save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": "na", "method": 10})
    impact, method = Criterion.objects.get(key="impact"), Criterion.objects.get(key="method")
    assert raised.value.field_errors == {
        "impact": [f"“{impact.label}” cannot be marked not applicable."],
        "method": [f"Give “{method.label}” a score from 1 to 9."],
    }
    assert not Review.objects.exists()


def test_only_the_assigned_reviewer_writes_and_only_while_the_phase_allows(mine, phase):
    with pytest.raises(NotAllowed, match="assigned reviewer"):
        save_review_draft(assignment=mine, by=UserFactory(), scores={"impact": 3})
    phase.can_write = False
    phase.save()
    with pytest.raises(NotAllowed, match="cannot be written"):
        save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": 3})
    assert not Review.objects.exists()


def test_before_submitting_their_own_review_a_reviewer_cannot_read_others_after_they_can(
    mine, theirs, application
):
    other = submitted(theirs)
    own = save_review_draft(assignment=mine, by=mine.reviewer, scores={"impact": 5})
    verdict = can_read_others_reviews(mine.reviewer, application)
    assert not verdict
    assert verdict.reason == "Submit your own review first; then you can read the others'."
    assert list(reviews_visible_to(mine.reviewer, application)) == [own]

    own = save_review_draft(assignment=mine, by=mine.reviewer, scores=FULL, overall=3, version=own.version)
    own = submit_review(review=own, by=mine.reviewer)
    assert can_read_others_reviews(mine.reviewer, application)
    assert sorted(r.pk for r in reviews_visible_to(mine.reviewer, application)) == sorted([own.pk, other.pk])


def test_in_a_never_phase_nobody_reads_others_even_after_submitting(mine, theirs, application, phase):
    phase.see_others = SEE.NEVER
    phase.save()
    submitted(theirs)
    own = submitted(mine)
    assert not can_read_others_reviews(mine.reviewer, application)
    assert list(reviews_visible_to(mine.reviewer, application)) == [own]


def test_a_conflicted_reviewer_never_reads_reviews(mine, theirs, application, phase):
    phase.see_others = SEE.ALWAYS
    phase.save()
    submitted(theirs)
    submitted(mine)
    assert can_read_others_reviews(mine.reviewer, application)
    ConflictFactory(application=application, reviewer=mine.reviewer)
    assert not can_read_others_reviews(mine.reviewer, application)
    assert list(reviews_visible_to(mine.reviewer, application)) == []


def test_editing_a_submitted_review_is_audited_with_before_and_after(mine, phase):
    review = submitted(mine)
    review = edit_submitted_review(
        review=review, by=mine.reviewer, scores={**FULL, "impact": 5}, overall=5, version=review.version
    )
    # impact 5 → 100 (weight 2), method 75: (200 + 75) / 3
    assert review.weighted_total == pytest.approx(275 / 3)
    event = AuditEvent.objects.get(verb="review.edited")
    assert (event.before["scores"]["impact"], event.after["scores"]["impact"]) == (4, 5)
    assert (event.before["overall"], event.after["overall"]) == (4, 5)
    phase.can_write = False
    phase.save()
    with pytest.raises(NotAllowed):
        edit_submitted_review(review=review, by=mine.reviewer, scores=FULL, overall=2, version=review.version)
    review.refresh_from_db()
    assert review.overall_score == 5


def test_staff_apply_the_nih_template(call, staff):
    with pytest.raises(NotAllowed):
        apply_form_template(call=call, template="nih", audience="scientific", by=UserFactory())
    form = apply_form_template(call=call, template="nih", audience="scientific", by=staff)
    assert [
        (c.key, c.scale_min, c.scale_max, c.direction, c.counts_toward_total) for c in form.criteria.all()
    ] == [
        ("importance", 1, 9, LOWER, True),
        ("rigor_feasibility", 1, 9, LOWER, True),
        ("expertise_resources", 0, 1, Criterion.Direction.HIGHER_IS_BETTER, False),
    ]
    assert (form.overall_min, form.overall_max, form.overall_direction) == (1, 9, LOWER)
    assert AuditEvent.objects.filter(verb="review.form_applied", target_id=str(form.pk)).count() == 1
    with pytest.raises(Invalid, match="no criteria for lay"):
        apply_form_template(call=call, template="nih", audience="lay", by=staff)


def test_one_phase_is_active_at_a_time(call, staff, phase):
    reading = ReviewPhaseFactory(call=call, name="Reading", active=False, see_others=SEE.ALWAYS)
    activate_review_phase(phase=reading, by=staff)
    assert list(ReviewPhase.objects.filter(call=call, active=True)) == [reading]


def test_the_ranking_shows_raw_and_normalised_side_by_side(call, mine, theirs, application):
    submitted(mine)
    submitted(theirs, scores={"impact": 2, "method": 9}, overall=2)  # (2·25 + 0) / 3 = 16.67
    ranking = ranking_for_call(call)
    (row,) = ranking.rows
    assert row.raw_mean == pytest.approx((75 + 50 / 3) / 2)
    assert row.statistics.disagreement is True
    assert ranking.flagged_reviewers == {mine.reviewer_id, theirs.reviewer_id}  # one review each: raw
    assert row.normalised_mean == pytest.approx(row.raw_mean)
    assert (row.raw_percentile, row.normalised_percentile) == (100.0, 100.0)
