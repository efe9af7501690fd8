"""Read queries of the reviewer workspace: the reviewer's assignments with their reviews, progress in
a call, the next unfinished assignment and the other reviews a reviewer may read.

Every list starts from ``reviews.selectors.assignments_for_reviewer``, where conflicts are enforced.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from applications.models import Application, Call, CommitteeMembership
from reviews.models import Assignment, Review, ReviewerInvitation, ReviewForm
from reviews.selectors import active_conflicts, assignments_for_reviewer
from reviews.selectors_reviews import can_read_others_reviews, can_see_reviewer_names, reviews_visible_to

NOT_STARTED = "not_started"
REVIEW_STATES = {
    NOT_STARTED: "Not started",
    Review.Status.DRAFT: "Draft",
    Review.Status.SUBMITTED: "Submitted",
}


def assignments_with_reviews(reviewer) -> QuerySet[Assignment]:
    """The reviewer's published, non-conflicted assignments, each with its review (or none) joined."""
    return assignments_for_reviewer(reviewer).select_related("review")


def assignment_list(reviewer) -> QuerySet[Assignment]:
    """``assignments_with_reviews`` with only what the reviewer's list of assignments shows: the
    applications' and calls' long texts stay in the database (a third of the page's time)."""
    return assignments_with_reviews(reviewer).only(
        "due_at",
        "application__reference",
        "application__title",
        "application__institution__name",
        "application__call__title",
        "review__status",
    )


def review_of(assignment: Assignment) -> Review | None:
    """The assignment's review without a query when it was joined (``assignments_with_reviews``)."""
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


def review_state(assignment: Assignment) -> str:
    review = review_of(assignment)
    return review.status if review else NOT_STARTED


def workspace_assignment(reviewer, pk: int) -> Assignment | None:
    """One of the reviewer's own assignments (published, never conflicted), or None."""
    return (
        assignments_with_reviews(reviewer)
        .select_related("application__pi", "application__call__program")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    next_unfinished: Assignment | None

    @property
    def label(self) -> str:
        return f"{self.done} of {self.total} done"


def progress_in_call(reviewer, call: Call, *, after: Assignment | None = None) -> Progress:
    """Submitted reviews out of the reviewer's assignments in ``call``; the next unfinished one is
    the first not submitted after ``after`` in the list's order (wrapping round), never ``after``."""
    assignments = list(assignments_with_reviews(reviewer).filter(call=call))
    unfinished = [a for a in assignments if review_state(a) != Review.Status.SUBMITTED]
    done = len(assignments) - len(unfinished)
    if after is not None:
        ids = [a.pk for a in assignments]
        start = ids.index(after.pk) + 1 if after.pk in ids else 0
        ordered = assignments[start:] + assignments[:start]
        unfinished = [a for a in ordered if a.pk != after.pk and review_state(a) != Review.Status.SUBMITTED]
    return Progress(done, len(assignments), unfinished[0] if unfinished else None)


@dataclass(frozen=True)
class OtherReview:
    review: Review
    reviewer_name: str  # blank while the phase hides names


def others_reviews_for(reviewer, application: Application) -> tuple[list[OtherReview], str]:
    """The others' submitted reviews the reviewer may read now, and the reason when none may be read.
    Confidential comments are the committee's: the workspace never shows the others' ones."""
    verdict = can_read_others_reviews(reviewer, application)
    if not verdict:
        return [], verdict.reason
    names = can_see_reviewer_names(reviewer, application)
    reviews = (
        reviews_visible_to(reviewer, application)
        .filter(status=Review.Status.SUBMITTED)
        .exclude(assignment__reviewer=reviewer)
        .prefetch_related("scores__criterion")
        .order_by("submitted_at", "pk")
    )
    return [OtherReview(r, r.assignment.reviewer.full_name if names else "") for r in reviews], ""


def reviews_for_user(user) -> QuerySet[Review]:
    """The API's list of reviews: a reviewer's own (drafts too); staff every submitted one; a
    committee member the submitted reviews of their calls, never of an application they are
    conflicted with. Others' reviews as a reviewer are read per application (``reviews_visible_to``)."""
    reviews = Review.objects.select_related("assignment__reviewer", "assignment__application", "form")
    reviews = reviews.prefetch_related("scores__criterion").order_by(
        "assignment__application__reference", "pk"
    )
    if not user.is_authenticated:
        return reviews.none()
    own = Q(assignment__in=assignments_for_reviewer(user).values("pk"))
    submitted = Q(status=Review.Status.SUBMITTED)
    if user.is_staff:
        return reviews.filter(own | submitted)
    calls = CommitteeMembership.objects.filter(user=user).values("call_id")
    conflicted = active_conflicts().filter(reviewer=user, application=OuterRef("assignment__application"))
    return reviews.filter(own | (submitted & Q(form__call__in=calls) & ~Exists(conflicted)))


def review_forms_for(user) -> QuerySet[ReviewForm]:
    """Forms of the calls the user reviews (accepted or assigned), sits on the committee of, or all
    for staff; with their criteria."""
    forms = ReviewForm.objects.prefetch_related("criteria").order_by("call_id", "audience")
    if not user.is_authenticated:
        return forms.none()
    if user.is_staff:
        return forms
    reviewing = Q(call__in=assignments_for_reviewer(user).values("call_id")) | Q(
        call__in=ReviewerInvitation.objects.filter(
            reviewer=user, status=ReviewerInvitation.Status.ACCEPTED
        ).values("call_id")
    )
    managing = Q(call__in=CommitteeMembership.objects.filter(user=user).values("call_id"))
    return forms.filter(reviewing | managing)
