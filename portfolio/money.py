"""Amounts in the reporting currency (settings.PORTFOLIO_CURRENCY).

An award is in its call's currency. Per call, the rate to the reporting currency comes from, in order:

1. nothing to convert: the call is in the reporting currency;
2. the call's own fixed rate: a funder committed to the call in the reporting currency, and
   ``Commitment.rate_to_call_currency`` says what one unit of it is worth in the call's currency;
3. the fixed table settings.PORTFOLIO_RATES (the value of one unit of each currency in a common base),
   as the ratio of the two currencies' values;
4. none: the call's awards are left out of the totals and the page names the call.

Each converted amount is rounded to the cent (half up) before it is added up.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

from applications.models import Call, Commitment

CENT = Decimal("0.01")


class RateSource:
    SAME = "same currency"
    COMMITMENT = "the call's commitment rate"
    TABLE = "the fixed table PORTFOLIO_RATES"
    MISSING = "no rate: left out of the totals"


@dataclass(frozen=True)
class CallRate:
    call_id: int
    call_slug: str
    call_title: str
    currency: str
    rate: Decimal | None  # one unit of the call's currency in the reporting currency
    source: str

    def convert(self, amount: Decimal | None) -> Decimal | None:
        if amount is None or self.rate is None:
            return None
        return (amount * self.rate).quantize(CENT, rounding=ROUND_HALF_UP)


def reporting_currency() -> str:
    return settings.PORTFOLIO_CURRENCY


def _table() -> dict[str, Decimal]:
    table = {}
    for code, value in settings.PORTFOLIO_RATES.items():
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            continue
        if rate > 0:
            table[code.upper()] = rate
    return table


def table_rate(source: str, target: str) -> Decimal | None:
    """One unit of ``source`` in ``target`` through the fixed table, or None when one is missing."""
    table = _table()
    if source not in table or target not in table:
        return None
    return table[source] / table[target]


def call_rates(calls: Iterable[Call]) -> dict[int, CallRate]:
    """call id → how its amounts convert to the reporting currency (one query for the commitments)."""
    target = reporting_currency()
    calls = list(calls)
    own = {
        c.call_id: c.rate_to_call_currency
        for c in Commitment.objects.filter(call__in=[call.pk for call in calls], currency=target).order_by(
            "call_id", "pk"
        )
    }
    rates = {}
    for call in calls:
        if call.currency == target:
            rate, source = Decimal(1), RateSource.SAME
        elif call.pk in own:
            rate, source = Decimal(1) / own[call.pk], RateSource.COMMITMENT
        else:
            rate = table_rate(call.currency, target)
            source = RateSource.TABLE if rate is not None else RateSource.MISSING
        rates[call.pk] = CallRate(call.pk, call.slug, call.title, call.currency, rate, source)
    return rates
