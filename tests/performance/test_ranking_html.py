"""The ranking table's rows built in Python (``reviews.ranking_html``) show exactly what the template
showed: ``fixed`` against ``floatformat`` value for value, each row against the template the rows were
rendered with before (kept here as the oracle), and the chair's triage forms still post."""

import random
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.template import engines
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import translation

from applications.models import Call, CommitteeMembership
from reviews.models import TriageOverride
from reviews.ranking_html import fixed, reviewer_links, row_html, table_body, url_by_pk
from reviews.selectors_ranking import RankingRow
from tests.factories import CallFactory, CommitteeMembershipFactory
from tests.reviews.factories import (
    ReviewFormFactory,
    SubmittedApplicationFactory,
    accepted_reviewer,
    submitted_review,
)

EDGES = [
    *(0, 0.0, -0.0, 0.05, 0.25, 0.35, -0.04, -0.05, -0.4, -0.5, 0.5, 1.5, 2.5, 44.0, 44, 7, 100, 100.0),
    *(99.95, 99.94999, 12.345, 66.66666666666667, 33.333333333333336, 1e-7, -1e-7, 123456789.95, 1e20),
    *(Decimal("2.45"), Decimal("-2.45"), float("inf"), float("nan"), None),
]

# The rows as ``templates/reviews/_ranking_table.html`` rendered them before they moved to Python.
ORACLE = """<tr id="rank-{{ row.application_id }}" class="{% if row.discussed %}discussed{% else %}not-discussed{% endif %}">
<td>{{ row.rank }}</td>
<td>{{ row.reference }}</td>
<td>{{ row.title }}</td>
<td>{{ row.count }}</td>
<td>{{ row.raw_mean|floatformat:1|default:"—" }}</td>
<td>{{ row.normalised_mean|floatformat:1|default:"—" }}</td>
<td>{{ row.percentile|floatformat:0|default:"—" }}</td>
<td>{{ row.median|floatformat:1|default:"—" }}</td>
<td>{{ row.sd|floatformat:1|default:"—" }}</td>
<td>{% if row.range is not None %}{{ row.range|floatformat:1 }} <span class="meta">({{ row.low|floatformat:0 }}–{{ row.high|floatformat:0 }})</span>{% else %}—{% endif %}</td>
<td>{{ row.scientific_mean|floatformat:1|default:"—" }}</td>
<td>{{ row.lay_mean|floatformat:1|default:"—" }}</td>
<td>{% if row.disagreement %}<span class="badge badge-warning">Disagreement</span>{% else %}—{% endif %}</td>
<td>{% if row.discussed %}Yes{% else %}No{% endif %}{% if row.override is True %} <span class="meta">(pulled back{% if row.override_reason %}: {{ row.override_reason }}{% endif %})</span>{% elif row.override is False %} <span class="meta">(set aside{% if row.override_reason %}: {{ row.override_reason }}{% endif %})</span>{% endif %}</td>
{% if can_manage %}
<td>
<form method="post" action="{% url 'reviews:triage_override' call_slug row.application_id %}?{{ query_string }}" class="inline-form"
      hx-post="{% url 'reviews:triage_override' call_slug row.application_id %}?{{ query_string }}" hx-target="#ranking-table" hx-swap="outerHTML">{% csrf_token %}
  {% if row.override is not None %}
    <button type="submit" name="action" value="clear" class="button small secondary">Back to its place</button>
  {% elif row.discussed %}
    <label class="visually-hidden" for="reason-{{ row.application_id }}">Reason for setting {{ row.reference }} aside</label>
    <input type="text" name="reason" id="reason-{{ row.application_id }}" placeholder="Reason" maxlength="2000">
    <button type="submit" name="action" value="aside" class="button small secondary">Set aside</button>
  {% else %}
    <label class="visually-hidden" for="reason-{{ row.application_id }}">Reason for discussing {{ row.reference }}</label>
    <input type="text" name="reason" id="reason-{{ row.application_id }}" placeholder="Reason" maxlength="2000">
    <button type="submit" name="action" value="discuss" class="button small">Pull back into discussion</button>
  {% endif %}
</form>
</td>
{% endif %}
</tr>"""  # noqa: E501, RUF001


