"""The committee's ranking of a call: per application the statistics of the submitted reviews' totals,
the normalised mean and the percentiles, the rank and the triage line, for one viewer.

Four queries whatever the size of the call (applications, reviews, the triage line, the overrides);
the arithmetic is ``reviews.scoring``'s. Normalisation, the rank and the triage line are the call's,
the same for every viewer; an application the viewer is conflicted with is then left out entirely,
and the ranks and percentiles the viewer sees are recounted over what is left, so that no gap gives
the hidden item's place away.
"""

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, OuterRef
from django.db.models.functions import Coalesce

from applications.models import Application, Call
from core.errors import Invalid
from reviews import scoring
from reviews.models import Review, Triage, TriageOverride
from reviews.selectors import active_conflicts, without_conflicts_of


@dataclass(frozen=True)
class RankingRow:
    application_id: int
    reference: str
    title: str
    rank: int
    count: int
    raw_mean: float | None
    median: float | None
    sd: float | None
    low: float | None
    high: float | None
    range: float | None
    scientific_mean: float | None
    lay_mean: float | None
    disagreement: bool
    normalised_mean: float | None
    raw_percentile: float | None
    percentile: float | None  # of the normalised mean, within what the viewer sees
    above_line: bool  # within the triage line by position alone
    discussed: bool  # above the line unless an override says otherwise
    override: bool | None  # True pulled back into discussion, False set aside, None by position
    override_reason: str = ""


@dataclass(frozen=True)
class CallRanking:
    rows: list[RankingRow]  # in rank order: best normalised mean first
    discuss_count: int  # the call's triage line: how many top-ranked items are discussed
    line_is_default: bool  # no line set: the top half
    line_after: int  # how many of the viewer's rows lie above the line: the line as the viewer sees it
    flagged_reviewers: frozenset = field(default_factory=frozenset)  # < 3 reviews: left raw
    # The call-wide place of each row, in rank order: to turn a line over the viewer's rows into the
    # call's (``call_line``). Server side only: never shown, it would place hidden items.
    call_places: tuple[int, ...] = ()
    hides: bool = False  # the viewer is conflicted with an item of the call

    @property
    def discussed_count(self) -> int:
        return sum(1 for row in self.rows if row.discussed)

    def call_line(self, visible: int | None) -> int | None:
        """The call's line that leaves the viewer's top ``visible`` rows above it (None: the default).
        For a viewer who sees everything it is ``visible`` itself; otherwise hidden items between two
        of the viewer's rows fall below the line, and a number beyond the viewer's rows is refused as
        one beyond the call's is (the same words: nothing about how many items are hidden)."""
        if visible is None or not self.hides or visible <= 0:
            return visible
        if visible > len(self.call_places):
            raise line_out_of_range()
        return self.call_places[visible - 1]


def line_out_of_range() -> Invalid:
    """The triage line beyond the ranking; worded without the number of applications, which a viewer
    with hidden items must not learn."""
    return Invalid(
        "The line cannot leave more applications above it than the ranking has.",
        field_errors={"discuss_count": ["Enter a number from 0 to the number of applications ranked."]},
    )


# Column name → how it sorts; every sortable column is also filterable.
NUMERIC_COLUMNS = (
    "rank",
    "count",
    "raw_mean",
    "median",
    "sd",
    "range",
    "scientific_mean",
    "lay_mean",
    "normalised_mean",
    "raw_percentile",
    "percentile",
)
TEXT_COLUMNS = ("reference", "title")
BOOLEAN_COLUMNS = ("disagreement", "discussed")
SORT_COLUMNS = NUMERIC_COLUMNS + TEXT_COLUMNS + BOOLEAN_COLUMNS


def default_discuss_count(total: int) -> int:
    """The top half, rounded up: with an odd number the middle item is discussed."""
    return math.ceil(total / 2)


def triageable_applications(call: Call, user):
    """The call's submitted applications ``user`` may triage by id: staff all of them, anyone else
    none they are conflicted with (an unknown id and a conflicted one answer the same 404)."""
    applications = call.applications.submitted()
    return applications if user.is_staff else without_conflicts_of(applications, user)


