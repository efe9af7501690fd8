"""Scoring arithmetic: pure functions, no database.

Every total here is on the 0-100 *goodness* scale: a raw score is mapped linearly from its
criterion's scale so that the best end is 100 and the worst 0, whatever the direction (NIH's
"1 is best" included). Totals of different scales and forms are then comparable.

Which average is used where, said once:

- the weighted total of one review is the *weighted arithmetic mean* of the goodness of the
  criteria that were scored; "not applicable" is left out and the remaining weights renormalised
  (it is never counted as zero); the overall score is stored apart and never mixed in;
- per application, ``mean`` is the arithmetic mean of the reviews' totals, ``sd`` the *sample*
  standard deviation (n - 1), ``median`` the middle value (mean of the two middle ones for even n);
- normalisation z-scores each reviewer's totals with the *population* standard deviation of that
  reviewer's own totals in the call, and maps them back with the call's mean and *population* sd.
"""

import bisect
import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

GOODNESS_MAX = 100.0
# A spread of a third of the scale between the kindest and harshest review of one application marks
# it for discussion (e.g. 3 versus 6 on a 1-9 NIH scale is 37.5 points).
DISAGREEMENT_RANGE = 30.0
# Fewer reviews than this and a reviewer's own mean and spread say too little to normalise against.
MIN_REVIEWS_TO_NORMALISE = 3

LOWER_IS_BETTER = "lower_is_better"


def goodness(value: float, criterion) -> float:
    """Map a raw score onto 0-100, 100 best; ``criterion`` has ``scale_min``, ``scale_max`` and
    ``direction`` (``"lower_is_better"`` reverses the scale)."""
    low, high = criterion.scale_min, criterion.scale_max
    if not low <= value <= high:
        raise ValueError(f"{value} is outside the scale {low}-{high}.")
    share = (value - low) / (high - low)
    if criterion.direction == LOWER_IS_BETTER:
        share = 1 - share
    return GOODNESS_MAX * share


def weighted_total(scores: Iterable[tuple[object, float | None]]) -> float | None:
    """Σ wᵢ·gᵢ / Σ wᵢ over the criteria that were scored, gᵢ the goodness (0-100) of the score.

    ``scores`` pairs a criterion (``weight``, scale, direction, optionally ``counts_toward_total``)
    with its raw value, or None for "not applicable": n/a criteria drop out of both sums, so the
    other weights are renormalised. None when nothing counting was scored.
    """
    numerator = denominator = 0.0
    for criterion, value in scores:
        if value is None or not getattr(criterion, "counts_toward_total", True):
            continue
        weight = float(criterion.weight)
        numerator += weight * goodness(value, criterion)
        denominator += weight
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class ApplicationStatistics:
    count: int
    mean: float | None
    median: float | None
    sd: float | None  # sample standard deviation (n - 1); None below two reviews
    low: float | None
    high: float | None
    scientific_mean: float | None
    lay_mean: float | None

    @property
    def range(self) -> float | None:
        return None if self.count == 0 else self.high - self.low

    @property
    def disagreement(self) -> bool:
        """The reviews are far apart: range ≥ ``DISAGREEMENT_RANGE`` goodness points."""
        return self.count >= 2 and self.range >= DISAGREEMENT_RANGE


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def standard_deviation(values: Sequence[float], *, sample: bool) -> float:
    """Sample (n - 1) or population (n) standard deviation in floats, two passes with ``math.fsum``:
    as accurate as ``statistics.stdev``/``pstdev`` to ~1e-15 and far faster on a whole call; exactly 0
    when every value is the same (normalisation relies on it)."""
    if min(values) == max(values):
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(
        math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1 if sample else len(values))
    )


