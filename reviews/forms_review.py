"""The review form of the workspace: reading what the reviewer posted and laying the criteria out
with their current values and messages. It only reads input; ``reviews.services.reviewing``
validates and saves."""

from dataclasses import dataclass, field

from django import forms

from reviews.models import Criterion, Review, ReviewForm
from reviews.services.reviewing import NOT_APPLICABLE, TEXT_FIELDS

TEXT_LABELS = {
    "strengths": "Strengths",
    "weaknesses": "Weaknesses",
    "comments_to_applicant": "Comments to the applicant",
    "confidential_comments": "Confidential comments to the committee",
}
TEXT_HELP = {
    "comments_to_applicant": "The applicant reads these, without your name.",
    "confidential_comments": "Only the committee and staff read these; never the applicant.",
}
RADIO_LIMIT = 10  # longer scales get a select


def score_name(criterion: Criterion) -> str:
    return f"score-{criterion.key}"


def _number(raw: str):
    """A whole number as int, blank as None, anything else as given (the service says what is wrong)."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        return raw


@dataclass
class ReviewInput:
    scores: dict
    overall: object
    texts: dict
    version: int | None
    raw: dict = field(default_factory=dict)  # what was typed, to show it again


def parse_review_post(data, criteria: list[Criterion]) -> ReviewInput:
    scores = {}
    raw = {"scores": {}}
    for criterion in criteria:
        given = (data.get(score_name(criterion)) or "").strip()
        raw["scores"][criterion.key] = given
        scores[criterion.key] = NOT_APPLICABLE if given == NOT_APPLICABLE else _number(given)
    texts = {name: data.get(name, "") for name in TEXT_FIELDS}
    raw.update(texts, overall=(data.get("overall") or "").strip())
    version = _number(data.get("version", ""))
    return ReviewInput(
        scores, _number(data.get("overall", "")), texts, version if isinstance(version, int) else None, raw
    )


def values_of(review: Review | None) -> dict:
    """The saved values in the shape of ``ReviewInput.raw``."""
    if review is None:
        return {"scores": {}, "overall": "", **dict.fromkeys(TEXT_FIELDS, "")}
    scores = {
        s.criterion.key: NOT_APPLICABLE if s.not_applicable else ("" if s.value is None else str(s.value))
        for s in review.scores.all()
    }
    overall = "" if review.overall_score is None else str(review.overall_score)
    return {"scores": scores, "overall": overall, **{name: getattr(review, name) for name in TEXT_FIELDS}}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    anchor: str


@dataclass(frozen=True)
class ScoreField:
    name: str
    key: str
    label: str
    guidance: str
    choices: list[Choice]
    current: str
    errors: list[str]
    allow_not_applicable: bool
    required: bool
    as_radios: bool
    direction: str


def _choices(low: int, high: int, anchors: dict) -> list[Choice]:
    anchors = {str(k): v for k, v in (anchors or {}).items()}
    return [Choice(str(v), str(v), anchors.get(str(v), "")) for v in range(low, high + 1)]


def score_fields(form: ReviewForm, criteria: list[Criterion], values: dict, errors: dict) -> list[ScoreField]:
    """One field per criterion, then the overall score (``name`` "overall")."""
    rows = [
        ScoreField(
            name=score_name(c),
            key=c.key,
            label=c.label,
            guidance=c.guidance,
            choices=_choices(c.scale_min, c.scale_max, c.anchors),
            current=values["scores"].get(c.key, ""),
            errors=errors.get(c.key, []),
            allow_not_applicable=c.allow_not_applicable,
            required=c.required,
            as_radios=c.scale_max - c.scale_min < RADIO_LIMIT,
            direction=c.get_direction_display(),
        )
        for c in criteria
    ]
    rows.append(
        ScoreField(
            name="overall",
            key="overall",
            label=form.overall_label,
            guidance=form.overall_guidance,
            choices=_choices(form.overall_min, form.overall_max, form.overall_anchors),
            current=values["overall"],
            errors=errors.get("overall", []),
            allow_not_applicable=False,
            required=True,
            as_radios=form.overall_max - form.overall_min < RADIO_LIMIT,
            direction=form.get_overall_direction_display(),
        )
    )
    return rows


def text_fields(values: dict, errors: dict) -> list[dict]:
    return [
        {
            "name": name,
            "label": TEXT_LABELS[name],
            "help": TEXT_HELP.get(name, ""),
            "value": values.get(name, ""),
            "errors": errors.get(name, []),
        }
        for name in TEXT_FIELDS
    ]


class DeclineAssignmentForm(forms.Form):
    reason = forms.CharField(
        label="Why do you decline this application?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
