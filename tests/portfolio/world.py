"""A small funded world with hand-computed figures.

Two calls: Planning Grants 2025 (EUR) and its stage 2, Network Awards 2026 (USD), whose prerequisite is
the planning call. Three funders in two currencies:

* Alpha MS Society commits 60,000 EUR to the planning call (rate 1);
* Beta MS Society commits 50,000 USD to the planning call at 0.9 (1 USD = 0.9 EUR) and 100,000 USD
  to the network call (rate 1);
* Gamma Foundation commits 50,000 EUR to the network call at 1.1 (1 EUR = 1.1 USD).

Awards (created in 2025 for the planning call, 2026 for the network call):

========  =======  ====  ================  ===================  ===========================  ==========
award     call     PI    institution       amount               funders (call currency)      focus
========  =======  ====  ================  ===================  ===========================  ==========
A1        planning Pia   Oxford (GB, ROR)  40,000 EUR           Alpha 30,000, Beta 10,000    remyel.
A2        planning Paolo Genoa (IT)        20,000 EUR           Alpha 20,000                 neuroprot.
A3        planning Petra Oxford            15,000 EUR declined  Alpha 15,000                 remyel.
B1        network  Pia   Oxford            88,000 USD           Beta 55,000, Gamma 33,000    remyel.+rehab
========  =======  ====  ================  ===================  ===========================  ==========

In EUR the network call converts at its own rate: 1 USD = 1 / 1.1 EUR (Gamma's commitment in EUR), so
B1 is 80,000 EUR (Beta 50,000, Gamma 30,000). A3 was declined: it is left out. B1 is the follow-on of
A1 (same PI, the planning call is the network call's prerequisite).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import Application, Call, CommitteeMembership
from awards.models import Award, Decision, FundingShare
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    FocusAreaFactory,
    FunderFactory,
    InstitutionFactory,
    ProgramFactory,
    UserFactory,
)


@dataclass
class World:
    planning_call: Call
    network_call: Call
    alpha: object
    beta: object
    gamma: object
    oxford: object
    genoa: object
    staff: object
    member: object  # a committee member of the planning call
    applicant: object  # a PI with no committee seat
    awards: dict[str, Award] = field(default_factory=dict)
    areas: dict[str, object] = field(default_factory=dict)


def funded(
    call: Call,
    *,
    reference: str,
    pi,
    institution,
    title: str,
    amount: str,
    shares: dict,
    areas=(),
    year: int = 2025,
    status: str = Award.Status.OFFERED,
    lay_summary: str = "",
) -> Award:
    """An award made as applying a fund decision leaves it (built directly: the services are not
    under test), with its funder split in the call's currency."""
    made = datetime(year, 3, 2, 10, 0, tzinfo=UTC)
    application = Application.objects.create(
        call=call,
        pi=pi,
        institution=institution,
        title=title,
        lay_summary=lay_summary or f"Plain-language summary of {title.lower()}.",
        requested_amount=Decimal(amount),
        duration_months=12,
        status=Application.Status.SUBMITTED,
        submitted_at=made - timedelta(days=90),
        reference=reference,
    )
    application.focus_areas.set(areas)
    decision = Decision.objects.create(
        call=call,
        application=application,
        outcome=Decision.Outcome.FUND,
        status=Decision.Status.APPLIED,
        published_outcome=Decision.Outcome.FUND,
        amount=Decimal(amount),
        applied_at=made,
        start_date=date(year, 9, 1),
        duration_months=12,
    )
    FundingShare.objects.bulk_create(
        FundingShare(decision=decision, funder=funder, amount=Decimal(value))
        for funder, value in shares.items()
    )
    award = Award.objects.create(
        application=application,
        decision=decision,
        reference=f"AW-{reference}",
        amount=Decimal(amount),
        currency=call.currency,
        start_date=date(year, 9, 1),
        duration_months=12,
        status=status,
    )
    Award.objects.filter(pk=award.pk).update(created_at=made)
    award.refresh_from_db()
    return award


