"""The body of the committee's ranking table as HTML, for ``templates/reviews/_ranking_table.html``.

A call in review has a couple of hundred applications and each row fifteen cells, the chair's with a
triage form. Rendered by the template language the rows cost ~250 ms of CPU per page (measured with
``bench/load.py``: ``floatformat``, ``{% url %}`` and the localisation of every value, two hundred
times over), which held the page to a few requests per second; built here they cost a few
milliseconds. Every text is escaped as the template escapes it (``html.escape``, quotes included);
numbers are formatted by ``fixed``, which shows what ``floatformat`` shows. The markup is the
template's, cell for cell (``tests/performance/test_ranking_html.py`` keeps the template as the
oracle): change the rows here and the table's head there together.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from reviews.selectors_ranking import RankingRow

DASH = "—"
# A primary key no application has, reversed once and replaced by each row's (one reverse per page).
_SENTINEL = "987654321987654321"
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(4)}
_CONTEXT = Context(prec=420)  # enough for the 200 digits beyond which floatformat gives up too


def fixed(value, places: int) -> str:
    """What ``{{ value|floatformat:places }}`` shows (0 <= ``places`` <= 3, English formats: no
    grouping), "" for None, without the filter's localisation machinery (~20 µs a value).

    The same Decimal rounding as the filter: half up on ``str(value)``, and no "-0.0". Floats are
    remembered (a ranking repeats the same few hundred means on every request); equal floats show
    alike, 0.0 and -0.0 included.
    """
    if type(value) is float:
        return _fixed_float(value, places)
    return _fixed(value, places)


def _fixed(value, places: int) -> str:
    if value is None:
        return ""
    text = str(value)
    try:
        number = Decimal(text)
    except ArithmeticError:
        return ""
    if not number.is_finite():
        return text
    _, digits, exponent = number.as_tuple()
    if len(digits) + abs(exponent) > 200:
        return text
    if places == 0 and number == number.to_integral_value():
        return str(int(number))
    rounded = number.quantize(_STEPS[places], ROUND_HALF_UP, _CONTEXT)
    return f"{rounded if rounded else rounded.copy_abs():f}"


_fixed_float = lru_cache(maxsize=8192)(_fixed)


def url_by_pk(viewname: str, call_slug: str):
    """A function giving ``reverse(viewname, args=[call_slug, pk])`` by ``pk``, reversed only once."""
    head, _, tail = reverse(viewname, args=[call_slug, _SENTINEL]).rpartition(_SENTINEL)
    return lambda pk: f"{head}{int(pk)}{tail}"


_ROW = """    <tr id="rank-{id}" class="{css}">
      <td>{rank}</td>
      <td>{reference}</td>
      <td>{title}</td>
      <td>{count}</td>
      <td>{raw_mean}</td>
      <td>{normalised_mean}</td>
      <td>{percentile}</td>
      <td>{median}</td>
      <td>{sd}</td>
      <td>{range}</td>
      <td>{scientific_mean}</td>
      <td>{lay_mean}</td>
      <td>{disagreement}</td>
      <td>{discussed}{override}</td>
{form}    </tr>
"""
_RANGE = '{} <span class="meta">({}\u2013{})</span>'  # an en dash between the lowest and highest
_DISAGREEMENT = '<span class="badge badge-warning">Disagreement</span>'
_OVERRIDE = ' <span class="meta">({}{})</span>'
_FORM = """      <td>
        <form method="post" action="{url}" class="inline-form"
              hx-post="{url}" hx-target="#ranking-table" hx-swap="outerHTML">\
<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
          {controls}
        </form>
      </td>
"""
_CLEAR = (
    '<button type="submit" name="action" value="clear" class="button small secondary">'
    "Back to its place</button>"
)
_ASIDE = """<label class="visually-hidden" for="reason-{id}">Reason for setting {reference} aside</label>
            <input type="text" name="reason" id="reason-{id}" placeholder="Reason" maxlength="2000">
            <button type="submit" name="action" value="aside" class="button small secondary">\
