"""Final-score arithmetic of the panel meeting: pure functions, no database.

The item's final score is the *arithmetic mean* of the final scores of the eligible members (committee
members without an active conflict on the application) who scored it; members who did not score are
left out, never counted as zero. It is computed exactly (as a fraction), then rounded once, half up,
to three decimals (the precision ``MeetingItem.final_score`` stores): 2, 3, 3 give 8/3 = 2.667.

NIH style (``show_times_ten``) shows the stored mean times 10 rounded half up to one decimal: 2.667 → 26.7.
Without it the stored mean is shown to two decimals: 2.67. The final scale's direction is unchanged
(on NIH's 1-9 scale, lower is better).
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

STORED = Decimal("0.001")
SHOWN_TIMES_TEN = Decimal("0.1")
SHOWN = Decimal("0.01")


def mean_final_score(scores: Iterable[Decimal | int]) -> Decimal | None:
    """The exact mean of ``scores`` rounded half up to three decimals; None when there are none."""
    values = [Fraction(Decimal(score)) for score in scores]
    if not values:
        return None
    exact = sum(values, Fraction(0)) / len(values)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(STORED, rounding=ROUND_HALF_UP)


def shown_final_score(mean: Decimal | None, *, times_ten: bool) -> Decimal | None:
    """The figure shown for a stored mean: times 10 to one decimal (NIH's impact score), else two decimals."""
    if mean is None:
        return None
    if times_ten:
        return (mean * 10).quantize(SHOWN_TIMES_TEN, rounding=ROUND_HALF_UP)
    return mean.quantize(SHOWN, rounding=ROUND_HALF_UP)
