"""Writing a figure of a portfolio table for the page: counts as they are, money with thousands
separators and cents, shares as percentages, days and means with one decimal, a missing value as n/a."""

from decimal import Decimal

from django import template

from portfolio.tables import Kind

register = template.Library()


@register.filter
def figure(value, kind: str) -> str:
    if value is None or value == "":
        return "n/a" if kind != Kind.TEXT else ""
    if kind == Kind.MONEY:
        return f"{Decimal(value):,.2f}"
    if kind == Kind.PERCENT:
        return f"{value:.1%}"
    if kind in (Kind.DAYS, Kind.DECIMAL):
        return f"{value:,.1f}"
    if kind == Kind.COUNT:
        return f"{value:,}"
    return str(value)


@register.filter
def cells(row: list, columns: list) -> list:
    """(value, column) pairs of a row, for a template loop."""
    return list(zip(row, columns, strict=True))