def ranking_for(call: Call, viewer) -> CallRanking:
    """The call's ranking as ``viewer`` may see it (never an item they are conflicted with)."""
    conflicted = active_conflicts().filter(reviewer_id=viewer.pk, application=OuterRef("pk"))
    applications = list(
        Application.objects.filter(call=call, status=Application.Status.SUBMITTED)
        .annotate(hidden=Exists(conflicted))
        .values_list("pk", "reference", "title", "hidden")
        .order_by("reference", "pk")
    )
    reviews = (
        Review.objects.filter(
            form__call=call,
            status=Review.Status.SUBMITTED,
            weighted_total__isnull=False,
            assignment__application__status=Application.Status.SUBMITTED,
        )
        .annotate(
            application_id=F("assignment__application_id"),
            reviewer_id=F("assignment__reviewer_id"),
            kind=Coalesce("assignment__reviewer__reviewer_profile__kind", "form__audience"),
        )
        .values_list("application_id", "reviewer_id", "kind", "weighted_total")
        .order_by("pk")
    )
    triage = Triage.objects.filter(call=call).values_list("discuss_count", flat=True).first()
    overrides = {
        application_id: (discuss, reason)
        for application_id, discuss, reason in TriageOverride.objects.filter(call=call).values_list(
            "application_id", "discuss", "reason"
        )
    }

    by_kind: dict[int, dict[str, list[float]]] = {pk: {} for pk, *_ in applications}
    by_reviewer: dict[int, list[tuple[int, float]]] = {}
    for application_id, reviewer_id, kind, total in reviews:
        by_kind[application_id].setdefault(kind, []).append(total)
        by_reviewer.setdefault(reviewer_id, []).append((application_id, total))
    stats = {pk: scoring.application_statistics(kinds) for pk, kinds in by_kind.items()}
    normalisation = scoring.normalise(by_reviewer)
    normalised = normalisation.means()

    # The call's order: best normalised mean first, unreviewed items last, then by reference.
    order = sorted(applications, key=lambda a: (normalised.get(a[0]) is None, -(normalised.get(a[0]) or 0)))
    discuss_count = default_discuss_count(len(order)) if triage is None else min(triage, len(order))
    call_rank = {a[0]: position for position, a in enumerate(order, start=1)}

    visible = [a for a in order if not a[3]]
    raw_pct = scoring.percentile({a[0]: stats[a[0]].mean for a in visible})
    norm_pct = scoring.percentile({a[0]: normalised.get(a[0]) for a in visible})
    rows = []
    for position, (pk, reference, title, _) in enumerate(visible, start=1):
        s = stats[pk]
        override, reason = overrides.get(pk, (None, ""))
        rows.append(
            RankingRow(
                application_id=pk,
                reference=reference,
                title=title,
                rank=position,
                count=s.count,
                raw_mean=s.mean,
                median=s.median,
                sd=s.sd,
                low=s.low,
                high=s.high,
                range=s.range,
                scientific_mean=s.scientific_mean,
                lay_mean=s.lay_mean,
                disagreement=s.disagreement,
                normalised_mean=normalised.get(pk),
                raw_percentile=raw_pct[pk],
                percentile=norm_pct[pk],
                above_line=call_rank[pk] <= discuss_count,
                discussed=override if override is not None else call_rank[pk] <= discuss_count,
                override=override,
                override_reason=reason,
            )
        )
    line_after = sum(1 for row in rows if row.above_line)
    hides = len(visible) < len(order)
    return CallRanking(
        rows=rows,
        discuss_count=discuss_count,
        # For a viewer with hidden items "the top half" is only said when it is the top half of what
        # they see: otherwise the line would give the hidden items away.
        line_is_default=triage is None and (not hides or line_after == default_discuss_count(len(rows))),
        line_after=line_after,
        flagged_reviewers=normalisation.flagged,
        call_places=tuple(call_rank[a[0]] for a in visible),
        hides=hides,
    )


# Sorting and filtering: query parameters checked against the columns above.


@dataclass(frozen=True)
class RankingQuery:
    sort: str = "rank"
    descending: bool = False
    search: str = ""
    booleans: dict = field(default_factory=dict)  # column → True/False
    bounds: dict = field(default_factory=dict)  # column → (min or None, max or None)

    @property
    def is_default_order(self) -> bool:
        return self.sort == "rank" and not self.descending

    def as_params(self) -> dict[str, str]:
        params = {"sort": self.sort, "dir": "desc" if self.descending else "asc"}
        if self.search:
            params["q"] = self.search
        for column, value in self.booleans.items():
            params[column] = "yes" if value else "no"
        for column, (low, high) in self.bounds.items():
            if low is not None:
                params[f"{column}_min"] = f"{low:g}"
            if high is not None:
                params[f"{column}_max"] = f"{high:g}"
        return params


def _number(params: Mapping[str, str], name: str) -> float | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"“{name}” must be a number.", field_errors={name: ["Enter a number."]}) from None
    if math.isnan(number):
        raise Invalid(f"“{name}” must be a number.", field_errors={name: ["Enter a number."]})
    return number


def parse_ranking_query(params: Mapping[str, str]) -> RankingQuery:
    """``sort`` (a column), ``dir`` (asc/desc), ``q`` (reference or title), ``disagreement`` and
    ``discussed`` (yes/no), ``<numeric column>_min`` / ``_max``. Unknown columns and values: 400."""
    sort = params.get("sort") or "rank"
    if sort not in SORT_COLUMNS:
        raise Invalid(
            f"Cannot sort by “{sort}”; choose one of {', '.join(SORT_COLUMNS)}.",
            field_errors={"sort": [f"Unknown column “{sort}”."]},
        )
    direction = params.get("dir") or "asc"
    if direction not in ("asc", "desc"):
        raise Invalid("“dir” is asc or desc.", field_errors={"dir": ["Choose asc or desc."]})
    booleans = {}
    for column in BOOLEAN_COLUMNS:
        value = params.get(column) or ""
        if value not in ("", "yes", "no"):
            raise Invalid(f"“{column}” is yes or no.", field_errors={column: ["Choose yes or no."]})
        if value:
            booleans[column] = value == "yes"
    bounds = {}
    for column in NUMERIC_COLUMNS:
        low, high = _number(params, f"{column}_min"), _number(params, f"{column}_max")
        if low is not None or high is not None:
            bounds[column] = (low, high)
    return RankingQuery(
        sort=sort,
        descending=direction == "desc",
        search=(params.get("q") or "").strip()[:200],
        booleans=booleans,
        bounds=bounds,
    )


