"""Reading reviews: which phase is active, who may write, who may read whose review, and the
call's ranking (raw and normalised side by side)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from applications.models import Application, Call
from applications.permissions import is_committee_member
from core.errors import ALLOWED, Verdict, deny
from reviews import scoring
from reviews.models import Assignment, Review, ReviewPhase
from reviews.selectors import is_conflicted


def active_phase(call: Call) -> ReviewPhase | None:
    return ReviewPhase.objects.filter(call=call, active=True).first()


def can_write_review(user, assignment: Assignment) -> Verdict:
    """The assigned reviewer, on a published assignment, without a conflict, while the active phase
    lets reviewers write."""
    if not user.is_authenticated or assignment.reviewer_id != user.pk:
        return deny("Only the assigned reviewer can write this review.")
    if assignment.state != Assignment.State.PUBLISHED:
        return deny("This assignment is not published.")
    if is_conflicted(user, assignment.application):
        return deny("You have a conflict of interest with this application.")
    phase = active_phase(assignment.call)
    if phase is None:
        return deny("Review has not started for this call.")
    if not phase.can_write:
        return deny(f"Reviews cannot be written or changed in the “{phase.name}” phase.")
    return ALLOWED


def own_review(reviewer, application: Application) -> Review | None:
    return Review.objects.filter(
        assignment__reviewer=reviewer,
        assignment__application=application,
        assignment__state=Assignment.State.PUBLISHED,
    ).first()


def can_read_others_reviews(reviewer, application: Application) -> Verdict:
    """Whether an assigned reviewer may read the other reviews of ``application`` now: never with a
    conflict; otherwise as the active phase says (never / after submitting their own / always)."""
    if not reviewer.is_authenticated:
        return deny("Sign in to read reviews.")
    if is_conflicted(reviewer, application):
        return deny("You have a conflict of interest with this application.")
    if not Assignment.objects.filter(
        reviewer=reviewer, application=application, state=Assignment.State.PUBLISHED
    ).exists():
        return deny("You are not assigned to this application.")
    phase = active_phase(application.call)
    if phase is None or phase.see_others == ReviewPhase.SeeOthers.NEVER:
        return deny("Reviews are independent in this phase: others' reviews are hidden.")
    if phase.see_others == ReviewPhase.SeeOthers.AFTER_OWN:
        mine = own_review(reviewer, application)
        if mine is None or mine.status != Review.Status.SUBMITTED:
            return deny("Submit your own review first; then you can read the others'.")
    return ALLOWED


def can_see_reviewer_names(user, application: Application) -> bool:
    if user.is_staff or is_committee_member(user, application.call):
        return True
    phase = active_phase(application.call)
    return bool(phase and phase.see_reviewer_names) and bool(can_read_others_reviews(user, application))


def reviews_visible_to(user, application: Application) -> QuerySet[Review]:
    """Staff and the (unconflicted) committee see every submitted review; an assigned reviewer sees their own
    (draft or not) and, when ``can_read_others_reviews`` allows, the others' submitted ones."""
    reviews = Review.objects.filter(assignment__application=application).select_related(
        "assignment__reviewer", "form"
    )
    if not user.is_authenticated:
        return reviews.none()
    submitted = reviews.filter(status=Review.Status.SUBMITTED)
    if user.is_staff:
        return submitted
    if is_conflicted(user, application):
        return reviews.none()
    if is_committee_member(user, application.call):
        return submitted
    own = reviews.filter(assignment__reviewer=user)
    if can_read_others_reviews(user, application):
        return (own | submitted).distinct()
    return own


@dataclass(frozen=True)
class RankingRow:
    application: Application
    statistics: scoring.ApplicationStatistics
    raw_mean: float | None
    normalised_mean: float | None
    raw_percentile: float | None
    normalised_percentile: float | None


@dataclass(frozen=True)
class Ranking:
    rows: list[RankingRow]
    flagged_reviewers: frozenset  # fewer than three reviews: totals left raw


def ranking_for_call(call: Call) -> Ranking:
    """The call's submitted reviews, per application: statistics of the raw totals, the mean of the
    normalised totals, and both percentiles within the call; best normalised mean first."""
    reviews = (
        Review.objects.filter(form__call=call, status=Review.Status.SUBMITTED, weighted_total__isnull=False)
        .select_related("assignment__application", "form")
        .order_by("pk")
    )
    by_kind: dict[Application, dict[str, list[float]]] = {}
    by_reviewer: dict[int, list[tuple[Application, float]]] = {}
    for review in reviews:
        application = review.assignment.application
        by_kind.setdefault(application, {}).setdefault(review.form.audience, []).append(review.weighted_total)
        by_reviewer.setdefault(review.assignment.reviewer_id, []).append((application, review.weighted_total))
    stats = {application: scoring.application_statistics(kinds) for application, kinds in by_kind.items()}
    normalisation = scoring.normalise(by_reviewer)
    normalised = normalisation.means()
    raw = {application: s.mean for application, s in stats.items()}
    raw_pct, norm_pct = scoring.percentile(raw), scoring.percentile(normalised)
    rows = [
        RankingRow(a, stats[a], raw[a], normalised.get(a), raw_pct[a], norm_pct.get(a))
        for a in sorted(stats, key=lambda a: (-(normalised.get(a) or 0), a.reference))
    ]
    return Ranking(rows, normalisation.flagged)
