"""A table of figures, shown on a page and downloaded as CSV with the same columns: the data behind
each chart and each process analytic."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from portfolio.selectors import Breakdown


class Kind:
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"  # a share, 0 to 1; written as a percentage
    DAYS = "days"
    DECIMAL = "decimal"  # written with one decimal


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = Kind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind != Kind.TEXT


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""
    footer: list = field(default_factory=list)  # a totals row, if any

    def csv_rows(self) -> Iterator[list]:
        """The header and the rows: shares as percentages with one decimal, days with one decimal,
        money with two, "n/a" never written as 0 (an empty cell instead)."""
        yield [column.label + (" (%)" if column.kind == Kind.PERCENT else "") for column in self.columns]
        for row in [*self.rows, *([self.footer] if self.footer else [])]:
            yield [_csv_cell(value, column.kind) for value, column in zip(row, self.columns, strict=True)]


def _csv_cell(value, kind: str):
    if value is None:
        return ""
    if kind == Kind.PERCENT:
        return f"{value * 100:.1f}"
    if kind in (Kind.DAYS, Kind.DECIMAL):
        return f"{value:.1f}"
    if kind == Kind.MONEY:
        return f"{Decimal(value):.2f}"
    return value


def breakdown_table(breakdown: Breakdown, currency: str) -> Table:
    return Table(
        key=breakdown.key,
        title=f"The data of “{breakdown.title}”",
        columns=[
            Column(breakdown.dimension),
            Column("Awards", Kind.COUNT),
            Column(f"Amount ({currency})", Kind.MONEY),
            Column("Share of the total", Kind.PERCENT),
        ],
        rows=[[row.label, row.awards, row.amount, row.share] for row in breakdown.rows],
    )