def application_statistics(totals_by_reviewer_kind: Mapping[str, Sequence[float]]) -> ApplicationStatistics:
    """Summarise one application's review totals, given as {"scientific": [...], "lay": [...]}.

    Mean and median are over all reviews together (one review, one vote); the scientific and lay
    means are arithmetic means of each group alone, None when the group is empty.
    """
    everything = [t for totals in totals_by_reviewer_kind.values() for t in totals]
    return ApplicationStatistics(
        count=len(everything),
        mean=_mean(everything),
        median=statistics.median(everything) if everything else None,
        sd=standard_deviation(everything, sample=True) if len(everything) >= 2 else None,
        low=min(everything, default=None),
        high=max(everything, default=None),
        scientific_mean=_mean(totals_by_reviewer_kind.get("scientific", [])),
        lay_mean=_mean(totals_by_reviewer_kind.get("lay", [])),
    )


@dataclass(frozen=True)
class Normalisation:
    """Each reviewer's totals after normalisation, by reviewer then application; ``flagged`` are the
    reviewers with fewer than ``MIN_REVIEWS_TO_NORMALISE`` reviews, whose totals are left raw."""

    totals: dict[Hashable, dict[Hashable, float]]
    flagged: frozenset = field(default_factory=frozenset)
    call_mean: float | None = None
    call_sd: float | None = None

    def by_application(self) -> dict[Hashable, list[float]]:
        out: dict[Hashable, list[float]] = {}
        for per_application in self.totals.values():
            for application, total in per_application.items():
                out.setdefault(application, []).append(total)
        return out

    def means(self) -> dict[Hashable, float]:
        """The arithmetic mean of each application's normalised totals."""
        return {application: statistics.fmean(v) for application, v in self.by_application().items()}


def normalise(
    totals_by_reviewer: Mapping[Hashable, Sequence[tuple[Hashable, float]]],
    call_mean: float | None = None,
    call_sd: float | None = None,
) -> Normalisation:
    """Take out each reviewer's harshness and spread, then put the totals back on the scale.

    For a reviewer r with at least three reviews in the call: z = (t - μᵣ) / σᵣ, μᵣ the mean and σᵣ
    the population sd of r's own totals (z = 0 when σᵣ = 0: r gave every application the same
    total), and the normalised total is call_mean + z · call_sd, clipped to 0-100. ``call_mean`` and
    ``call_sd`` default to the mean and population sd of every total in the call. Reviewers with
    fewer reviews are flagged and their totals left raw.
    """
    everything = [total for pairs in totals_by_reviewer.values() for _, total in pairs]
    if call_mean is None:
        call_mean = statistics.fmean(everything) if everything else None
    if call_sd is None:
        call_sd = standard_deviation(everything, sample=False) if everything else None
    normalised: dict[Hashable, dict[Hashable, float]] = {}
    flagged = set()
    for reviewer, pairs in totals_by_reviewer.items():
        if len(pairs) < MIN_REVIEWS_TO_NORMALISE:
            flagged.add(reviewer)
            normalised[reviewer] = dict(pairs)
            continue
        own = [total for _, total in pairs]
        mu, sigma = statistics.fmean(own), standard_deviation(own, sample=False)
        normalised[reviewer] = {
            application: min(
                GOODNESS_MAX, max(0.0, call_mean + (0.0 if sigma == 0 else (t - mu) / sigma) * call_sd)
            )
            for application, t in pairs
        }
    return Normalisation(normalised, frozenset(flagged), call_mean, call_sd)


def percentile(values: Mapping[Hashable, float | None]) -> dict[Hashable, float | None]:
    """Percentile rank within the call: the share (in %) of the call's valued items at or below each
    one, so the best is 100 and ties share a rank. None stays None and is not counted."""
    present = sorted(v for v in values.values() if v is not None and not math.isnan(v))
    n = len(present)
    out: dict[Hashable, float | None] = {}
    for key, value in values.items():
        if value is None or math.isnan(value):
            out[key] = None
        else:
            out[key] = 100.0 * bisect.bisect_right(present, value) / n  # how many are ≤ value
    return out
