"""Geometry of the portfolio's bar charts, drawn as server-rendered SVG (``portfolio/_chart.html``).

Each bar has its label written above it and its value written after it, so nothing is told by colour
alone; the SVG has a <title> and a <desc>, and the same numbers are in a data table beside it.
"""

from dataclasses import dataclass
from decimal import Decimal

from awards.money import format_money
from portfolio.selectors import Breakdown

WIDTH, LEFT, ROW, BAR, TOP = 560, 2, 46, 18, 8
# A rough width of a 13px value's characters (above the average glyph, so the text fits).
VALUE_CHAR, LABEL_MAX = 7.4, 64


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    label_y: int
    bar_y: int
    value_y: int
    width: float
    value_x: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    desc: str
    bars: list[Bar]
    width: int = WIDTH
    left: int = LEFT
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return TOP * 2 + max(len(self.bars), 1) * ROW

    @property
    def empty(self) -> bool:
        return not self.bars


def _fitted(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "\u2026"


def bar_chart(*, key: str, title: str, desc: str, rows: list[tuple[str, float | Decimal, str]]) -> Chart:
    """``rows`` are (label, value, value as written); bar lengths are proportional to the values, the
    longest filling the plot less the room its value label needs (a value of 0 draws no bar, only its
    labels). A label longer than 64 characters is shortened with an ellipsis; the table has it whole."""
    largest = max((float(value) for _, value, _ in rows), default=0.0)
    value_space = max((len(text) * VALUE_CHAR for _, _, text in rows), default=0.0) + 12
    plot = WIDTH - LEFT - min(value_space, WIDTH / 2)
    bars = []
    for position, (label, value, value_label) in enumerate(rows):
        top = TOP + position * ROW
        width = round(float(value) / largest * plot, 1) if largest > 0 else 0.0
        bars.append(
            Bar(
                label=_fitted(label),
                value_label=value_label,
                label_y=top + 14,
                bar_y=top + 20,
                value_y=top + 20 + BAR - 4,
                width=width,
                value_x=round(LEFT + width + 6, 1),
            )
        )
    return Chart(key=key, title=title, desc=desc, bars=bars)


def _awards(count: int) -> str:
    return f"{count} award{'' if count == 1 else 's'}"


def breakdown_chart(breakdown: Breakdown, currency: str) -> Chart:
    """A portfolio breakdown as a chart: one bar per row, its length the amount in ``currency``."""
    if breakdown.rows:
        largest = max(breakdown.rows, key=lambda row: row.amount)
        desc = (
            f"Horizontal bars, one per {breakdown.dimension.lower()}, their lengths the amount awarded in "
            f"{currency}; each is labelled with its amount and number of awards. The largest is "
            f"{largest.label}: {format_money(largest.amount, currency)}. {breakdown.note} "
            "The data table below gives the same numbers."
        ).replace("  ", " ")
    else:
        desc = "No standing awards match the filter."
    return bar_chart(
        key=breakdown.key,
        title=f"{breakdown.title} ({currency})",
        desc=desc,
        rows=[
            (row.label, row.amount, f"{format_money(row.amount, currency)} · {_awards(row.awards)}")
            for row in breakdown.rows
        ],
    )
