"""The demo's decided call (``manage.py demo``): Planning Grants 2025, with its applications, the
committee's decisions within budget, the awards and every applicant's letter.

``advance_calls`` leaves the call open while it has no applications; this step then submits ~60 at
past times inside its window (``applications.demo_applications.submit_applications``), closes it and
starts its review, and the chair marks 22 awards in a ranked order (a few reduced, a few with
conditions or a funder split other than the proportional one), waitlists 4 and declines the rest,
all within the budget and each member society's commitment, and applies them. The letters are
rendered in the step (the tasks queued find them done after the commit), a few awardees answer (12
accept, one declines) and the call is marked decided. The demo applicant holds one of the awards,
so they can download its letter and may apply to the stage-2 call.

The demo has no reviews of this call, so it is created releasing no summary statements (they would
hold no critiques): each applicant has one letter. Built through the services (so the audit rows
exist), deterministic (``random.Random(SEED)``) and once: the marker is the call's decisions; when
it has any, the step does nothing more.
"""

import random
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import User
from applications import demo_applications as demo_apps
from applications import demo_data as data
from applications.demo_applications import Plan
from applications.eligibility import count_words
from applications.models import Application, Call, ReviewerExclusion, TeamMember
from awards.models import Award, Decision, Letter, LetterBatch
from awards.money import CENT, format_money, proportional_split
from awards.selectors import call_totals
from awards.services import DecisionInput, apply_decisions, respond_to_award, set_decision
from awards.services.letters import render_letter

if TYPE_CHECKING:
    from applications.management.commands.demo import World

SLUG = "planning-grants-2025"
# Settings the command's ``build_calls`` adds to the call's spec when it creates the call.
CALL_SETTINGS = {SLUG: {"release_summary_statements": False}}
SEED = 2025
# 60 principal investigators (the demo applicant takes the place of the first from GB).
PI_COUNTRIES = {
    "US": 11, "GB": 9, "CA": 7, "IT": 6, "DE": 4, "NL": 4, "AU": 4, "FR": 3,
    "ES": 2, "SE": 2, "CH": 2, "DK": 2, "BE": 2, "JP": 1, "BR": 1,
}  # fmt: skip
REQUESTS = [25, 30, 35, 40, 40, 45, 50, 50, 50, 55, 60, 60, 70, 75, 90, 100]  # thousands of EUR
FUNDED = 22
WAITLISTED = 4
APPLICANT_PLACE = 4  # the demo applicant's place in the committee's order (0 is the best)
START = date(2025, 10, 1)
APPLIED = timedelta(days=117, hours=18)  # after closing: when the decisions were applied (late August)
STEP = Decimal("500")  # reduced amounts are rounded down to it
TRIM = Decimal("5000")  # what each of the chair's last trims takes off

TITLES = [
    "{}: planning an international network",
    "{}: building the team for a Collaborative Network Award",
    "Planning a network: {}",
    "{} (planning grant)",
]
PLANNING_SENTENCES = [
    "This planning grant gives us one year to bring together laboratories, clinics and people with MS from "
    "several countries, agree a shared plan and collect the first data for a larger network.",
    "During the planning year we will hold workshops with our partners and with people affected by MS, and "
    "test our methods on a small scale before applying for a network award.",
    "The grant will fund a year of planning: meetings of the new team, a small pilot study and a plan for a "
    "Collaborative Network Award.",
]
SUMMARIES = {
    Decision.Outcome.FUND: [
        "A strong, complementary team with a credible plan for a network; the committee valued the "
        "involvement of people with MS from the start.",
        "An important question, a realistic planning year and pilot work that should make a network "
        "application competitive.",
        "The committee was convinced by the team's track record and by how the partners' methods fit "
        "together.",
    ],
    Decision.Outcome.WAITLIST: [
        "A promising team whose plan for the network is less developed than those funded; waitlisted in "
        "case funds become available.",
    ],
    Decision.Outcome.DECLINE: [
        "Relevant to progressive MS, but the partners' roles and the plan for the planning year are not yet "
        "clear enough.",
        "The committee was not convinced that the pilot work proposed can be done within one year.",
        "A good question, but the team lacks the clinical or imaging expertise a network would need.",
    ],
}
REDUCED = " The committee funds the workshops and the pilot work but not all of the costs requested."
ETHICS = "Send the ethics approval for the pilot study to the program officer before the first payment."
PPI = "Name a patient and public involvement lead for the network in the first progress report."
DATA = "Agree a data-sharing plan between the partner institutions within three months of the start."
DECLINE_NOTE = "I have taken up a position outside research; the team will apply again under a new lead."


@dataclass(frozen=True)
class Edit:
    """How the chair changed one award from the requested amount split in proportion."""

    cut: Decimal | None = None  # the fraction of the request kept
    split: dict[str, Decimal] | None = None  # funder short name → fraction of the amount
    conditions: str = ""


