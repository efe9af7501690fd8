"""A call's registers for staff, as rows for a CSV or XLSX download: applications, assignments,
scores and decisions. Each is a generator over a query read in chunks (``iterator(chunk_size=…)``), so
a call with tens of thousands of rows is written without holding them in memory. Numbers stay
numbers (the XLSX keeps them numeric); dates are ISO 8601 in UTC."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import Prefetch

from applications.models import Application, Call
from awards.models import Decision, FundingShare
from reviews.models import Assignment, CriterionScore, Review, ReviewerProfile

CHUNK = 1000


def _when(value) -> str:
    return value.isoformat() if value else ""


def _number(value):
    return None if value is None else float(value)


def _batches(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


STATUS = dict(Application.Status.choices)
KIND = dict(ReviewerProfile.Kind.choices)
SOURCE = dict(Assignment.Source.choices)
STATE = dict(Assignment.State.choices)
REVIEW_STATUS = dict(Review.Status.choices)


def application_rows(call: Call) -> Iterator[list]:
    """Every application of the call past its draft (submitted and withdrawn), in reference order:
    read as plain values a thousand at a time, with one more query per thousand for the focus areas."""
    yield [
        "Reference",
        "Title",
        "Status",
        "Principal investigator",
        "E-mail",
        "Institution",
        "Country",
        "ROR id",
        "Focus areas",
        "Keywords",
        f"Requested amount ({call.currency})",
        "Duration (months)",
        "Submitted at",
        "Withdrawn at",
    ]
    applications = (
        Application.objects.filter(call=call)
        .exclude(status=Application.Status.DRAFT)
        .order_by("reference", "pk")
        .values_list(
            "pk",
            "reference",
            "title",
            "status",
            "pi__full_name",
            "pi__email",
            "institution__name",
            "institution__country",
            "institution__ror_id",
            "keywords",
            "requested_amount",
            "duration_months",
            "submitted_at",
            "withdrawn_at",
        )
    )
    tagged = Application.focus_areas.through.objects.order_by("focusarea__position", "focusarea__name")
    for batch in _batches(applications.iterator(chunk_size=CHUNK)):
        areas = defaultdict(list)
        for application_id, name in tagged.filter(application_id__in=[row[0] for row in batch]).values_list(
            "application_id", "focusarea__name"
        ):
            areas[application_id].append(name)
        for pk, reference, title, status, pi, email, institution, country, ror, keywords, *rest in batch:
            requested, duration, submitted_at, withdrawn_at = rest
            yield [
                reference,
                title,
                STATUS[status],
                pi,
                email,
                institution or "",
                country or "",
                ror or "",
                "; ".join(areas[pk]),
                keywords,
                _number(requested),
                duration,
                _when(submitted_at),
                _when(withdrawn_at),
            ]


def assignment_rows(call: Call) -> Iterator[list]:
    """Every assignment of the call (proposed, published and declined) with its review's progress."""
    yield [
        "Reference",
        "Reviewer",
        "Reviewer e-mail",
        "Reviewer kind",
        "Source",
        "State",
        "Affinity",
        "Due",
        "Published at",
        "Review status",
        "Review submitted at",
        "On time",
    ]
    assignments = (
        Assignment.objects.filter(call=call)
        .order_by("application__reference", "reviewer__full_name", "pk")
        .values_list(
            "application__reference",
            "reviewer__full_name",
            "reviewer__email",
            "reviewer__reviewer_profile__kind",
            "source",
            "state",
            "affinity",
            "due_at",
            "published_at",
            "review__status",
            "review__submitted_at",
        )
    )
    for (
        reference,
        name,
        email,
        kind,
        source,
        state,
        affinity,
        due_at,
        published_at,
        status,
        submitted,
    ) in assignments.iterator(chunk_size=CHUNK):
        due = due_at or call.review_due_at
        submitted = submitted if status == Review.Status.SUBMITTED else None
        yield [
            reference,
            name,
            email,
            KIND.get(kind, ""),
            SOURCE[source],
            STATE[state],
            None if affinity is None else round(affinity, 4),
            _when(due),
            _when(published_at),
            REVIEW_STATUS[status] if status else "Not started",
            _when(submitted),
            ("yes" if submitted <= due else "no") if submitted and due else "",
        ]


def score_rows(call: Call) -> Iterator[list]:
    """One row per criterion of every submitted review (a criterion marked "not applicable" has an
    empty score, never 0), with the review's weighted total and overall score on each of its rows."""
    yield [
        "Reference",
        "Reviewer",
        "Reviewer kind",
        "Form",
        "Submitted at",
        "Criterion",
        "Criterion label",
        "Score",
        "Not applicable",
        "Weighted total (0-100)",
        "Overall score",
    ]
    scores = (
        CriterionScore.objects.filter(review__assignment__call=call, review__status=Review.Status.SUBMITTED)
        .order_by("review__assignment__application__reference", "review_id", "criterion__position", "pk")
        .values_list(
            "review__assignment__application__reference",
            "review__assignment__reviewer__full_name",
            "review__assignment__reviewer__reviewer_profile__kind",
            "review__form__name",
            "review__submitted_at",
            "criterion__key",
            "criterion__label",
            "value",
            "not_applicable",
            "review__weighted_total",
            "review__overall_score",
        )
    )
    for reference, name, kind, form, submitted_at, key, label, value, na, total, overall in scores.iterator(
        chunk_size=CHUNK
    ):
        yield [
            reference,
            name,
            KIND.get(kind, ""),
            form,
            _when(submitted_at),
            key,
            label,
            value,
            "yes" if na else "no",
            None if total is None else round(total, 2),
            overall,
        ]


def decision_rows(call: Call) -> Iterator[list]:
    """Every decision of the call (pending and applied), one column per committed funder's share."""
    funders = [c.funder for c in call.commitments.select_related("funder").order_by("funder__name")]
    yield [
        "Reference",
        "Title",
        "Outcome",
        "Status",
        "Told the applicant",
        f"Approved amount ({call.currency})",
        *(f"{funder.short_name or funder.name} share ({call.currency})" for funder in funders),
        "Start date",
        "Duration (months)",
        "Applied at",
        "Award",
        "Award status",
    ]
    decisions = (
        Decision.objects.filter(call=call)
        .select_related("application", "award")
        .prefetch_related(Prefetch("shares", queryset=FundingShare.objects.order_by("funder_id")))
        .order_by("application__reference", "pk")
    )
    for d in decisions.iterator(chunk_size=CHUNK):
        shares = {share.funder_id: share.amount for share in d.shares.all()}
        award = getattr(d, "award", None)
        yield [
            d.application.reference,
            d.application.title,
            d.get_outcome_display(),
            d.get_status_display(),
            d.get_published_outcome_display() if d.published_outcome else "",
            _number(d.amount),
            *(_number(shares.get(funder.pk)) for funder in funders),
            d.start_date.isoformat() if d.start_date else "",
            d.duration_months,
            _when(d.applied_at),
            award.reference if award else "",
            award.get_status_display() if award else "",
        ]


@dataclass(frozen=True)
class Register:
    key: str
    title: str
    rows: Callable[[Call], Iterator[list]]


REGISTERS = {
    r.key: r
    for r in [
        Register("applications", "Applications register", application_rows),
        Register("assignments", "Assignments", assignment_rows),
        Register("scores", "Scores", score_rows),
        Register("decisions", "Decisions", decision_rows),
    ]
}