def build_world() -> World:
    now = timezone.now()
    planning_call = CallFactory(
        program=ProgramFactory(name="Planning Grants", code="PG"),
        title="Planning Grants 2025",
        slug="planning-2025",
        status=Call.Status.DECIDED,
        currency="EUR",
        budget=Decimal("105000"),
        max_request=Decimal("50000"),
        opens_at=now - timedelta(days=700),
        closes_at=now - timedelta(days=600),
    )
    network_call = CallFactory(
        program=ProgramFactory(name="Collaborative Network Awards", code="CNA"),
        title="Network Awards 2026",
        slug="network-2026",
        status=Call.Status.DECIDED,
        currency="USD",
        budget=Decimal("155000"),
        max_request=Decimal("100000"),
        prerequisite_call=planning_call,
        opens_at=now - timedelta(days=300),
        closes_at=now - timedelta(days=200),
    )
    alpha = FunderFactory(name="Alpha MS Society", short_name="Alpha", org_id="GB-CHC-1000001")
    beta = FunderFactory(name="Beta MS Society", short_name="Beta", ror_id="013meh722")
    gamma = FunderFactory(name="Gamma Foundation", short_name="Gamma")
    CommitmentFactory(call=planning_call, funder=alpha, amount=Decimal("60000"), currency="EUR")
    CommitmentFactory(
        call=planning_call,
        funder=beta,
        amount=Decimal("50000"),
        currency="USD",
        rate_to_call_currency=Decimal("0.9"),
    )
    CommitmentFactory(call=network_call, funder=beta, amount=Decimal("100000"), currency="USD")
    CommitmentFactory(
        call=network_call,
        funder=gamma,
        amount=Decimal("50000"),
        currency="EUR",
        rate_to_call_currency=Decimal("1.1"),
    )
    oxford = InstitutionFactory(name="University of Oxford", country="GB", ror_id="052gg0110")
    genoa = InstitutionFactory(name="University of Genoa", country="IT")
    remyelination = FocusAreaFactory(name="Remyelination", slug="remyelination")
    neuroprotection = FocusAreaFactory(name="Neuroprotection", slug="neuroprotection")
    rehabilitation = FocusAreaFactory(name="Rehabilitation", slug="rehabilitation")
    pia = UserFactory(full_name="Pia Planner", email="pia@example.org", institution=oxford)
    paolo = UserFactory(full_name="Paolo Secondo", email="paolo@example.org", institution=genoa)
    petra = UserFactory(full_name="Petra Declines", email="petra@example.org", institution=oxford)
    world = World(
        planning_call=planning_call,
        network_call=network_call,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        oxford=oxford,
        genoa=genoa,
        staff=UserFactory(full_name="Olga Officer", email="olga@example.org", is_staff=True),
        member=UserFactory(full_name="Mia Member", email="mia@example.org"),
        applicant=paolo,
        areas={
            "remyelination": remyelination,
            "neuroprotection": neuroprotection,
            "rehabilitation": rehabilitation,
        },
    )
    CommitteeMembership.objects.create(user=world.member, call=planning_call)
    world.awards["A1"] = funded(
        planning_call,
        reference="PG-2025-0001",
        pi=pia,
        institution=oxford,
        title="Planning a remyelination network",
        amount="40000",
        shares={alpha: "30000", beta: "10000"},
        areas=[remyelination],
    )
    world.awards["A2"] = funded(
        planning_call,
        reference="PG-2025-0002",
        pi=paolo,
        institution=genoa,
        title="Planning neuroprotection trials",
        amount="20000",
        shares={alpha: "20000"},
        areas=[neuroprotection],
    )
    world.awards["A3"] = funded(
        planning_call,
        reference="PG-2025-0003",
        pi=petra,
        institution=oxford,
        title="A declined planning grant",
        amount="15000",
        shares={alpha: "15000"},
        areas=[remyelination],
        status=Award.Status.DECLINED,
    )
    world.awards["B1"] = funded(
        network_call,
        reference="CNA-2026-0001",
        pi=pia,
        institution=oxford,
        title="The remyelination network",
        amount="88000",
        shares={beta: "55000", gamma: "33000"},
        areas=[remyelination, rehabilitation],
        year=2026,
    )
    return world
