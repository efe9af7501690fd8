"""Awards as 360Giving open data (the 360Giving Data Standard 1.4): a JSON package and a CSV with the
standard's column titles, built from the same grant objects.

Identifiers:

* a grant is ``<GRANTED_360_PREFIX>-<award reference>``, e.g. ``360G-granted-AW-PG-2025-0007``;
* a funder is ``XI-ROR-<ror id>`` when it has a ROR id, else its ``org_id`` (org-id.guide), else
  ``<GRANTED_360_PREFIX>-funder-<id>``: the publisher's own prefix, as the standard advises for an
  organisation with no external identifier;
* a recipient is the PI's institution: ``XI-ROR-<ror id>``, else ``<GRANTED_360_PREFIX>-institution-<id>``.

Privacy (the standard's guidance on grants to individuals): a researcher's name never appears. The
recipient is the institution; an award whose application names no institution goes to a
``recipientIndividual`` with the generic name "Individual Recipient" and no location finer than none.

Dates are written in full date-time form: the standard accepts a date or a date-time, but a plain date
also matches the date-time branch of its ``oneOf`` wherever a validator does not check formats.
"""

from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from applications.models import Commitment, FocusArea, Funder
from awards.models import Award, FundingShare
from portfolio.models import PublishedProject
from portfolio.selectors import related_awards, stage_links

VERSION = "1.4"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
INDIVIDUAL = "Individual Recipient"


class Scope:
    PUBLISHED = "published"  # the awards staff chose to publish: anyone may have these
    ALL = "all"  # every standing award: staff only
    CHOICES = [(PUBLISHED, "Published projects only"), (ALL, "Every standing award (staff only)")]


def prefix() -> str:
    return settings.GRANTED_360_PREFIX


def grant_id(award: Award) -> str:
    return f"{prefix()}-{award.reference}"


def funder_org_id(funder: Funder) -> str:
    if funder.ror_id:
        return f"XI-ROR-{funder.ror_id}"
    return funder.org_id or f"{prefix()}-funder-{funder.pk}"


def institution_org_id(institution) -> str:
    if institution.ror_id:
        return f"XI-ROR-{institution.ror_id}"
    return f"{prefix()}-institution-{institution.pk}"


def _moment(value) -> str:
    return timezone.localtime(value, UTC).replace(microsecond=0).isoformat()


def _day(value) -> str:
    return f"{value.isoformat()}T00:00:00+00:00"


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def open_data_awards(scope: str = Scope.PUBLISHED) -> QuerySet[Award]:
    awards = Award.objects.standing()
    if scope != Scope.ALL:
        awards = awards.filter(Exists(PublishedProject.objects.filter(award=OuterRef("pk"))))
    return awards.order_by("reference")


def _with_details(awards: QuerySet[Award]) -> QuerySet[Award]:
    return awards.select_related(
        "application__call__program", "application__institution", "decision"
    ).prefetch_related(
        Prefetch("application__focus_areas", queryset=FocusArea.objects.order_by("position", "name")),
        Prefetch(
            "decision__shares",
            queryset=FundingShare.objects.filter(amount__gt=0)
            .select_related("funder")
            .order_by("funder__name"),
        ),
        Prefetch(
            "application__call__commitments",
            queryset=Commitment.objects.select_related("funder").order_by("funder__name"),
        ),
    )


def _funders(award: Award) -> list[Funder]:
    """The funders paying a part of the award; without a recorded split, the call's committed funders."""
    if award.decision_id:
        shares = list(award.decision.shares.all())
        if shares:
            return [share.funder for share in shares]
    return [commitment.funder for commitment in award.application.call.commitments.all()]


def grant(award: Award, *, related: list[str]) -> dict:
    """One award as a 360Giving grant."""
    application = award.application
    call = application.call
    data: dict = {
        "id": grant_id(award),
        "title": application.title or award.reference,
        "description": application.lay_summary or application.title or award.reference,
        "currency": award.currency,
        "amountAwarded": _number(award.amount),
        "awardDate": _moment(award.created_at),
    }
    if application.requested_amount is not None:
        data["amountAppliedFor"] = _number(application.requested_amount)
    planned = {}
    if award.start_date:
        planned["startDate"] = _day(award.start_date)
    if award.duration_months:
        planned["duration"] = award.duration_months
    if planned:
        data["plannedDates"] = [planned]
    institution = application.institution
    if institution is not None:
        organisation = {"id": institution_org_id(institution), "name": institution.name}
        if institution.country:
            organisation["addressCountry"] = institution.country.name
        data["recipientOrganization"] = [organisation]
        if institution.country:
            data["beneficiaryLocation"] = [
                {"name": institution.country.name, "countryCode": institution.country.code}
            ]
    else:
        data["recipientIndividual"] = {"id": f"{prefix()}-individual-{award.pk}", "name": INDIVIDUAL}
    data["fundingOrganization"] = [{"id": funder_org_id(f), "name": f.name} for f in _funders(award)]
    data["grantProgramme"] = [{"code": call.program.code, "title": call.program.name}]
    data["fromOpenCall"] = "No" if call.prerequisite_call_id else "Yes"
    areas = list(application.focus_areas.all())
    if areas:
        data["classifications"] = [
            {"vocabulary": f"{prefix()}-focus-area", "code": area.slug, "title": area.name} for area in areas
        ]
    if related:
        data["relatedActivity"] = related
    data["dateModified"] = _moment(award.responded_at or award.created_at)
    return data