def _keep(row: RankingRow, query: RankingQuery) -> bool:
    if query.search:
        needle = query.search.casefold()
        if needle not in row.reference.casefold() and needle not in row.title.casefold():
            return False
    if any(getattr(row, column) != value for column, value in query.booleans.items()):
        return False
    for column, (low, high) in query.bounds.items():
        value = getattr(row, column)
        if value is None or (low is not None and value < low) or (high is not None and value > high):
            return False
    return True


def apply_ranking_query(rows: list[RankingRow], query: RankingQuery) -> list[RankingRow]:
    """Filter, then sort; empty values sort last in either direction, ties by rank."""
    kept = [row for row in rows if _keep(row, query)]
    by_rank = sorted(kept, key=lambda row: row.rank)
    present = [row for row in by_rank if getattr(row, query.sort) is not None]
    empty = [row for row in by_rank if getattr(row, query.sort) is None]

    def key(row):
        value = getattr(row, query.sort)
        return value.casefold() if isinstance(value, str) else value

    return sorted(present, key=key, reverse=query.descending) + empty


# One reviewer's totals against the panel's (the chair's page on harsh and lenient reviewers).

BIN_WIDTH = 10.0


@dataclass(frozen=True)
class ScoreBin:
    low: float
    high: float
    reviewer: int
    panel: int
    reviewer_share: float  # of the reviewer's reviews, 0-1
    panel_share: float


@dataclass(frozen=True)
class ReviewerScores:
    totals: list[float]
    panel_totals: list[float]
    mean: float | None
    sd: float | None  # population sd, as normalisation uses
    panel_mean: float | None
    panel_sd: float | None
    left_raw: bool  # fewer than MIN_REVIEWS_TO_NORMALISE reviews: not normalised
    bins: list[ScoreBin]

    @property
    def difference(self) -> float:
        """The reviewer's mean minus the panel's: below zero, harsher."""
        return self.mean - self.panel_mean


def _bins(totals: list[float], panel: list[float]) -> list[ScoreBin]:
    count = int(scoring.GOODNESS_MAX // BIN_WIDTH)

    def index(total: float) -> int:
        return min(count - 1, max(0, int(total // BIN_WIDTH)))

    mine, theirs = [0] * count, [0] * count
    for total in totals:
        mine[index(total)] += 1
    for total in panel:
        theirs[index(total)] += 1
    return [
        ScoreBin(
            low=i * BIN_WIDTH,
            high=(i + 1) * BIN_WIDTH,
            reviewer=mine[i],
            panel=theirs[i],
            reviewer_share=mine[i] / len(totals) if totals else 0.0,
            panel_share=theirs[i] / len(panel) if panel else 0.0,
        )
        for i in range(count)
    ]


def reviewer_scores(call: Call, reviewer_id: int) -> ReviewerScores | None:
    """The reviewer's submitted totals in the call against every submitted total of the call (one
    query); None when the reviewer has submitted none. No application is named."""
    pairs = list(
        Review.objects.filter(
            form__call=call,
            status=Review.Status.SUBMITTED,
            weighted_total__isnull=False,
            assignment__application__status=Application.Status.SUBMITTED,
        ).values_list("assignment__reviewer_id", "weighted_total")
    )
    totals = sorted(total for reviewer, total in pairs if reviewer == reviewer_id)
    if not totals:
        return None
    panel = sorted(total for _, total in pairs)

    def spread(values):
        return scoring.standard_deviation(values, sample=False)

    return ReviewerScores(
        totals=totals,
        panel_totals=panel,
        mean=statistics.fmean(totals),
        sd=spread(totals),
        panel_mean=statistics.fmean(panel),
        panel_sd=spread(panel),
        left_raw=len(totals) < scoring.MIN_REVIEWS_TO_NORMALISE,
        bins=_bins(totals, panel),
    )


def reviewers_of_ranking(call: Call) -> list[dict]:
    """Everyone with a submitted review in the call: id, name, count and mean total (one query), for
    the chair's links to each reviewer's score page."""
    return list(
        Review.objects.filter(
            form__call=call,
            status=Review.Status.SUBMITTED,
            weighted_total__isnull=False,
            assignment__application__status=Application.Status.SUBMITTED,
        )
        .values("assignment__reviewer_id", "assignment__reviewer__full_name")
        .annotate(count=Count("pk"), mean=Avg("weighted_total"))
        .order_by("assignment__reviewer__full_name", "assignment__reviewer_id")
    )