def squeeze(html: str) -> str:
    """Whitespace between tags and runs of whitespace do not count."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("places", [0, 1, 2])
def test_fixed_shows_what_floatformat_shows(places):
    rng = random.Random(7)
    randoms = [rng.uniform(-5, 105) for _ in range(3000)] + [rng.randint(0, 800) / 8 for _ in range(400)]
    with translation.override("en-gb"):
        for value in EDGES + randoms:
            assert fixed(value, places) == str(floatformat(value, places)), value


def test_urls_by_pk_are_the_reversed_ones():
    for name in ("reviews:triage_override", "reviews:reviewer_scores"):
        url_of = url_by_pk(name, "call-2026")
        assert url_of(42) == reverse(name, args=["call-2026", 42])
        assert url_of(987) == reverse(name, args=["call-2026", 987])
        assert url_by_pk(name, "9876")(5) == reverse(name, args=["9876", 5])  # a slug of digits


def sample_rows() -> list[RankingRow]:
    """Every branch of a row: missing numbers, both overrides with and without a reason, markup."""
    rng = random.Random(11)
    base = RankingRow(
        application_id=7,
        reference="CA-0007",
        title="Alpha & <b>\"bold\"</b> 'quoted'",
        rank=1,
        count=3,
        raw_mean=72.25,
        median=75.0,
        sd=20.05,
        low=44.5,
        high=81.5,
        range=37.5,
        scientific_mean=62.5,
        lay_mean=None,
        disagreement=True,
        normalised_mean=93.65,
        raw_percentile=99.5,
        percentile=99.5,
        above_line=True,
        discussed=True,
        override=None,
    )
    rows = [
        base,
        replace(base, application_id=8, discussed=False, disagreement=False, override=None),
        replace(base, application_id=9, override=True, override_reason="<script>alert(1)</script> & more"),
        replace(base, application_id=10, override=False, override_reason=""),
        replace(base, application_id=11, override=False, override_reason="Out of scope"),
        replace(base, application_id=12, override=True, override_reason=""),
        replace(
            base,
            application_id=13,
            count=0,
            **dict.fromkeys(("raw_mean", "median", "sd", "low", "high", "range", "scientific_mean"), None),
            **dict.fromkeys(("normalised_mean", "raw_percentile", "percentile"), None),
        ),
    ]
    for pk in range(20, 60):
        numbers = {name: rng.uniform(0, 100) for name in ("raw_mean", "median", "sd", "scientific_mean")}
        rows.append(replace(base, application_id=pk, rank=pk, **numbers, lay_mean=rng.choice([None, 50.05])))
    return rows


@pytest.mark.parametrize("can_manage", [True, False])
@pytest.mark.parametrize("line_before", [None, 0, 3, 47])
def test_the_rows_are_what_the_template_rendered(can_manage, line_before):
    oracle = engines["django"].from_string(ORACLE)
    query_string = "sort=rank&dir=asc&q=a%26b"
    token = "T0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0ke"
    rows = sample_rows()
    body = table_body(
        rows,
        call_slug="call-2026",
        can_manage=can_manage,
        query_string=query_string,
        csrf_token=token,
        line_before=line_before,
    )
    expected = []
    with translation.override("en-gb"):
        for index, row in enumerate(rows):
            if index == line_before:
                colspan = 15 if can_manage else 14
                expected.append(
                    f'<tr class="triage-line" id="triage-line"><td colspan="{colspan}">'
                    "Triage line: below, not discussed unless pulled back</td></tr>"
                )
            context = {"row": row, "call_slug": "call-2026", "query_string": query_string}
            expected.append(oracle.render(context | {"can_manage": can_manage, "csrf_token": token}))
    assert squeeze(body) == squeeze("".join(expected))
    assert body.count("<tr") == len(rows) + (line_before in range(len(rows)))
    assert "<script>" not in body


def test_reviewer_links_are_what_the_template_rendered():
    reviewers = [
        {"assignment__reviewer_id": 5, "assignment__reviewer__full_name": "Ann", "count": 2, "mean": 66.65},
        {"assignment__reviewer_id": 9, "assignment__reviewer__full_name": "Bo", "count": 1, "mean": 50.0},
    ]
    links = reviewer_links(reviewers, "call-2026")
    assert [(link["url"], link["mean_shown"]) for link in links] == [
        (reverse("reviews:reviewer_scores", args=["call-2026", 5]), str(floatformat(66.65, 1))),
        (reverse("reviews:reviewer_scores", args=["call-2026", 9]), "50.0"),
    ]
    assert links[0]["assignment__reviewer__full_name"] == "Ann"


def test_a_row_without_a_form_url_has_no_form():
    html = row_html(sample_rows()[0])
    assert "<form" not in html
    assert "csrfmiddlewaretoken" not in html
    assert "Alpha &amp; &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &#x27;quoted&#x27;" in html


@pytest.mark.django_db
def test_the_chairs_triage_forms_post_with_their_csrf_token():
    call = CallFactory(title="Ranking Page", slug="ranking-page", status=Call.Status.CLOSED)
    form = ReviewFormFactory(call=call)
    reviewer = accepted_reviewer(call, name="Reviewer R")
    apps = [SubmittedApplicationFactory(call=call, reference=f"RP-{i}", title=f"App {i}") for i in range(3)]
    for i, application in enumerate(apps):
        submitted_review(application, reviewer, 40 + 20 * i, form)
    chair = CommitteeMembershipFactory(call=call, role=CommitteeMembership.Role.CHAIR).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair)

    page = client.get(reverse("reviews:ranking", args=[call.slug]) + "?sort=rank&dir=asc")
    assert page.status_code == 200
    body = page.content.decode()
    forms = re.findall(
        r'<form method="post" action="([^"]+/triage/\?[^"]*)".*?name="csrfmiddlewaretoken" value="([^"]+)"',
        body,
        re.S,
    )
    assert len(forms) == 3
    action, token = forms[-1]  # the last row: below the default line (top half), so "discuss"
    expected_url = reverse("reviews:triage_override", args=[call.slug, apps[0].pk])
    assert action == f"{expected_url}?sort=rank&amp;dir=asc"
    assert 'value="discuss"' in body.split(f'id="rank-{apps[0].pk}"')[1].split("</tr>")[0]

    answer = client.post(
        action.replace("&amp;", "&"), {"csrfmiddlewaretoken": token, "action": "discuss", "reason": "Novel"}
    )
    assert answer.status_code == 302
    override = TriageOverride.objects.get(call=call, application=apps[0])
    assert (override.discuss, override.reason) == (True, "Novel")
    again = client.get(reverse("reviews:ranking", args=[call.slug])).content.decode()
    assert "(pulled back: Novel)" in again
    assert "Back to its place" in again
    assert "mean 60.0" in again  # the reviewer's link: one reviewer, totals 40, 60, 80
