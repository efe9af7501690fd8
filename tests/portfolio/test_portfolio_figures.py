"""The portfolio's figures against the hand-computed world (see tests/portfolio/world.py)."""

from decimal import Decimal

import pytest

from portfolio.filters import PortfolioFilter, parse_filter
from portfolio.money import RateSource
from portfolio.selectors import portfolio_for
from reviews.models import Conflict

D = Decimal


def rows(portfolio, key):
    return [(row.label, row.awards, row.amount) for row in portfolio.breakdown(key).rows]


def test_totals_and_every_breakdown_in_euros(world):
    portfolio = portfolio_for(viewer=world.staff, portfolio_filter=PortfolioFilter())

    assert portfolio.currency == "EUR"
    assert [item.award.reference for item in portfolio.items] == [
        "AW-CNA-2026-0001",
        "AW-PG-2025-0001",
        "AW-PG-2025-0002",
    ]  # the declined A3 is left out
    assert portfolio.total == D("140000.00")
    assert rows(portfolio, "funder") == [
        ("Beta", 2, D("60000.00")),
        ("Alpha", 2, D("50000.00")),
        ("Gamma", 1, D("30000.00")),
    ]
    assert rows(portfolio, "program") == [
        ("Collaborative Network Awards", 1, D("80000.00")),
        ("Planning Grants", 2, D("60000.00")),
    ]
    assert rows(portfolio, "country") == [("United Kingdom", 2, D("120000.00")), ("Italy", 1, D("20000.00"))]
    assert rows(portfolio, "focus_area") == [
        ("Remyelination", 2, D("120000.00")),
        ("Rehabilitation", 1, D("80000.00")),
        ("Neuroprotection", 1, D("20000.00")),
    ]
    assert rows(portfolio, "year") == [("2025", 2, D("60000.00")), ("2026", 1, D("80000.00"))]
    assert rows(portfolio, "stage") == [
        ("Stage 1: planning grants", 2, D("60000.00")),
        ("Stage 2: follow-on awards", 1, D("80000.00")),
    ]
    assert [row.share for row in portfolio.breakdown("program").rows] == [80000 / 140000, 60000 / 140000]
    assert (portfolio.planning, portfolio.linked_planning, portfolio.countries) == (2, 1, 2)
    assert [(link.planning.reference, link.follow_on.reference) for link in portfolio.links] == [
        ("AW-PG-2025-0001", "AW-CNA-2026-0001")
    ]
    assert [(r.call_slug, r.source) for r in portfolio.rates] == [
        ("network-2026", RateSource.COMMITMENT),
        ("planning-2025", RateSource.SAME),
    ]


def test_a_funder_filter_counts_only_that_funders_shares(world):
    portfolio = portfolio_for(viewer=world.staff, portfolio_filter=PortfolioFilter(funder=world.beta))

    assert portfolio.total == D("60000.00")
    assert rows(portfolio, "program") == [
        ("Collaborative Network Awards", 1, D("50000.00")),
        ("Planning Grants", 1, D("10000.00")),
    ]
    assert rows(portfolio, "funder") == [("Beta", 2, D("60000.00"))]


@pytest.mark.parametrize(
    ("params", "total", "awards"),
    [
        ({"call": "planning-2025"}, "60000.00", 2),
        ({"program": "CNA"}, "80000.00", 1),
        ({"year": "2026"}, "80000.00", 1),
        ({"focus_area": "remyelination"}, "120000.00", 2),
        ({"country": "IT"}, "20000.00", 1),
        ({"country": "IT", "focus_area": "remyelination"}, "0.00", 0),
    ],
)
def test_each_filter(world, params, total, awards):
    portfolio_filter, form = parse_filter(params)
    assert form.errors == {}

    portfolio = portfolio_for(viewer=world.staff, portfolio_filter=portfolio_filter)

    assert (portfolio.total, portfolio.awards) == (D(total), awards)


def test_an_unknown_filter_value_is_dropped_with_its_error(world):
    portfolio_filter, form = parse_filter({"call": "no-such-call", "country": "IT"})

    assert list(form.errors) == ["call"]
    assert portfolio_filter == PortfolioFilter(country="IT")


def test_usd_reporting_uses_the_planning_calls_own_usd_rate(world, settings):
    settings.PORTFOLIO_CURRENCY = "USD"

    portfolio = portfolio_for(viewer=world.staff, portfolio_filter=PortfolioFilter())

    # 1 USD = 0.9 EUR on the planning call: 40,000 / 0.9 and 20,000 / 0.9, each rounded to the cent.
    assert rows(portfolio, "program") == [
        ("Collaborative Network Awards", 1, D("88000.00")),
        ("Planning Grants", 2, D("66666.66")),
    ]
    assert portfolio.total == D("154666.66")


def test_a_currency_no_call_commits_in_converts_with_the_fixed_table(world, settings):
    settings.PORTFOLIO_CURRENCY = "GBP"
    settings.PORTFOLIO_RATES = {"EUR": "1", "USD": "0.92", "GBP": "1.17"}

    portfolio = portfolio_for(viewer=world.staff, portfolio_filter=PortfolioFilter())

    # EUR → GBP is 1 / 1.17; USD → GBP is 0.92 / 1.17.
    assert [(item.award.reference, item.amount) for item in portfolio.items] == [
        ("AW-CNA-2026-0001", D("69196.58")),
        ("AW-PG-2025-0001", D("34188.03")),
        ("AW-PG-2025-0002", D("17094.02")),
    ]
    assert {r.source for r in portfolio.rates} == {RateSource.TABLE}


def test_a_currency_without_any_rate_is_left_out_and_named(world, settings):
    settings.PORTFOLIO_CURRENCY = "CHF"
    settings.PORTFOLIO_RATES = {"EUR": "1"}

    portfolio = portfolio_for(viewer=world.staff, portfolio_filter=PortfolioFilter())

    assert portfolio.total == D("0.00")
    assert [rate.call_slug for rate in portfolio.unconverted] == ["network-2026", "planning-2025"]


def test_a_conflicted_member_gets_the_same_figures_without_the_named_pair(world):
    Conflict.objects.create(
        application=world.awards["A1"].application,
        reviewer=world.member,
        source=Conflict.Source.DECLARED,
        kind=Conflict.Kind.COLLABORATOR,
        reason="We work together.",
    )

    portfolio = portfolio_for(viewer=world.member, portfolio_filter=PortfolioFilter())

    assert portfolio.total == D("140000.00")
    assert portfolio.linked_planning == 1
    assert portfolio.links == []


def test_the_figures_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(8):
        portfolio_for(viewer=world.staff, portfolio_filter=PortfolioFilter())
