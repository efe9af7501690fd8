"""The staff award register: who sees it, its filters and totals, pagination, and the CSV export
(streamed, with the same filters, and never a formula in a spreadsheet)."""

import csv
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Institution
from awards.models import Award, Decision
from awards.services import DecisionInput, apply_decisions, respond_to_award, set_decision
from tests.awards.factories import deciding_call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
FUND = Decision.Outcome.FUND
REGISTER = reverse("awards:register")
REGISTER_CSV = reverse("awards:register_csv")


def _apply_funded(*, requests, currency="EUR", shares=None, titles=()):
    """A call whose applications are all funded and applied; returns (call, funders, awards by order)."""
    call, chair, applications = deciding_call(budget="500000", requests=requests)
    if currency != "EUR":
        call.currency = currency
        call.save(update_fields=["currency"])
    for application, title in zip(applications, titles, strict=False):
        application.title = title
        application.save(update_fields=["title"])
    funders = [c.funder for c in call.commitments.order_by("amount")]  # 40,000 and 60,000
    for n, application in enumerate(applications):
        split = shares[n](funders, application.requested_amount) if shares and shares[n] else None
        set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND, shares=split))
    apply_decisions(call=call, by=chair)
    awards = [Award.objects.get(application=a) for a in applications]
    return SimpleNamespace(call=call, chair=chair, funders=funders, awards=awards)


@pytest.fixture
def register(db):
    """Three EUR awards in one call (the first paid by one funder only, the second declined, the third
    made in 2025) and one USD award in another."""
    eur = _apply_funded(
        requests=["10000", "20000", "30000"],
        shares=[lambda f, amount: {f[0].pk: amount}, None, None],
        titles=["Remyelination in mice", '=HYPERLINK("http://evil.example","x")', "Fatigue trial"],
    )
    first, declined, old = eur.awards
    respond_to_award(award=declined, accept=False, by=declined.application.pi, note="@SUM(1+1) other money")
    Award.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2025))
    usd = _apply_funded(requests=["5000"], currency="USD")
    return SimpleNamespace(eur=eur, usd=usd, first=first, declined=declined, old=old, dollar=usd.awards[0])


def _refs(response) -> list[str]:
    return [award.reference for award in response.context["page"].object_list]


def _ordered(*awards) -> list[str]:
    return sorted(a.reference for a in awards)


@pytest.mark.parametrize("url", [REGISTER, REGISTER_CSV])
def test_only_staff_see_the_register(register, client_for, url):
    assert client_for(None).get(url).status_code == 302
    assert client_for(None).get(url)["Location"].startswith("/accounts/login/")
    assert client_for(register.first.application.pi).get(url).status_code == 403
    assert client_for(register.eur.chair).get(url).status_code == 403
    assert client_for(UserFactory(is_staff=True)).get(url).status_code == 200


def test_the_register_lists_every_award_with_its_columns_and_totals(register, client_for):
    response = client_for(UserFactory(is_staff=True)).get(REGISTER)

    assert response.status_code == 200
    assert _refs(response) == _ordered(register.first, register.declined, register.old, register.dollar)
    html = response.content.decode()
    first = register.first.application
    assert first.pi.full_name in html
    assert "EUR 10,000.00" in html
    assert f"{register.eur.funders[0].short_name}: 10,000.00" in html
    assert "Declined by the awardee" in html
    totals = [(t.currency, t.count, t.standing, t.declined) for t in response.context["totals"]]
    assert totals == [
        ("EUR", 3, Decimal("40000.00"), Decimal("20000.00")),
        ("USD", 1, Decimal("5000.00"), Decimal("0.00")),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"call": w.usd.call.pk}, lambda w: [w.dollar]),
        (lambda w: {"status": "declined"}, lambda w: [w.declined]),
        (lambda w: {"status": "offered", "call": w.eur.call.pk}, lambda w: [w.first, w.old]),
        (lambda w: {"year": 2025}, lambda w: [w.old]),
        (lambda w: {"q": "IN MICE"}, lambda w: [w.first]),
        (lambda w: {"q": w.dollar.reference}, lambda w: [w.dollar]),
        # The first award is paid by the smaller funder only: filtering by the other leaves it out.
        (lambda w: {"funder": w.eur.funders[1].pk}, lambda w: [w.declined, w.old]),
        (lambda w: {"funder": w.eur.funders[0].pk}, lambda w: [w.first, w.declined, w.old]),
    ],
    ids=[
        "call",
        "status",
        "status-and-call",
        "year",
        "search-title",
        "search-reference",
        "funder",
        "funder-2",
    ],
)
def test_the_filters(register, client_for, params, expected):
    response = client_for(UserFactory(is_staff=True)).get(REGISTER, params(register))

    assert response.status_code == 200
    assert _refs(response) == _ordered(*expected(register))


