"""The content of an applicant's summary statement: anonymised critiques and scores, and the
committee's discussion summary.

Reviewers are numbered (Reviewer 1, 2, …) in the order they submitted; their names and their
confidential comments to the committee never leave this module, which reads only the fields an
applicant may see. Only submitted reviews count.
"""

from awards.models import Decision
from reviews.models import CriterionScore, Review
from reviews.models.scoring import Direction


def _scaled(label: str, low: int, high: int, direction: str) -> str:
    """``Impact (1-9, 1 best)``: the scale beside the label, since forms differ in scale and direction."""
    best = low if direction == Direction.LOWER_IS_BETTER else high
    return f"{label} ({low}-{high}, {best} best)"


def summary_for_decision(decision: Decision) -> dict:
    """Plain data for ``awards/letters/summary.html``: per reviewer the critique and scores, per review
    form a score table, and the decision's discussion summary."""
    reviews = list(
        Review.objects.filter(
            assignment__application_id=decision.application_id, status=Review.Status.SUBMITTED
        )
        .select_related("form")
        .order_by("submitted_at", "pk")
        .only(
            "pk", "submitted_at", "overall_score", "strengths", "weaknesses", "comments_to_applicant",
            "form__id", "form__name", "form__overall_label", "form__overall_min", "form__overall_max",
            "form__overall_direction",
        )
    )  # fmt: skip
    scores = (
        CriterionScore.objects.filter(review__in=reviews)
        .select_related("criterion")
        .order_by("criterion__position", "criterion__pk")
    )
    by_review: dict[int, list[CriterionScore]] = {}
    for score in scores:
        by_review.setdefault(score.review_id, []).append(score)
    critiques, tables = [], {}
    for number, review in enumerate(reviews, start=1):
        label = f"Reviewer {number}"
        form = review.form
        table = tables.setdefault(
            form.pk,
            {
                "form": form.name,
                "overall_label": _scaled(
                    form.overall_label, form.overall_min, form.overall_max, form.overall_direction
                ),
                "criteria": {},
                "rows": [],
            },
        )
        values = {}
        for score in by_review.get(review.pk, []):
            criterion = score.criterion
            table["criteria"].setdefault(
                criterion.pk,
                _scaled(criterion.label, criterion.scale_min, criterion.scale_max, criterion.direction),
            )
            values[criterion.pk] = (
                "n/a" if score.not_applicable else ("—" if score.value is None else str(score.value))
            )
        table["rows"].append({"label": label, "values": values, "overall": _text(review.overall_score)})
        critiques.append(
            {
                "label": label,
                "form": form.name,
                "strengths": review.strengths,
                "weaknesses": review.weaknesses,
                "comments": review.comments_to_applicant,
            }
        )
    return {
        "discussion_summary": decision.discussion_summary,
        "critiques": critiques,
        "score_tables": [_flatten(table) for table in tables.values()],
    }


def _text(value) -> str:
    return "—" if value is None else str(value)


def _flatten(table: dict) -> dict:
    """Criteria as an ordered list of headers and each row's values in the same order."""
    keys = list(table["criteria"])
    return {
        "form": table["form"],
        "overall_label": table["overall_label"],
        "criteria": [table["criteria"][k] for k in keys],
        "rows": [
            {
                "label": row["label"],
                "values": [row["values"].get(k, "—") for k in keys],
                "overall": row["overall"],
            }
            for row in table["rows"]
        ],
    }


SAMPLE_SUMMARY = {
    "discussion_summary": "The committee valued the clear hypothesis and the strong team. It discussed the "
    "recruitment target at length and asks for a feasibility milestone at month 12.",
    "critiques": [
        {
            "label": "Reviewer 1",
            "form": "Scientific review",
            "strengths": "A well-argued hypothesis with convincing preliminary data.",
            "weaknesses": "The recruitment plan is optimistic.",
            "comments": "Consider a second recruitment site.",
        },
        {
            "label": "Reviewer 2",
            "form": "Lay review",
            "strengths": "The outcome matters to people living with the condition.",
            "weaknesses": "The lay summary uses some jargon.",
            "comments": "",
        },
    ],
    "score_tables": [
        {
            "form": "Scientific review",
            "overall_label": "Overall impact (1-9, 1 best)",
            "criteria": ["Significance (1-9, 1 best)", "Approach (1-9, 1 best)"],
            "rows": [{"label": "Reviewer 1", "values": ["2", "3"], "overall": "2"}],
        },
        {
            "form": "Lay review",
            "overall_label": "Overall relevance (1-5, 5 best)",
            "criteria": ["Relevance (1-5, 5 best)"],
            "rows": [{"label": "Reviewer 2", "values": ["5"], "overall": "4"}],
        },
    ],
}
