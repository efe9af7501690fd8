"""Portal pages of the portfolio: the funded-research charts (staff and committee members), the process
analytics and a call's register downloads (staff). Every figure comes from the selectors; each chart
and table downloads as CSV with ``?export=<key>`` and the page's filters."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from applications.models import Call
from core.errors import Verdict
from core.exports import csv_response, xlsx_response
from portfolio.charts import bar_chart, breakdown_chart
from portfolio.exports import REGISTERS
from portfolio.filters import parse_filter
from portfolio.permissions import can_export_registers, can_view_portfolio, can_view_process_analytics
from portfolio.selectors import Portfolio, portfolio_for
from portfolio.selectors_process import analytics_calls, process_analytics
from portfolio.tables import Column, Kind, Table, breakdown_table


def require(verdict: Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


def links_table(portfolio: Portfolio) -> Table:
    currency = portfolio.currency
    return Table(
        key="links",
        title="Planning grants and the follow-on awards they led to",
        columns=[
            Column("Planning grant"),
            Column("Title"),
            Column(f"Amount ({currency})", Kind.MONEY),
            Column("Follow-on award"),
            Column("Title"),
            Column(f"Amount ({currency})", Kind.MONEY),
            Column("Principal investigator"),
        ],
        rows=[
            [
                link.planning.reference,
                link.planning.application.title,
                _converted(portfolio, link.planning),
                link.follow_on.reference,
                link.follow_on.application.title,
                _converted(portfolio, link.follow_on),
                link.follow_on.application.pi.full_name,
            ]
            for link in portfolio.links
        ],
        note="A follow-on award is linked to the planning grant its principal investigator holds from the "
        "call named as the stage 2 call's prerequisite.",
    )


def _converted(portfolio: Portfolio, award):
    rates = {rate.call_id: rate for rate in portfolio.rates}
    rate = rates.get(award.application.call_id)
    return rate.convert(award.amount) if rate else None


def _csv(table: Table, name: str) -> HttpResponse:
    return csv_response(table.csv_rows(), filename=f"{name}-{table.key}.csv")


@login_required
@require_GET
def portfolio_view(request: HttpRequest) -> HttpResponse:
    require(can_view_portfolio(request.user))
    portfolio_filter, form = parse_filter(request.GET)
    portfolio = portfolio_for(viewer=request.user, portfolio_filter=portfolio_filter)
    charts = [
        {
            "breakdown": b,
            "chart": breakdown_chart(b, portfolio.currency),
            "table": breakdown_table(b, portfolio.currency),
        }
        for b in portfolio.breakdowns
    ]
    links = links_table(portfolio)
    export = request.GET.get("export")
    if export:
        tables = {entry["table"].key: entry["table"] for entry in charts} | {links.key: links}
        if export not in tables:
            raise Http404("There is no such table to download.")
        return _csv(tables[export], "portfolio")
    return render(
        request,
        "portfolio/portfolio.html",
        {
            "portfolio": portfolio,
            "form": form,
            "charts": charts,
            "links": links,
            "query": urlencode(portfolio_filter.as_params()),
            "section": "portfolio",
        },
    )


@login_required
@require_GET
def analytics_view(request: HttpRequest) -> HttpResponse:
    require(can_view_process_analytics(request.user))
    calls = analytics_calls()
    slug = request.GET.get("call", "")
    call = next((c for c in calls if c.slug == slug), None)
    if slug and call is None:
        raise Http404("No such call.")
    tables = process_analytics(call=call)
    export = request.GET.get("export")
    if export:
        by_key = {table.key: table for table in tables}
        if export not in by_key:
            raise Http404("There is no such table to download.")
        return _csv(by_key[export], "process")
    success = tables[0]
    chart = bar_chart(
        key="success",
        title="Success rate per call",
        desc="Horizontal bars, one per call, their lengths the share of applications that led to an award; "
        "each is labelled with the rate and the counts. The table below gives the same numbers.",
        rows=[
            (
                row[0],
                row[4] or 0,
                f"{row[4]:.1%} ({row[3]} of {row[2]})" if row[4] is not None else "no applications",
            )
            for row in success.rows
        ],
    )
    return render(
        request,
        "portfolio/analytics.html",
        {
            "tables": tables,
            "chart": chart,
            "calls": calls,
            "call": call,
            "query": urlencode({"call": call.slug} if call else {}),
            "section": "analytics",
        },
    )


@login_required
@require_GET
def exports_view(request: HttpRequest) -> HttpResponse:
    require(can_export_registers(request.user))
    return render(
        request,
        "portfolio/exports.html",
        {
            "calls": analytics_calls(),
            "registers": REGISTERS.values(),
            "prefix": settings.GRANTED_360_PREFIX,
            "section": "exports",
        },
    )


@login_required
@require_GET
def register_export_view(request: HttpRequest, slug: str, register: str, fmt: str) -> HttpResponse:
    """A call's register as a streamed CSV, or an XLSX written row by row (openpyxl's write-only mode)
    to a temporary file and sent from it."""
    require(can_export_registers(request.user))
    call = get_object_or_404(Call, slug=slug)
    if register not in REGISTERS or fmt not in ("csv", "xlsx"):
        raise Http404("No such register.")
    spec = REGISTERS[register]
    filename = f"{call.slug}-{spec.key}.{fmt}"
    if fmt == "csv":
        return csv_response(spec.rows(call), filename=filename)
    return xlsx_response(spec.rows(call), filename=filename, title=spec.title)
