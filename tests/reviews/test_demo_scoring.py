"""``manage.py demo`` scores the call in review: forms and phases, reviews through the services (a few
left as drafts or not started), a ranking that normalisation visibly changes, the triage with items
pulled back, and a panel meeting in progress. Running the demo again changes nothing."""

import statistics
from io import StringIO

from django.core.management import call_command

from accounts.models import User
from applications.models import Call
from audit.models import AuditEvent
from reviews import scoring
from reviews.demo_reviews import reviewer_leanings
from reviews.final_scores import mean_final_score
from reviews.models import (
    Assignment,
    Conflict,
    CriterionScore,
    FinalScore,
    MeetingItem,
    PanelMeeting,
    Review,
    ReviewForm,
    ReviewPhase,
    TriageOverride,
)
from reviews.selectors import active_conflict_pairs
from reviews.selectors_ranking import ranking_for

CALL = "Challenge Awards 2026"
CHAIR = "chair@granted.demo"
REVIEWER = "reviewer@granted.demo"
MODELS = [
    ReviewForm,
    ReviewPhase,
    Review,
    CriterionScore,
    TriageOverride,
    PanelMeeting,
    MeetingItem,
    FinalScore,
    Conflict,
    AuditEvent,
]


def _call() -> Call:
    return Call.objects.get(title=CALL)


def _submitted(call: Call):
    return Review.objects.filter(form__call=call, status=Review.Status.SUBMITTED)


def test_forms_and_phases(demo):
    call = _call()
    assert dict(ReviewForm.objects.filter(call=call).values_list("audience", "template")) == {
        "scientific": "nih",
        "lay": "lay",
    }
    phases = list(call.review_phases.order_by("position"))
    assert [p.name for p in phases] == ["Independent review", "Reading", "Panel discussion"]
    assert [p.active for p in phases] == [False, True, False]
    # Each reviewer wrote on the form of their kind.
    for review in _submitted(call).select_related("form", "assignment__reviewer__reviewer_profile")[:100]:
        assert review.form.audience == review.assignment.reviewer.reviewer_profile.kind


def test_submitted_reviews_have_totals_and_texts(demo):
    call = _call()
    published = Assignment.objects.filter(call=call, state=Assignment.State.PUBLISHED)
    submitted = _submitted(call).filter(assignment__in=published)
    assert submitted.count() >= 500
    totals = list(submitted.values_list("weighted_total", flat=True))
    assert all(t is not None and 0 <= t <= 100 for t in totals)
    assert statistics.pstdev(totals) > 10  # the merit and the reviewers differ
    assert not submitted.filter(overall_score__isnull=True).exists()
    assert not submitted.filter(strengths="").exists()
    assert not submitted.filter(comments_to_applicant="").exists()
    assert not submitted.filter(confidential_comments="").exists()
    # NIH: 1-9 with 1 best, so the best totals come with low raw scores.
    best = submitted.filter(form__template="nih").order_by("-weighted_total").first()
    assert set(best.scores.filter(criterion__key="importance").values_list("value", flat=True)) <= {1, 2, 3}
    # Through the services: a draft saved and a submission recorded for each.
    assert AuditEvent.objects.filter(verb="review.submitted").count() == submitted.count()
    # Some left unfinished, for the reminders and the progress bars.
    drafts = Review.objects.filter(form__call=call, status=Review.Status.DRAFT)
    assert drafts.count() >= 5
    assert not drafts.filter(weighted_total__isnull=False).exists()
    assert published.filter(review__isnull=True).count() >= 5


def test_the_demo_reviewer_has_unfinished_assignments(demo):
    reviewer = User.objects.get(email=REVIEWER)
    mine = Assignment.objects.filter(call=_call(), reviewer=reviewer, state=Assignment.State.PUBLISHED)
    unfinished = mine.exclude(review__status=Review.Status.SUBMITTED)
    assert unfinished.count() == 2
    assert unfinished.filter(review__status=Review.Status.DRAFT).count() == 1
    assert unfinished.filter(review__isnull=True).count() == 1
    assert mine.filter(review__status=Review.Status.SUBMITTED).exists()


