"""Geometry of the per-reviewer score chart: a histogram of the reviewer's totals against the
panel's, as shares of each one's reviews, drawn as paired horizontal bars (server-rendered SVG)."""

from dataclasses import dataclass

from reviews.selectors_ranking import ReviewerScores

LABEL_WIDTH, PLOT_WIDTH, ROW_HEIGHT, BAR_HEIGHT, TOP = 70, 460, 30, 12, 10


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    panel_y: int
    text_y: int
    reviewer_width: float
    panel_width: float
    reviewer_label: str
    panel_label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[ChartRow]


def score_chart(scores: ReviewerScores) -> Chart:
    """Best scores at the top (90-100 first); a bar's length is the share of the reviews in the bin."""
    rows = []
    for position, score_bin in enumerate(reversed(scores.bins)):
        rows.append(
            ChartRow(
                label=f"{score_bin.low:g}\u2013{score_bin.high:g}",
                y=TOP + position * ROW_HEIGHT,
                panel_y=TOP + position * ROW_HEIGHT + BAR_HEIGHT,
                text_y=TOP + position * ROW_HEIGHT + BAR_HEIGHT + 4,
                reviewer_width=round(score_bin.reviewer_share * PLOT_WIDTH, 1),
                panel_width=round(score_bin.panel_share * PLOT_WIDTH, 1),
                reviewer_label=f"{score_bin.reviewer_share:.0%}",
                panel_label=f"{score_bin.panel_share:.0%}",
            )
        )
    return Chart(
        width=LABEL_WIDTH + PLOT_WIDTH + 50,
        height=TOP * 2 + len(rows) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        rows=rows,
    )