Set aside</button>"""
_DISCUSS = """<label class="visually-hidden" for="reason-{id}">Reason for discussing {reference}</label>
            <input type="text" name="reason" id="reason-{id}" placeholder="Reason" maxlength="2000">
            <button type="submit" name="action" value="discuss" class="button small">\
Pull back into discussion</button>"""
_LINE_ABOVE = (
    '    <tr class="triage-line" id="triage-line"><td colspan="{}">'
    "Triage line: below, not discussed unless pulled back</td></tr>\n"
)


def _or_dash(value, places: int) -> str:
    return fixed(value, places) or DASH


def _override_note(row: RankingRow) -> str:
    if row.override is None:
        return ""
    reason = f": {escape(row.override_reason)}" if row.override_reason else ""
    return _OVERRIDE.format("pulled back" if row.override else "set aside", reason)


def _form(row: RankingRow, url: str, csrf_token: str) -> str:
    if row.override is not None:
        controls = _CLEAR
    else:
        controls = (_ASIDE if row.discussed else _DISCUSS).format(
            id=row.application_id, reference=escape(row.reference)
        )
    return _FORM.format(url=escape(url), csrf=escape(csrf_token), controls=controls)


def row_html(row: RankingRow, *, form_url: str = "", csrf_token: str = "") -> SafeString:
    """One row of the table; with ``form_url`` (the chair's, or staff's) its triage form posting there."""
    spread = DASH
    if row.range is not None:
        spread = _RANGE.format(fixed(row.range, 1), fixed(row.low, 0), fixed(row.high, 0))
    return mark_safe(  # every text inserted is escaped above or here
        _ROW.format(
            id=int(row.application_id),
            css="discussed" if row.discussed else "not-discussed",
            rank=int(row.rank),
            reference=escape(row.reference),
            title=escape(row.title),
            count=int(row.count),
            raw_mean=_or_dash(row.raw_mean, 1),
            normalised_mean=_or_dash(row.normalised_mean, 1),
            percentile=_or_dash(row.percentile, 0),
            median=_or_dash(row.median, 1),
            sd=_or_dash(row.sd, 1),
            range=spread,
            scientific_mean=_or_dash(row.scientific_mean, 1),
            lay_mean=_or_dash(row.lay_mean, 1),
            disagreement=_DISAGREEMENT if row.disagreement else DASH,
            discussed="Yes" if row.discussed else "No",
            override=_override_note(row),
            form=_form(row, form_url, csrf_token) if form_url else "",
        )
    )


def table_body(
    rows: Sequence[RankingRow],
    *,
    call_slug: str,
    can_manage: bool,
    query_string: str,
    csrf_token: str,
    line_before: int | None,
) -> SafeString:
    """The rows in order, the triage line above row ``line_before`` (None: no line among them); the
    chair's triage forms keep the table's sort and filters (``query_string``)."""
    url_of = url_by_pk("reviews:triage_override", call_slug) if can_manage else None
    parts = []
    for index, row in enumerate(rows):
        if index == line_before:
            parts.append(_LINE_ABOVE.format(15 if can_manage else 14))
        form_url = f"{url_of(row.application_id)}?{query_string}" if url_of else ""
        parts.append(row_html(row, form_url=form_url, csrf_token=csrf_token))
    return mark_safe("".join(parts))  # rows built by row_html, lines literal


def reviewer_links(reviewers: list[dict], call_slug: str) -> list[dict]:
    """``reviewers_of_ranking`` with each reviewer's score page and mean total as shown."""
    url_of = url_by_pk("reviews:reviewer_scores", call_slug)
    links = []
    for reviewer in reviewers:
        url, mean = url_of(reviewer["assignment__reviewer_id"]), fixed(reviewer["mean"], 1)
        links.append({**reviewer, "url": url, "mean_shown": mean})
    return links
