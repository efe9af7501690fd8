"""Read queries of the funded-research portfolio: what the standing awards add up to, by focus area,
country, program, funder, year and stage, in the reporting currency; which planning grant led to which
follow-on award; and the published projects the public sees.

Funded research is every *standing* award (offered or accepted; an award the awardee declined holds
no money). Awards are made when a call's decisions are applied, so every award here is published.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from applications.models import Application, Call, FocusArea
from awards.models import Award, FundingShare
from awards.selectors import awards_visible_to
from portfolio.filters import PortfolioFilter
from portfolio.models import PublishedProject
from portfolio.money import CallRate, RateSource, call_rates, reporting_currency

ZERO = Decimal("0.00")
NONE_KEY = ""


class Stage:
    PLANNING = "planning"
    FOLLOW_ON = "follow_on"
    SINGLE = "single"
    LABELS = {
        PLANNING: "Stage 1: planning grants",
        FOLLOW_ON: "Stage 2: follow-on awards",
        SINGLE: "Single-stage awards",
    }


def call_stages() -> Callable[[Call], str]:
    """A function giving a call's stage: stage 2 when it names a prerequisite call, stage 1 when another
    call names it, single-stage otherwise (one query)."""
    prerequisites = set(
        Call.objects.exclude(prerequisite_call=None).values_list("prerequisite_call_id", flat=True)
    )

    def stage(call: Call) -> str:
        if call.prerequisite_call_id:
            return Stage.FOLLOW_ON
        return Stage.PLANNING if call.pk in prerequisites else Stage.SINGLE

    return stage


def filtered_awards(portfolio_filter: PortfolioFilter) -> QuerySet[Award]:
    """The standing awards the filter selects. The funder filter keeps awards the funder pays a part of."""
    f = portfolio_filter
    awards = Award.objects.standing()
    if f.call:
        awards = awards.filter(application__call=f.call)
    if f.program:
        awards = awards.filter(application__call__program=f.program)
    if f.year:
        awards = awards.filter(created_at__year=f.year)
    if f.country:
        awards = awards.filter(application__institution__country=f.country)
    if f.focus_area:
        tagged = Application.focus_areas.through.objects.filter(
            application_id=OuterRef("application_id"), focusarea=f.focus_area
        )
        awards = awards.filter(Exists(tagged))
    if f.funder:
        pays = FundingShare.objects.filter(decision_id=OuterRef("decision_id"), funder=f.funder, amount__gt=0)
        awards = awards.filter(Exists(pays))
    return awards


@dataclass(frozen=True)
class FunderPart:
    funder_id: int
    name: str
    amount: Decimal | None  # in the reporting currency


@dataclass(frozen=True)
class FundedItem:
    """One standing award as the portfolio counts it."""

    award: Award
    amount: Decimal | None  # in the reporting currency; the filtered funder's part when filtered by funder
    parts: tuple[FunderPart, ...]
    stage: str
    year: int

    @property
    def application(self) -> Application:
        return self.award.application


def _items(awards: QuerySet[Award], portfolio_filter: PortfolioFilter) -> tuple[list[FundedItem], dict]:
    awards = list(
        awards.select_related("application__call__program", "application__institution", "application__pi")
        .prefetch_related(
            Prefetch("application__focus_areas", queryset=FocusArea.objects.order_by("position", "name")),
            Prefetch(
                "decision__shares",
                queryset=FundingShare.objects.filter(amount__gt=0)
                .select_related("funder")
                .order_by("funder__name"),
            ),
        )
        .order_by("reference")
    )
    rates = call_rates({a.application.call_id: a.application.call for a in awards}.values())
    stage_of = call_stages()
    items = []
    for award in awards:
        rate = rates[award.application.call_id]
        shares = list(award.decision.shares.all()) if award.decision_id else []
        if portfolio_filter.funder:
            shares = [s for s in shares if s.funder_id == portfolio_filter.funder.pk]
        parts = tuple(
            FunderPart(s.funder_id, s.funder.short_name or s.funder.name, rate.convert(s.amount))
            for s in shares
        )
        amount = rate.convert(award.amount)
        if portfolio_filter.funder:
            amount = None if rate.rate is None else sum((p.amount for p in parts), ZERO)
        items.append(
            FundedItem(
                award=award,
                amount=amount,
                parts=parts,
                stage=stage_of(award.application.call),
                year=timezone.localtime(award.created_at).year,
            )
        )
    return items, rates


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    awards: int
    amount: Decimal
    share: float  # of the portfolio's total amount, 0 to 1


@dataclass(frozen=True)
class Breakdown:
    """One chart of the portfolio and the table behind it."""

    key: str
    title: str
    dimension: str  # the heading of the first column
    rows: list[BreakdownRow]
    note: str = ""

    @property
    def largest(self) -> Decimal:
        return max((row.amount for row in self.rows), default=ZERO)


def _rows(groups: dict[str, list], labels: dict[str, str], total: Decimal, order=None) -> list[BreakdownRow]:
    rows = [
        BreakdownRow(
            key=key,
            label=labels[key],
            awards=len({x[0].award.pk for x in members}),
            amount=sum((x[1] for x in members), ZERO),
            share=float(sum((x[1] for x in members), ZERO) / total) if total else 0.0,
        )
        for key, members in groups.items()
    ]
    if order is None:
        return sorted(rows, key=lambda row: (-row.amount, row.label))
    return sorted(rows, key=order)


def _breakdowns(items: list[FundedItem], total: Decimal) -> list[Breakdown]:
    counted = [item for item in items if item.amount is not None]
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    labels: dict[str, dict[str, str]] = defaultdict(dict)

    def add(dimension: str, key: str, label: str, item: FundedItem, amount: Decimal) -> None:
        groups[dimension][key].append((item, amount))
        labels[dimension][key] = label

    for item in counted:
        application = item.application
        for area in application.focus_areas.all() or [None]:
            add(
                "focus_area",
                area.slug if area else NONE_KEY,
                area.name if area else "No focus area",
                item,
                item.amount,
            )
        institution = application.institution
        if institution and institution.country:
            add("country", institution.country.code, institution.country.name, item, item.amount)
        else:
            add("country", NONE_KEY, "Not recorded", item, item.amount)
        program = application.call.program
        add("program", program.code, program.name, item, item.amount)
        for part in item.parts:
            add("funder", str(part.funder_id), part.name, item, part.amount)
        if not item.parts:
            add("funder", NONE_KEY, "No funder split recorded", item, item.amount)
        add("year", str(item.year), str(item.year), item, item.amount)
        add("stage", item.stage, Stage.LABELS[item.stage], item, item.amount)

    stage_order = list(Stage.LABELS)
    return [
        Breakdown(
            "focus_area",
            "Funded research by focus area",
            "Focus area",
            _rows(groups["focus_area"], labels["focus_area"], total),
            note="An award with several focus areas counts in full in each, so the bars add up to more "
            "than the total.",
        ),
        Breakdown(
            "country",
            "Funded research by country",
            "Country",
            _rows(groups["country"], labels["country"], total),
            note="The country of the principal investigator's institution.",
        ),
        Breakdown(
            "program",
            "Funded research by program",
            "Program",
            _rows(groups["program"], labels["program"], total),
        ),
        Breakdown(
            "funder",
            "Funded research by funder",
            "Funder",
            _rows(groups["funder"], labels["funder"], total),
            note="Each funder's share of the awards it pays a part of; an award split between funders "
            "counts for each of them.",
        ),
        Breakdown(
            "year",
            "Funded research by year awarded",
            "Year",
            _rows(groups["year"], labels["year"], total, order=lambda row: row.key),
        ),
        Breakdown(
            "stage",
            "Funded research by stage",
            "Stage",
            _rows(groups["stage"], labels["stage"], total, order=lambda row: stage_order.index(row.key)),
            note="Stage 1 calls are the prerequisite of a stage 2 call; only their award holders may apply "
            "to stage 2.",
        ),
    ]


@dataclass(frozen=True)
class StageLink:
    """A planning grant and the follow-on award its principal investigator won in the stage 2 call."""

    planning: Award
    follow_on: Award


def stage_links() -> list[StageLink]:
    """Every standing follow-on award with the standing award its PI holds from the prerequisite call
    (the earliest by reference if there are several). Two queries."""
    related = ("application__call", "application__pi")
    follow_ons = (
        Award.objects.standing()
        .filter(application__call__prerequisite_call__isnull=False)
        .select_related(*related)
        .order_by("reference")
    )
    follow_ons = list(follow_ons)
    prerequisite_ids = {a.application.call.prerequisite_call_id for a in follow_ons}
    planning: dict[tuple[int, int], Award] = {}
    for award in (
        Award.objects.standing()
        .filter(application__call__in=prerequisite_ids)
        .select_related(*related)
        .order_by("-reference")
    ):
        planning[(award.application.call_id, award.application.pi_id)] = award
    links = []
    for award in follow_ons:
        earlier = planning.get((award.application.call.prerequisite_call_id, award.application.pi_id))
        if earlier is not None:
            links.append(StageLink(planning=earlier, follow_on=award))
    return links


def related_awards(links: Iterable[StageLink]) -> dict[int, list[int]]:
    """award id → the ids of the awards linked to it (a planning grant ↔ its follow-on awards)."""
    related: dict[int, list[int]] = defaultdict(list)
    for link in links:
        related[link.planning.pk].append(link.follow_on.pk)
        related[link.follow_on.pk].append(link.planning.pk)
    return related


@dataclass(frozen=True)
class Portfolio:
    currency: str
    filter: PortfolioFilter
    items: list[FundedItem]
    total: Decimal
    breakdowns: list[Breakdown]
    rates: list[CallRate]  # how each call's amounts were converted
    links: list[StageLink]  # pairs touching the selection that the viewer may see named
    linked_planning: int  # planning grants in the selection with a follow-on award (whoever sees them)
    planning: int  # planning grants in the selection

    @property
    def awards(self) -> int:
        return len(self.items)

    @property
    def unconverted(self) -> list[CallRate]:
        return [rate for rate in self.rates if rate.source == RateSource.MISSING]

    @property
    def countries(self) -> int:
        return len([row for row in self.breakdown("country").rows if row.key != NONE_KEY])

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


def portfolio_for(*, viewer, portfolio_filter: PortfolioFilter) -> Portfolio:
    """The portfolio's figures under ``portfolio_filter``. Every figure counts every standing award; the
    planning → follow-on pairs are named only where ``viewer`` may see both awards (a conflicted
    committee member does not see the award of an application they are conflicted with)."""
    items, rates = _items(filtered_awards(portfolio_filter), portfolio_filter)
    total = sum((item.amount for item in items if item.amount is not None), ZERO)
    selected = {item.award.pk for item in items}
    touching = [link for link in stage_links() if {link.planning.pk, link.follow_on.pk} & selected]
    ids = {award.pk for link in touching for award in (link.planning, link.follow_on)}
    visible = (
        ids
        if viewer.is_staff
        else set(awards_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    )
    planning = {item.award.pk for item in items if item.stage == Stage.PLANNING}
    return Portfolio(
        currency=reporting_currency(),
        filter=portfolio_filter,
        items=items,
        total=total,
        breakdowns=_breakdowns(items, total),
        rates=sorted(rates.values(), key=lambda rate: rate.call_title),
        links=[link for link in touching if {link.planning.pk, link.follow_on.pk} <= visible],
        linked_planning=len({link.planning.pk for link in touching} & planning),
        planning=len(planning),
    )


def published_projects() -> QuerySet[PublishedProject]:
    """What the public page lists: published projects whose award still stands, newest first."""
    return (
        PublishedProject.objects.exclude(award__status=Award.Status.DECLINED)
        .select_related("award__application__institution", "award__application__call__program")
        .prefetch_related(
            Prefetch(
                "award__decision__shares",
                queryset=FundingShare.objects.filter(amount__gt=0)
                .select_related("funder")
                .order_by("funder__name"),
            )
        )
        .order_by("-award__created_at", "award__reference")
    )


def publishable_awards(*, call: Call | None = None) -> QuerySet[Award]:
    """The staff list of standing awards with whether each is published."""
    awards = Award.objects.standing().select_related(
        "application__call", "application__institution", "published_project"
    )
    if call is not None:
        awards = awards.filter(application__call=call)
    return awards.order_by("-created_at", "reference")
