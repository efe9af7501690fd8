"""The ranking as rows for a download (CSV or XLSX): one header, then one row per application."""

from collections.abc import Iterator

from reviews.selectors_ranking import RankingRow

HEADER = [
    "Rank",
    "Reference",
    "Title",
    "Reviews",
    "Raw mean",
    "Normalised mean",
    "Raw percentile",
    "Percentile (normalised)",
    "Median",
    "SD (sample)",
    "Lowest",
    "Highest",
    "Range",
    "Scientific mean",
    "Lay mean",
    "Disagreement",
    "Discussed",
    "Triage override",
    "Override reason",
]


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _override(row: RankingRow) -> str:
    if row.override is None:
        return ""
    return "pulled back into discussion" if row.override else "set aside"


def export_rows(rows: list[RankingRow]) -> Iterator[list]:
    """Numbers rounded to two decimals and left as numbers; yes/no for flags."""
    yield HEADER
    for row in rows:
        yield [
            row.rank,
            row.reference,
            row.title,
            row.count,
            _number(row.raw_mean),
            _number(row.normalised_mean),
            _number(row.raw_percentile),
            _number(row.percentile),
            _number(row.median),
            _number(row.sd),
            _number(row.low),
            _number(row.high),
            _number(row.range),
            _number(row.scientific_mean),
            _number(row.lay_mean),
            "yes" if row.disagreement else "no",
            "yes" if row.discussed else "no",
            _override(row),
            row.override_reason,
        ]