def test_ranking_has_every_application_and_normalisation_matters(demo):
    call = _call()
    chair = User.objects.get(email=CHAIR)
    ranking = ranking_for(call, chair)
    reviewed = set(_submitted(call).values_list("assignment__application_id", flat=True))
    assert {row.application_id for row in ranking.rows} >= reviewed
    assert len(reviewed) == call.applications.submitted().count()
    for row in ranking.rows:
        assert row.raw_mean is not None
        assert row.normalised_mean is not None
    assert sum(1 for row in ranking.rows if abs(row.normalised_mean - row.raw_mean) > 2) >= 10

    by_reviewer: dict[int, list[tuple[int, float]]] = {}
    for reviewer, application, total in _submitted(call).values_list(
        "assignment__reviewer_id", "assignment__application_id", "weighted_total"
    ):
        by_reviewer.setdefault(reviewer, []).append((application, total))
    assert any(len(pairs) >= 3 for pairs in by_reviewer.values())
    normalised = scoring.normalise(by_reviewer)
    leanings = reviewer_leanings(call)
    harsh = [r for r, z in leanings.items() if z <= -0.75 and len(by_reviewer[r]) >= 3]
    lenient = [r for r, z in leanings.items() if z >= 0.75 and len(by_reviewer[r]) >= 3]
    assert len(harsh) >= 3
    assert len(lenient) >= 3
    for reviewer in harsh:  # their totals are raised …
        raw = statistics.fmean(t for _, t in by_reviewer[reviewer])
        assert statistics.fmean(normalised.totals[reviewer].values()) > raw
    for reviewer in lenient:  # … and the lenient ones' lowered
        raw = statistics.fmean(t for _, t in by_reviewer[reviewer])
        assert statistics.fmean(normalised.totals[reviewer].values()) < raw


def test_triage_default_line_and_two_pulled_back(demo):
    call = _call()
    ranking = ranking_for(call, User.objects.get(email=CHAIR))
    assert ranking.line_is_default
    pulled = [row for row in ranking.rows if row.override is True]
    assert len(pulled) == 2
    assert all(not row.above_line and row.discussed and row.override_reason for row in pulled)
    assert ranking.discussed_count == ranking.discuss_count + 2


def test_the_meeting_is_in_progress_with_closed_items(demo):
    call = _call()
    meeting = PanelMeeting.objects.get(call=call)
    assert meeting.status == PanelMeeting.Status.IN_PROGRESS
    items = list(meeting.items.order_by("position"))
    closed = [item for item in items if item.discussed_at is not None]
    assert len(closed) >= 8
    assert [item.position for item in closed] == list(range(1, len(closed) + 1))
    assert meeting.current_item.position == len(closed) + 1
    assert meeting.current_item.discussed_at is None
    committee = set(call.committee.values_list("user_id", flat=True))
    assert len(committee) == 5
    conflicts = active_conflict_pairs(call)
    for item in closed:
        scores = list(item.final_scores.values_list("member_id", "score"))
        assert item.final_score == mean_final_score(score for _, score in scores)
        assert item.discussion_notes
        members = {member for member, _ in scores}
        assert members <= committee
        assert not {(item.application_id, m) for m in members} & conflicts
        eligible = {m for m in committee if (item.application_id, m) not in conflicts}
        assert members == eligible
    # One member is conflicted with an item the panel has discussed: it was scored without them.
    assert any((item.application_id, member) in conflicts for item in closed for member in committee)
    assert not FinalScore.objects.filter(item__meeting=meeting, item__discussed_at__isnull=True).exists()


def test_the_summary_is_printed(demo):
    assert f"Scoring of {CALL}: " in demo
    assert "reviews submitted" in demo
    assert "harsh and" in demo
    assert "panel meeting in progress: 8 of" in demo


def test_second_run_changes_no_counts(demo):
    first = {model.__name__: model.objects.count() for model in MODELS}
    call_command("demo", "--quiet", stdout=StringIO())
    assert {model.__name__: model.objects.count() for model in MODELS} == first
    assert first["PanelMeeting"] == 1
    assert first["ReviewForm"] == 2
