"""Writing reviews: drafts, submission and edits after submission.

Every save names the ``version`` the reviewer loaded; a stale one (the review was saved meanwhile
in another tab) is refused with a StateConflict rather than silently overwriting the other save.
The weighted total is computed in one place, ``review_total``, by ``reviews.scoring``.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from core.errors import Invalid, StateConflict, ensure
from reviews import scoring
from reviews.models import Assignment, Criterion, CriterionScore, Review, ReviewerProfile, ReviewForm
from reviews.selectors_reviews import can_write_review

NOT_APPLICABLE = "na"
TEXT_FIELDS = ["strengths", "weaknesses", "comments_to_applicant", "confidential_comments"]
STALE = "This review was changed in another tab or window; reload it before saving again."


def reviewer_kind(reviewer: User) -> str:
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    return profile.kind if profile else ReviewerProfile.Kind.SCIENTIFIC


def form_for(assignment: Assignment) -> ReviewForm:
    """The call's form for the reviewer's kind; a call with one form uses it for everyone."""
    forms = {form.audience: form for form in ReviewForm.objects.filter(call_id=assignment.call_id)}
    form = forms.get(reviewer_kind(assignment.reviewer))
    if form is None and len(forms) == 1:
        form = next(iter(forms.values()))
    if form is None:
        raise StateConflict("This call has no review form yet.")
    return form


def criteria_of(review: Review) -> list[Criterion]:
    return review.form.criteria_for(reviewer_kind(review.assignment.reviewer))


def review_total(review: Review) -> float | None:
    """The review's weighted total (see ``reviews.scoring.weighted_total``): the one place it is
    computed. N/a and blank criteria are left out; the overall score is not part of it."""
    criteria = {c.pk: c for c in criteria_of(review)}
    return scoring.weighted_total(
        (criteria[s.criterion_id], s.value)
        for s in review.scores.all()
        if s.criterion_id in criteria and not s.not_applicable and s.value is not None
    )


def _snapshot(review: Review) -> dict:
    scores = {
        s.criterion.key: NOT_APPLICABLE if s.not_applicable else s.value
        for s in review.scores.select_related("criterion")
    }
    texts = {name: getattr(review, name) for name in TEXT_FIELDS}
    return {
        "scores": scores,
        "overall": review.overall_score,
        **texts,
        "weighted_total": review.weighted_total,
    }


def _check_version(review: Review, version: int | None, *, tab: str = "") -> None:
    """Refuse a save of another version than the current one (409), except from the workspace page
    that saved every version since the one it holds: its answers were lost (a dropped connection
    after the commit) and it retries with what the reviewer has typed since, which is the newest.
    Another page saving in between clears the claim, so two tabs still never overwrite each other."""
    if version == review.version:
        return
    if tab and review.saved_in_tab == tab and (version is None or version < review.version):
        return
    raise StateConflict(STALE)


def _validated(review: Review, scores: dict, overall: int | None) -> dict[int, tuple[int | None, bool]]:
    """{criterion id: (value, not applicable)} for every criterion of the reviewer's kind, blank when
    not given; raises Invalid with the messages per criterion."""
    criteria = {c.key: c for c in criteria_of(review)}
    errors: dict[str, list[str]] = {}
    for key in sorted(set(scores) - set(criteria)):
        errors[key] = ["This criterion is not on your form."]
    cleaned = {}
    for key, criterion in criteria.items():
        given = scores.get(key)
        if given in (None, ""):
            cleaned[criterion.pk] = (None, False)
        elif given == NOT_APPLICABLE:
            if not criterion.allow_not_applicable:
                errors[key] = [f"“{criterion.label}” cannot be marked not applicable."]
            cleaned[criterion.pk] = (None, True)
        elif isinstance(given, bool) or not isinstance(given, int):
            errors[key] = [f"Give “{criterion.label}” a whole number or “{NOT_APPLICABLE}”."]
        elif not criterion.scale_min <= given <= criterion.scale_max:
            errors[key] = [
                f"Give “{criterion.label}” a score from {criterion.scale_min} to {criterion.scale_max}."
            ]
        else:
            cleaned[criterion.pk] = (given, False)
    form = review.form
    if overall is not None and (
        isinstance(overall, bool)
        or not isinstance(overall, int)
        or not form.overall_min <= overall <= form.overall_max
    ):
        errors["overall"] = [
            f"Give the overall score as a whole number from {form.overall_min} to {form.overall_max}."
        ]
    if errors:
        raise Invalid("Some scores need correcting.", field_errors=errors)
    return cleaned


def _check_complete(review: Review) -> None:
    """Every required criterion scored (or n/a where allowed) and the overall score given."""
    done = {s.criterion_id for s in review.scores.all() if s.not_applicable or s.value is not None}
    errors = {
        c.key: ["This criterion is required."] for c in criteria_of(review) if c.required and c.pk not in done
    }
    if review.overall_score is None:
        errors["overall"] = ["Give an overall score."]
    if errors:
        raise Invalid("Complete the required scores before submitting.", field_errors=errors)


def _write(review: Review, scores: dict, overall: int | None, texts: dict) -> None:
    """Store the scores, overall score and texts, and raise the version."""
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise Invalid(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    cleaned = _validated(review, scores, overall)
    existing = {s.criterion_id: s for s in review.scores.all()}
    for criterion_id, (value, not_applicable) in cleaned.items():
        row = existing.get(criterion_id)
        if row is None:
            CriterionScore.objects.create(
                review=review, criterion_id=criterion_id, value=value, not_applicable=not_applicable
            )
        elif (row.value, row.not_applicable) != (value, not_applicable):
            row.value, row.not_applicable = value, not_applicable
            row.save(update_fields=["value", "not_applicable"])
    review.overall_score = overall
    for name, value in texts.items():
        setattr(review, name, (value or "").strip())
    review.version += 1


def _start_review(assignment: Assignment) -> Review:
    """The assignment's new, empty review. Two tabs saving the first draft at once both find none: the
    second insert waits for the first to commit, then meets the one-review-per-assignment constraint,
    and is refused as stale (409) instead of failing with a server error."""
    try:
        with transaction.atomic():
            return Review.objects.create(assignment=assignment, form=form_for(assignment), version=0)
    except IntegrityError:
        if Review.objects.filter(assignment=assignment).exists():
            raise StateConflict(STALE) from None
        raise


@transaction.atomic
def save_review_draft(
    *,
    assignment: Assignment,
    by: User,
    scores: dict,
    overall: int | None = None,
    version: int | None = None,
    tab: str = "",
    **texts: str,
) -> Review:
    """Save the reviewer's work in progress. ``scores`` maps criterion keys to a score, "na" or None
    (blank); drafts may be incomplete but every value given must be valid. ``version`` is the one
    the reviewer loaded (None for a review not started yet); ``tab`` identifies the workspace page
    that saves (see ``_check_version``), empty for the API."""
    ensure(can_write_review(by, assignment))
    review = Review.objects.select_for_update().filter(assignment=assignment).first()
    created = review is None
    if created:
        if version is not None:
            raise StateConflict(STALE)
        review = _start_review(assignment)
    else:
        _check_version(review, version, tab=tab)
        if review.status == Review.Status.SUBMITTED:
            raise StateConflict("This review is submitted; edit it instead of saving a draft.")
    _write(review, scores, overall, texts)
    review.saved_in_tab = tab
    review.save()
    record_event(
        review,
        "review.draft_saved",
        by=by,
        application=assignment.application_id,
        version=review.version,
        created=created,
    )
    return review


@transaction.atomic
def submit_review(*, review: Review, by: User, version: int | None = None) -> Review:
    """Freeze a complete review and compute its weighted total; the reviewer may then read the
    others' reviews when the phase says "after their own". ``version`` defaults to the loaded one."""
    loaded = review.version if version is None else version
    review = Review.objects.select_for_update().select_related("assignment", "form").get(pk=review.pk)
    ensure(can_write_review(by, review.assignment))
    _check_version(review, loaded)
    if review.status == Review.Status.SUBMITTED:
        raise StateConflict("This review is submitted already.")
    _check_complete(review)
    review.weighted_total = review_total(review)
    if review.weighted_total is None:
        raise Invalid("Score at least one criterion that counts toward the total.")
    review.status, review.submitted_at = Review.Status.SUBMITTED, timezone.now()
    review.version += 1
    review.saved_in_tab = ""
    fields = ["status", "submitted_at", "weighted_total", "version", "saved_in_tab", "updated_at"]
    review.save(update_fields=fields)
    record_event(
        review,
        "review.submitted",
        by=by,
        after=_snapshot(review),
        application=review.assignment.application_id,
    )
    return review


@transaction.atomic
def edit_submitted_review(
    *, review: Review, by: User, scores: dict, overall: int | None, version: int, **texts: str
) -> Review:
    """Change a submitted review while the phase still lets reviewers write; it stays complete, its
    total is recomputed, and the audit row keeps the values before and after."""
    review = Review.objects.select_for_update().select_related("assignment", "form").get(pk=review.pk)
    ensure(can_write_review(by, review.assignment))
    _check_version(review, version)
    if review.status != Review.Status.SUBMITTED:
        raise StateConflict("This review is a draft; save or submit it instead.")
    before = _snapshot(review)
    _write(review, scores, overall, texts)
    _check_complete(review)
    review.weighted_total = review_total(review)
    if review.weighted_total is None:
        raise Invalid("Score at least one criterion that counts toward the total.")
    review.saved_in_tab = ""
    review.save()
    record_event(
        review,
        "review.edited",
        by=by,
        before=before,
        after=_snapshot(review),
        application=review.assignment.application_id,
    )
    return review