def test_the_totals_follow_the_filters(register, client_for):
    response = client_for(UserFactory(is_staff=True)).get(REGISTER, {"status": "offered"})

    totals = [(t.currency, t.count, t.standing, t.declined) for t in response.context["totals"]]
    assert totals == [
        ("EUR", 2, Decimal("40000.00"), Decimal("0.00")),
        ("USD", 1, Decimal("5000.00"), Decimal("0.00")),
    ]


def test_an_unknown_filter_value_is_400_with_the_whole_register(register, client_for):
    response = client_for(UserFactory(is_staff=True)).get(REGISTER, {"status": "lost", "year": "soon"})

    assert response.status_code == 400
    assert len(_refs(response)) == 4
    assert "There is a problem with the filters" in response.content.decode()
    csv_response = client_for(UserFactory(is_staff=True)).get(REGISTER_CSV, {"status": "lost"})
    assert csv_response.status_code == 400


def test_pagination_keeps_the_filters(register, client_for, monkeypatch):
    monkeypatch.setattr("awards.views.awards.REGISTER_PAGE_SIZE", 2)
    client = client_for(UserFactory(is_staff=True))

    first_page = client.get(REGISTER, {"call": register.eur.call.pk})
    second_page = client.get(REGISTER, {"call": register.eur.call.pk, "page": 2})

    everything = _ordered(register.first, register.declined, register.old)
    assert _refs(first_page) == everything[:2]
    assert _refs(second_page) == everything[2:]
    assert f"?call={register.eur.call.pk}&amp;page=2" in first_page.content.decode()


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(REGISTER).status_code == 200
    return len(queries)


def test_the_register_makes_as_many_queries_for_one_award_as_for_three(client_for):
    staff = UserFactory(is_staff=True)
    _apply_funded(requests=["1000"])
    one = _count_queries(client_for(staff))
    _apply_funded(requests=["1000", "2000"])

    assert _count_queries(client_for(staff)) == one


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_has_one_row_per_award_with_the_split_in_columns(register, client_for):
    institution = Institution.objects.create(name="Université de Test", country="FR")
    register.first.application.institution = institution
    register.first.application.save(update_fields=["institution"])

    response = client_for(UserFactory(is_staff=True)).get(REGISTER_CSV, {"call": register.eur.call.pk})

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="awards-')
    header, *rows = _csv(response)
    small, large = register.eur.funders
    assert header == [
        "reference",
        "application",
        "call",
        "status",
        "pi",
        "pi_email",
        "institution",
        "country",
        "title",
        "amount",
        "currency",
        *(f"share: {f.short_name}" for f in sorted([small, large], key=lambda f: (f.name, f.pk))),
        "start_date",
        "duration_months",
        "conditions",
        "awarded_at",
        "responded_at",
        "response_note",
    ]
    assert [row[0] for row in rows] == _ordered(register.first, register.declined, register.old)
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    first = by_reference[register.first.reference]
    assert (first["institution"], first["country"]) == ("Université de Test", "FR")
    assert (first["amount"], first["currency"], first["status"]) == ("10000.00", "EUR", "offered")
    assert (first[f"share: {small.short_name}"], first[f"share: {large.short_name}"]) == ("10000.00", "")
    declined = by_reference[register.declined.reference]
    assert declined[f"share: {small.short_name}"] == "8000.00"
    assert declined[f"share: {large.short_name}"] == "12000.00"
    assert declined["responded_at"] != ""


def test_the_csv_neutralises_formulas(register, client_for):
    header, *rows = _csv(client_for(UserFactory(is_staff=True)).get(REGISTER_CSV, {"status": "declined"}))

    [row] = rows
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert cells["response_note"] == "'@SUM(1+1) other money"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