# By place in the committee's order.
EDITS = {
    1: Edit(conditions=ETHICS),
    3: Edit(cut=Decimal("0.8")),
    APPLICANT_PLACE: Edit(conditions=DATA),
    6: Edit(split={"AISM": Decimal(1)}, conditions=ETHICS),
    9: Edit(cut=Decimal("0.75")),
    11: Edit(split={"MS Society": Decimal("0.5"), "NMSS": Decimal("0.5")}),
    14: Edit(conditions=PPI),
    16: Edit(cut=Decimal("0.85"), conditions=PPI),
    19: Edit(split={"MS Canada": Decimal("0.6"), "NMSS": Decimal("0.4")}),
}
ACCEPTED = [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13]  # places whose awardees have accepted
DECLINED = 17  # the place whose awardee declined


def needs_decisions(call: Call) -> bool:
    """Whether the decisions are still to be made (the marker: the call has none yet)."""
    return not Decision.objects.filter(call=call).exists()


# Applications ---------------------------------------------------------------------------------


def _taken_emails() -> set[str]:
    """Every e-mail the demo uses already (the same on every fresh database: this runs once), so that
    the planning call's people are new people."""
    taken = {e.lower() for e in User.objects.values_list("email", flat=True)}
    taken |= {e.lower() for e in TeamMember.objects.exclude(email="").values_list("email", flat=True)}
    return taken | {
        e.lower() for e in ReviewerExclusion.objects.exclude(email="").values_list("email", flat=True)
    }


def _planning(rng: random.Random, call: Call):
    """A plan's changes for a planning grant: one year, a smaller request, a planning title and a
    sentence on the planning year in the lay summary (when it fits the word limit)."""

    def adapt(plan: Plan) -> Plan:
        request = Decimal(rng.choice(REQUESTS) * 1000)
        proposal = plan.proposal
        # A title that has a colon or a question already takes the plain suffix.
        pattern = TITLES[-1] if re.search(r"[:?]", proposal.title) else rng.choice(TITLES)
        title = pattern.format(proposal.title)
        lay = f"{proposal.lay_summary} {rng.choice(PLANNING_SENTENCES)}"
        if count_words(lay) > call.lay_summary_word_limit:
            lay = proposal.lay_summary
        return replace(
            plan,
            proposal=replace(proposal, title=title[:300], lay_summary=lay),
            request=request,
            months=12,
            budget=demo_apps.budget_lines(rng, request, 12),
        )

    return adapt


def _submit(world: "World", call: Call) -> int:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    taken = _taken_emails()
    people = demo_apps.plan_pis(rng, taken, PI_COUNTRIES)
    money = random.Random(SEED + 1)  # noqa: S311 - demo data, not security
    applications = demo_apps.submit_applications(
        world, call, people, rng, taken, adapt=_planning(money, call)
    )
    return len(applications)


# Decisions ------------------------------------------------------------------------------------


def _ranked(call: Call) -> list[Application]:
    """The committee's order of the call's applications (the demo applicant's fixed among the awards)."""
    applications = list(call.applications.submitted().select_related("pi").order_by("reference"))
    random.Random(SEED + 2).shuffle(applications)  # noqa: S311 - demo data, not security
    mine = next(a for a in applications if a.pi.email == data.APPLICANT[1])
    applications.remove(mine)
    applications.insert(APPLICANT_PLACE, mine)
    return applications


def _shares(amount: Decimal, split: dict[int, Decimal]) -> dict[int, Decimal]:
    """``amount`` in the given fractions, in cents; the last funder takes the rounding."""
    shares = {
        funder: (amount * fraction).quantize(CENT, rounding=ROUND_DOWN) for funder, fraction in split.items()
    }
    last = list(shares)[-1]
    shares[last] += amount - sum(shares.values())
    return shares


def _fits(call: Call, inputs: list[DecisionInput], weights: dict[int, Decimal]) -> bool:
    """Whether these fund decisions stay within the budget and every funder's commitment."""
    held = dict.fromkeys(weights, Decimal(0))
    for item in inputs:
        for funder, value in (item.shares or proportional_split(item.amount, weights)).items():
            held[funder] += value
    total = sum(item.amount for item in inputs)
    return total <= call.budget and all(held[funder] <= weights[funder] for funder in weights)


def _awards(call: Call, funded: list[Application], rng: random.Random) -> list[DecisionInput]:
    """The fund decisions: requested amounts, the edits, and, should they not fit, the largest plain
    awards cut by a step at a time until they do (the chair's last trims)."""
    commitments = call.commitments.select_related("funder")
    weights = {c.funder_id: c.amount_in_call_currency for c in commitments}
    funders = {c.funder.short_name: c.funder_id for c in commitments}
    inputs = []
    for place, application in enumerate(funded):
        edit = EDITS.get(place, Edit())
        amount = application.requested_amount
        if edit.cut:
            amount = (amount * edit.cut / STEP).to_integral_value(rounding=ROUND_DOWN) * STEP
        split = {funders[name]: fraction for name, fraction in edit.split.items()} if edit.split else None
        summary = rng.choice(SUMMARIES[Decision.Outcome.FUND])
        inputs.append(
            DecisionInput(
                outcome=Decision.Outcome.FUND,
                amount=amount,
                conditions=edit.conditions,
                start_date=START,
                duration_months=12,
                discussion_summary=summary + (REDUCED if edit.cut else ""),
                shares=_shares(amount, split) if split else None,
            )
        )
    while not _fits(call, inputs, weights):
        place = max(
            (p for p, item in enumerate(inputs) if item.shares is None and p != APPLICANT_PLACE),
            key=lambda p: (inputs[p].amount, -p),
        )
        item = inputs[place]
        summary = item.discussion_summary.removesuffix(REDUCED) + REDUCED
        inputs[place] = replace(item, amount=item.amount - TRIM, discussion_summary=summary)
    return inputs


