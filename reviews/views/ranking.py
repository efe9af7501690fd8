"""The committee's ranking of a call (chair, committee members, staff): a sortable, filterable table
with the triage line, the chair's triage controls, CSV and XLSX downloads, and a page per reviewer
comparing their totals with the panel's. Conflicted items never appear (``ranking_for``)."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.errors import DomainError
from core.exports import csv_response, xlsx_response
from core.page_cache import cached_page
from reviews.permissions import can_manage_triage, can_view_ranking
from reviews.ranking_export import export_rows
from reviews.ranking_html import reviewer_links, table_body
from reviews.score_chart import score_chart
from reviews.selectors import conflicts_in_force
from reviews.selectors_ranking import (
    SORT_COLUMNS,
    RankingQuery,
    apply_ranking_query,
    parse_ranking_query,
    ranking_for,
    reviewer_scores,
    reviewers_of_ranking,
    triageable_applications,
)
from reviews.services.triage import clear_triage_override, set_triage_line, set_triage_override
from reviews.views.common import is_htmx, require, visible_call

COLUMN_LABELS = {
    "rank": "Rank",
    "reference": "Reference",
    "title": "Title",
    "count": "Reviews",
    "raw_mean": "Raw mean",
    "normalised_mean": "Normalised mean",
    "percentile": "Percentile",
    "median": "Median",
    "sd": "SD",
    "range": "Range",
    "scientific_mean": "Scientific mean",
    "lay_mean": "Lay mean",
    "disagreement": "Disagreement",
    "discussed": "Discussed",
}


def _ranking_call(request: HttpRequest, slug: str):
    call = visible_call(request, slug)
    require(can_view_ranking(request.user, call))
    return call


def _headers(query: RankingQuery, base: dict[str, str]) -> list[dict]:
    """Column headers with the link that sorts by them (the other direction when already sorted)."""
    headers = []
    for column, label in COLUMN_LABELS.items():
        current = query.sort == column
        direction = "asc" if not current or query.descending else "desc"
        params = base | {"sort": column, "dir": direction}
        sort_state = ("descending" if query.descending else "ascending") if current else "none"
        headers.append({"column": column, "label": label, "url": "?" + urlencode(params), "aria": sort_state})
    return headers


def _context(request: HttpRequest, call, query: RankingQuery, *, error: str = "") -> dict:
    ranking = ranking_for(call, request.user)
    rows = apply_ranking_query(ranking.rows, query)
    params = query.as_params()
    filters = {k: v for k, v in params.items() if k not in ("sort", "dir")}
    can_manage = bool(can_manage_triage(request.user, call))
    query_string = urlencode(params)
    show_line, line_index = query.is_default_order, sum(1 for row in rows if row.above_line)
    # The rows' HTML is built in Python: a template loop over them cost ~10x more (reviews.ranking_html).
    table_html = table_body(
        rows,
        call_slug=call.slug,
        can_manage=can_manage,
        query_string=query_string,
        csrf_token=get_token(request) if can_manage else "",
        line_before=line_index if show_line else None,
    )
    return {
        "call": call,
        "ranking": ranking,
        "rows": rows,
        "table_body": table_html,
        "query": query,
        "query_string": query_string,
        "headers": _headers(query, filters),
        "show_line": show_line,
        "line_index": line_index,
        "can_manage": can_manage,
        "reviewers": reviewer_links(reviewers_of_ranking(call), call.slug) if can_manage else [],
        "error": error,
        "sort_columns": SORT_COLUMNS,
    }


def _parse(request: HttpRequest) -> tuple[RankingQuery, str]:
    try:
        return parse_ranking_query(request.GET), ""
    except DomainError as error:
        return RankingQuery(), error.message


@login_required
@require_GET
@cached_page(guard=conflicts_in_force)
def ranking_view(request: HttpRequest, slug: str) -> HttpResponse:
    """An unknown sort column or filter value answers 400 with the default table and the reason."""
    call = _ranking_call(request, slug)
    query, error = _parse(request)
    context = _context(request, call, query, error=error)
    return render(request, "reviews/ranking.html", context, status=400 if error else 200)


def _export(request: HttpRequest, slug: str):
    call = _ranking_call(request, slug)
    query, error = _parse(request)
    if error:
        return call, None, error
    return call, apply_ranking_query(ranking_for(call, request.user).rows, query), ""


@login_required
@require_GET
def ranking_csv_view(request: HttpRequest, slug: str) -> HttpResponse:
    call, rows, error = _export(request, slug)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return csv_response(export_rows(rows), filename=f"ranking-{call.slug}.csv")


@login_required
@require_GET
def ranking_xlsx_view(request: HttpRequest, slug: str) -> HttpResponse:
    call, rows, error = _export(request, slug)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return xlsx_response(export_rows(rows), filename=f"ranking-{call.slug}.xlsx", title="Ranking")


def _after_change(request: HttpRequest, call, *, error: str = "", status: int = 200) -> HttpResponse:
    """htmx: the table again, in place; without JavaScript: back to the page (same sort and filters)."""
    query, parse_error = _parse(request)
    if is_htmx(request) or error:
        template = "reviews/_ranking_table.html" if is_htmx(request) else "reviews/ranking.html"
        context = _context(request, call, query, error=error or parse_error)
        return render(request, template, context, status=status if error else 200)
    return redirect(reverse("reviews:ranking", args=[call.slug]) + "?" + urlencode(query.as_params()))


def _managed_call(request: HttpRequest, slug: str):
    call = _ranking_call(request, slug)
    require(can_manage_triage(request.user, call))
    return call


@login_required
@require_POST
def triage_line_view(request: HttpRequest, slug: str) -> HttpResponse:
    """``discuss_count`` (blank: the top half), or ``move`` up or down by one row."""
    call = _managed_call(request, slug)
    move = request.POST.get("move", "")
    raw = request.POST.get("discuss_count", "").strip()
    # The number is over the rows the user sees (the call's line when they see everything).
    ranking = ranking_for(call, request.user)
    try:
        if move in ("up", "down"):
            count = max(0, ranking.line_after + (-1 if move == "up" else 1))
        elif raw == "":
            count = None
        elif re.fullmatch(r"[0-9]{1,9}", raw):  # not isdigit(): it accepts "²", which int() refuses
            count = int(raw)
        else:
            return _after_change(request, call, error="Enter a whole number of applications.", status=400)
        set_triage_line(call=call, discuss_count=ranking.call_line(count), by=request.user)
    except DomainError as error:
        return _after_change(request, call, error=error.message, status=error.status_code)
    return _after_change(request, call)


@login_required
@require_POST
def triage_override_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """``action``: discuss (pull back into discussion), aside (not discussed) or clear (its place)."""
    call = _managed_call(request, slug)
    application = get_object_or_404(triageable_applications(call, request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "clear":
            clear_triage_override(call=call, application=application, by=request.user)
        elif action in ("discuss", "aside"):
            set_triage_override(
                call=call,
                application=application,
                discuss=action == "discuss",
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
        else:
            return _after_change(request, call, error="Choose discuss, aside or clear.", status=400)
    except DomainError as error:
        return _after_change(request, call, error=error.message, status=error.status_code)
    return _after_change(request, call)


@login_required
@require_GET
def reviewer_scores_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """The reviewer's totals against the panel's (staff or the chair): harsh and lenient reviewers."""
    call = _managed_call(request, slug)
    reviewer = get_object_or_404(User, pk=user_id)
    scores = reviewer_scores(call, reviewer.pk)
    if scores is None:
        raise Http404("This reviewer has submitted no review in this call.")
    context = {"call": call, "reviewer": reviewer, "scores": scores, "chart": score_chart(scores)}
    return render(request, "reviews/reviewer_scores.html", context)