def grants(scope: str = Scope.PUBLISHED, *, chunk_size: int = 500) -> Iterator[dict]:
    """Every award of ``scope`` as a grant, read in chunks. A planning grant and its follow-on award
    name each other in ``relatedActivity`` (within the scope: an unpublished award is never named)."""
    awards = open_data_awards(scope)
    links = related_awards(stage_links())
    ids = dict(
        Award.objects.filter(pk__in={pk for pks in links.values() for pk in pks}).values_list(
            "pk", "reference"
        )
    )
    if scope != Scope.ALL:
        published = set(PublishedProject.objects.values_list("award_id", flat=True))
        ids = {pk: reference for pk, reference in ids.items() if pk in published}
    for award in _with_details(awards).iterator(chunk_size=chunk_size):
        related = [f"{prefix()}-{ids[pk]}" for pk in links.get(award.pk, []) if pk in ids]
        yield grant(award, related=related)


def package(scope: str = Scope.PUBLISHED) -> dict:
    """The 360Giving package of ``scope``'s awards. With no award to publish, ``grants`` is empty (the
    package schema wants at least one grant: such a file is not one to submit to 360Giving)."""
    now = _moment(timezone.now())
    return {
        "grants": list(grants(scope)),
        "version": VERSION,
        "title": f"{settings.SITE_NAME}: research awards",
        "description": "Awards made through Granted, as 360Giving data"
        + (
            " (the projects published on the public page)."
            if scope != Scope.ALL
            else " (every standing award)."
        ),
        "identifier": f"{prefix()}-awards-{scope}",
        "issued": now,
        "modified": now,
        "publisher": {"name": settings.SITE_NAME, "website": settings.SITE_URL},
        "license": LICENSE,
    }


# The CSV: one row per grant, the standard's column titles; lists numbered from 0 as the standard's
# spreadsheet guidance does (Funding Org:0:Identifier, Funding Org:1:Identifier …).

FIXED_HEAD = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Applied For", lambda g: g.get("amountAppliedFor", "")),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g.get("plannedDates", [{}])[0].get("startDate", "")),
    ("Planned Dates:Duration (months)", lambda g: g.get("plannedDates", [{}])[0].get("duration", "")),
    ("Recipient Org:Identifier", lambda g: g.get("recipientOrganization", [{}])[0].get("id", "")),
    ("Recipient Org:Name", lambda g: g.get("recipientOrganization", [{}])[0].get("name", "")),
    ("Recipient Org:Country", lambda g: g.get("recipientOrganization", [{}])[0].get("addressCountry", "")),
    ("Recipient Ind:Identifier", lambda g: g.get("recipientIndividual", {}).get("id", "")),
    ("Recipient Ind:Name", lambda g: g.get("recipientIndividual", {}).get("name", "")),
    ("Beneficiary Location:Name", lambda g: g.get("beneficiaryLocation", [{}])[0].get("name", "")),
    (
        "Beneficiary Location:Country Code",
        lambda g: g.get("beneficiaryLocation", [{}])[0].get("countryCode", ""),
    ),
]
FIXED_TAIL = [
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("Related Activity", lambda g: ";".join(g.get("relatedActivity", []))),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    ("Last Modified", lambda g: g["dateModified"]),
]
FUNDER_FIELDS = [("Identifier", "id"), ("Name", "name")]
CLASSIFICATION_FIELDS = [("Vocabulary", "vocabulary"), ("Code", "code"), ("Title", "title")]


def _numbered(title: str, fields: list[tuple[str, str]], count: int) -> list[str]:
    return [f"{title}:{n}:{label}" for n in range(count) for label, _ in fields]


def _list_cells(items: list[dict], fields: list[tuple[str, str]], count: int) -> list:
    cells = []
    for n in range(count):
        item = items[n] if n < len(items) else {}
        cells.extend(item.get(key, "") for _, key in fields)
    return cells


def csv_rows(scope: str = Scope.PUBLISHED) -> Iterator[list]:
    """The header, then one row per grant (streamed). There are as many numbered funder and
    classification columns as the export can need: one per funder and focus area that occurs in it."""
    awards = open_data_awards(scope)
    funders = Funder.objects.filter(
        Q(funding_shares__decision__award__in=awards, funding_shares__amount__gt=0)
        | Q(commitments__call__applications__award__in=awards)
    )
    areas = FocusArea.objects.filter(applications__award__in=awards)
    n_funders, n_areas = funders.distinct().count(), areas.distinct().count()
    yield [
        *(title for title, _ in FIXED_HEAD),
        *_numbered("Funding Org", FUNDER_FIELDS, n_funders),
        *_numbered("Classifications", CLASSIFICATION_FIELDS, n_areas),
        *(title for title, _ in FIXED_TAIL),
    ]
    for g in grants(scope):
        yield [
            *(cell(g) for _, cell in FIXED_HEAD),
            *_list_cells(g["fundingOrganization"], FUNDER_FIELDS, n_funders),
            *_list_cells(g.get("classifications", []), CLASSIFICATION_FIELDS, n_areas),
            *(cell(g) for _, cell in FIXED_TAIL),
        ]