def _decide(call: Call, chair: User) -> None:
    """Mark the decisions in the committee's order, as the chair does on the funding sheet."""
    rng = random.Random(SEED + 3)  # noqa: S311 - demo data, not security
    ranked = _ranked(call)
    funded = ranked[:FUNDED]
    for application, item in zip(funded, _awards(call, funded, rng), strict=True):
        set_decision(application=application, by=chair, data=item)
    for place, application in enumerate(ranked[FUNDED:]):
        outcome = Decision.Outcome.WAITLIST if place < WAITLISTED else Decision.Outcome.DECLINE
        summary = rng.choice(SUMMARIES[outcome])
        set_decision(
            application=application, by=chair, data=DecisionInput(outcome=outcome, discussion_summary=summary)
        )


def _date_back(call: Call, batch: LetterBatch) -> None:
    """Date the decisions and awards when the committee made them (late summer 2025), not today, as
    the submissions' receipts are dated: the letters say the day the decisions were applied. Only
    these dates move; the audit rows and the letters' own records keep the time of the build."""
    applied = call.closes_at + APPLIED
    Decision.objects.filter(call=call).update(applied_at=applied)
    Award.objects.filter(application__call=call).update(created_at=applied)
    label = f"Decisions applied on {timezone.localtime(applied, call.zone):%d %b %Y %H:%M}"
    LetterBatch.objects.filter(pk=batch.pk).update(created_at=applied, label=label)


def _answer(call: Call, funded: list[Application]) -> None:
    """Some awardees have answered, within a month of the letters: most accepted, one declined; the
    rest (the demo applicant among them) have yet to."""
    rng = random.Random(SEED + 4)  # noqa: S311 - demo data, not security
    awards = {a.application_id: a for a in Award.objects.filter(application__in=funded)}
    answers = [(place, True, "") for place in ACCEPTED] + [(DECLINED, False, DECLINE_NOTE)]
    for place, accept, note in answers:
        application = funded[place]
        award = respond_to_award(award=awards[application.pk], accept=accept, by=application.pi, note=note)
        days = timedelta(days=rng.randint(2, 30), hours=rng.randint(0, 8))
        Award.objects.filter(pk=award.pk).update(responded_at=call.closes_at + APPLIED + days)


def build_decided_call(world: "World", slug: str = SLUG) -> None:
    """Applications, decisions, awards, letters and answers of the decided call; then mark it decided."""
    from applications.management.commands.demo import advance_call  # the command imports this module

    call = world.calls[slug]
    if demo_apps.needs_submissions(call):
        if call.status != Call.Status.OPEN:
            world.log(
                f"Note: {call.title} is past its submission window without applications; "
                "start from a fresh database to get them."
            )
            return
        world.log(f"{call.title}: {_submit(world, call)} applications submitted")
    if needs_decisions(call):
        call = advance_call(world, slug, Call.Status.IN_REVIEW)
        chair = world.users[data.CHAIR[1]]
        _decide(call, chair)
        batch = apply_decisions(call=call, by=chair)
        _date_back(call, batch)
        for letter_id in batch.letters.order_by("pk").values_list("pk", flat=True):
            render_letter(letter_id)
        _answer(call, _ranked(call)[:FUNDED])
        world.log(f"{call.title}: {batch.letters.count()} letters rendered")
    advance_call(world, slug, Call.Status.DECIDED)


def summary_lines(slug: str = SLUG) -> list[str]:
    """The decided call's awards and letters, for the summary printed at the end."""
    call = Call.objects.filter(slug=slug).first()
    if call is None or needs_decisions(call):
        return []
    awards = Award.objects.filter(application__call=call)
    statuses = {status: awards.filter(status=status).count() for status in Award.Status.values}
    totals = call_totals(call)
    outcomes = {o: call.decisions.filter(published_outcome=o).count() for o in Decision.Outcome.values}
    letters = Letter.objects.filter(decision__call=call)
    mine = awards.filter(application__pi__email=data.APPLICANT[1]).first()
    lines = [
        f"Decisions of {call.title}: {awards.count()} awards ({statuses['accepted']} accepted, "
        f"{statuses['declined']} declined, {statuses['offered']} offered) holding "
        f"{format_money(totals.allocated, call.currency)} of {format_money(call.budget, call.currency)}; "
        f"{outcomes['waitlist']} waitlisted, {outcomes['decline']} not funded; {letters.count()} letters "
        f"({letters.filter(status=Letter.Status.DONE).count()} rendered)",
    ]
    if mine:
        lines.append(
            f"{data.APPLICANT[1]} holds award {mine.reference} ({mine.get_status_display().lower()})"
        )
    return lines
