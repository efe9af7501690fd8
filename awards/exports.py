"""Rows of the award register for CSV export: one row per award, one column per funder's share
(streamed in chunks; never all in memory). ``core.exports.csv_response`` neutralises formulas."""

from collections.abc import Iterator

from django.db.models import QuerySet

from applications.models import Funder
from awards.models import Award

HEADER = [
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
]
TRAILER = [
    "start_date",
    "duration_months",
    "conditions",
    "awarded_at",
    "responded_at",
    "response_note",
]


def _funders(awards: QuerySet[Award]) -> list[Funder]:
    return list(
        Funder.objects.filter(funding_shares__decision__award__in=awards.values("pk"))
        .distinct()
        .order_by("name", "pk")
    )


def _iso(value) -> str:
    return value.isoformat() if value else ""


def register_csv_rows(awards: QuerySet[Award]) -> Iterator[list]:
    """The header, then one row per award in the register's order; each funder's share is in its own
    column, in the award's currency (empty when the funder pays nothing towards it)."""
    funders = _funders(awards)
    yield [*HEADER, *(f"share: {f.short_name or f.name}" for f in funders), *TRAILER]
    for award in awards.iterator(chunk_size=500):
        application = award.application
        institution = application.institution
        shares = {s.funder_id: s.amount for s in award.decision.shares.all()} if award.decision else {}
        yield [
            award.reference,
            application.reference,
            application.call.slug,
            award.status,
            application.pi.full_name,
            application.pi.email,
            institution.name if institution else "",
            institution.country.code if institution else "",
            application.title,
            award.amount,
            award.currency,
            *(shares.get(f.pk, "") for f in funders),
            _iso(award.start_date),
            award.duration_months or "",
            award.conditions,
            _iso(award.created_at),
            _iso(award.responded_at),
            award.response_note,
        ]
