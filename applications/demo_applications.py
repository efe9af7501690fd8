"""The demo's applications (``manage.py demo``): ~195 submitted to the call in review and a dozen
drafts in the open call, all built through the services, deterministic with ``random.Random(2026)``.

The call in review has its window in the past, so its applications are started and submitted with
``now=`` inside that window, while the call is open; the command then closes it and starts review.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.identifiers import orcid_check_digit
from accounts.models import User
from applications import demo_data as data
from applications.demo_names import PI_COUNTRIES, ascii_slug, email_for, first_and_surnames
from applications.demo_pdf import paginate, write_pdf
from applications.demo_texts import CATEGORY_WEIGHTS, JUSTIFICATIONS, Proposal, write_proposal
from applications.models import Application, Attachment, Call, FocusArea, TeamMember
from applications.services import (
    add_attachment,
    save_budget_line,
    save_exclusion,
    save_team_member,
    start_application,
    submit_application,
    update_application,
)

if TYPE_CHECKING:
    from applications.management.commands.demo import World

SEED = 2026
SUBMISSIONS_CALL = "challenge-awards-2026"  # in review: its applications are all submitted
DRAFTS_CALL = "challenge-awards-2027"  # open: drafts, one of them the demo applicant's
DRAFT_LEVELS = [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # how far the other drafts have got (see _build)
RETURNING_PIS = 4  # drafts in the open call by PIs who applied to the call in review too
EXCLUSION_REASONS = [
    "Works on the same target and competes directly with this project.",
    "Was my PhD supervisor until 2023.",
    "Co-author on three papers in the last two years.",
    "Commercial interest: consults for a company developing a competing compound.",
    "A personal conflict after a collaboration ended in 2022.",
]


@cache
def password_hash() -> str:
    """One hash of the demo password, shared by the demo users (hashing is the slow part)."""
    return make_password(data.PASSWORD)


@dataclass(frozen=True)
class Person:
    first: str
    surname: str
    title: str
    institution_key: str
    country: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first, self.surname) if p)

    @property
    def email(self) -> str:
        return email_for(self.first, self.surname, self.institution_key)


def _institution_keys_by_country() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for key, _, country, _, _ in data.INSTITUTIONS:
        keys.setdefault(country, []).append(key)
    return keys


def _person(rng: random.Random, country: str, institution_key: str, taken: set[str]) -> Person:
    firsts, surnames = first_and_surnames(country)
    for _ in range(50):
        title = rng.choices(["Dr", "Prof.", ""], weights=[6, 3, 1])[0]
        person = Person(rng.choice(firsts), rng.choice(surnames), title, institution_key, country)
        if person.email not in taken and ascii_slug(person.first) not in {"", "."}:
            taken.add(person.email)
            return person
    raise RuntimeError(f"Ran out of demo names for {country}.")


def plan_pis(rng: random.Random, taken: set[str], counts: dict[str, int] = PI_COUNTRIES) -> list[Person]:
    """Principal investigators, ``counts`` of them per country (the call in review's by default)."""
    keys = _institution_keys_by_country()
    people = []
    for country, count in counts.items():
        for _ in range(count):
            people.append(_person(rng, country, rng.choice(keys[country]), taken))
    rng.shuffle(people)
    return people


def _orcid(rng: random.Random) -> str:
    base = f"0000000{rng.choice('123')}{rng.randint(0, 9999):04d}{rng.randint(0, 999):03d}"
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _someone_elsewhere(rng: random.Random, pi_key: str, taken: set[str]) -> tuple[Person, str]:
    key, name, country, _, _ = rng.choice([i for i in data.INSTITUTIONS if i[0] != pi_key])
    return _person(rng, country, key, taken), name


def budget_lines(rng: random.Random, request: Decimal, months: int) -> list[dict]:
    """2 to 5 lines within the project's years, summing exactly to ``request``."""
    years = math.ceil(months / 12)
    slots = [("personnel", y) for y in range(1, years + 1)]
    slots += [("consumables", y) for y in range(1, years + 1)]
    slots += [("equipment", 1), ("travel", years), ("other", rng.randint(1, years))]
    chosen = [slots[0], *rng.sample(slots[1:], k=rng.randint(1, min(4, len(slots) - 1)))]
    weights = [CATEGORY_WEIGHTS[category] * rng.uniform(0.7, 1.3) for category, _ in chosen]
    amounts = [(request * Decimal(w / sum(weights))).quantize(Decimal("1E2")) for w in weights]
    amounts[0] = request - sum(amounts[1:])  # personnel takes the rounding
    return [
        {
            "category": category,
            "year": year,
            "amount": amount,
            "justification": rng.choice(JUSTIFICATIONS[category]).format(months=months),
        }
        for (category, year), amount in zip(chosen, amounts, strict=True)
    ]


def _research_plan(rng: random.Random, proposal: Proposal, pi: User) -> SimpleUploadedFile:
    blocks = [
        (proposal.title, [f"Principal investigator: {pi.full_name}, {pi.institution}", "Research plan"]),
        *((heading, [" ".join(sentences)]) for heading, sentences in proposal.sections),
        ("Timeline and milestones", ["Months 1-6: set-up, approvals and recruitment of staff."]),
    ]
    pdf = write_pdf(
        title=proposal.title, author=pi.full_name, pages=paginate(blocks, pages=rng.randint(2, 6))
    )
    name = f"{ascii_slug(pi.full_name.split()[-1]).replace('.', '-')}_research_plan.pdf"
    return SimpleUploadedFile(name, pdf, content_type="application/pdf")


@dataclass
class Plan:
    """Everything one application will say, drawn before anything is saved."""

    proposal: Proposal
    request: Decimal
    months: int
    budget: list[dict]
    team: list[dict]
    exclusions: list[dict]


def plan_application(rng: random.Random, call: Call, pi_key: str, taken: set[str], titles: set[str]) -> Plan:
    proposal = write_proposal(
        rng,
        lay_limit=call.lay_summary_word_limit,
        abstract_limit=call.abstract_word_limit,
        used_titles=titles,
    )
    top = int(call.max_request // 1000)
    thousands = top if rng.random() < 0.2 else rng.randint(min(60, top), top)
    request = Decimal(thousands * 1000)
    months = min(rng.choice([12, 18, 24, 24, 24, 30, 36, 36]), call.max_duration_months)
    team = []
    for index in range(rng.choice([0, 1, 1, 2, 2, 3])):
        person, institution_name = _someone_elsewhere(rng, pi_key, taken)
        role = TeamMember.Role.CO_INVESTIGATOR if index == 0 or rng.random() < 0.6 else "collaborator"
        member = {"name": person.full_name, "email": person.email, "institution_name": institution_name}
        team.append({**member, "role": role, "orcid": _orcid(rng) if rng.random() < 0.6 else ""})
    exclusions = []
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        person, _ = _someone_elsewhere(rng, pi_key, taken)
        exclusions.append(
            {
                "name": person.full_name,
                "email": person.email if rng.random() < 0.7 else "",
                "orcid": _orcid(rng) if rng.random() < 0.3 else "",
                "reason": rng.choice(EXCLUSION_REASONS),
            }
        )
    return Plan(proposal, request, months, budget_lines(rng, request, months), team, exclusions)


def _fill(application: Application, pi: User, plan: Plan, level: int, areas: dict[str, FocusArea], rng):
    """Fill the sections up to ``level``: 1 title and lay summary, 2 all details, 3 part of the
    budget, 4 budget and team, 5 the research plan too (ready to submit)."""
    proposal = plan.proposal
    if level == 1:
        application = update_application(
            application=application, by=pi, title=proposal.title, lay_summary=proposal.lay_summary
        )
    if level >= 2:
        application = update_application(
            application=application,
            by=pi,
            focus_areas=[areas[slug] for slug in proposal.focus_areas if slug in areas],
            title=proposal.title,
            lay_summary=proposal.lay_summary,
            scientific_abstract=proposal.scientific_abstract,
            keywords=proposal.keywords,
            requested_amount=plan.request,
            duration_months=plan.months,
            needed_expertise=proposal.needed_expertise,
        )
    if level >= 3:
        lines = plan.budget if level >= 4 else plan.budget[:-1]
        for line in lines:
            save_budget_line(application=application, by=pi, **line)
    if level >= 4:
        for member in plan.team:
            save_team_member(application=application, by=pi, **member)
        for exclusion in plan.exclusions:
            save_exclusion(application=application, by=pi, **exclusion)
    if level >= 5:
        add_attachment(
            application=application,
            by=pi,
            kind=Attachment.Kind.RESEARCH_PLAN,
            upload=_research_plan(rng, proposal, pi),
        )
    return application


def _ensure_applicants(world: "World", people: list[Person]) -> dict[str, User]:
    """The applicants' accounts (created in bulk with one shared password hash), by e-mail."""
    emails = [p.email for p in people]
    users = {u.email: u for u in User.objects.filter(email__in=emails).select_related("institution")}
    new = []
    for person in people:
        if person.email in users:
            continue
        user = User(
            email=person.email,
            full_name=person.full_name,
            institution=world.institutions[person.institution_key],
            password=password_hash(),
        )
        user.full_clean(exclude=["password"], validate_unique=False)
        new.append(user)
    for user in User.objects.bulk_create(new):
        users[user.email] = user
    return users


def _submission_times(rng: random.Random, call: Call, count: int) -> list[datetime]:
    """Spread over the last two weeks before the deadline, busiest towards the end."""
    window = timedelta(days=14).total_seconds()
    before = sorted((180 + round(window * rng.random() ** 2.2) for _ in range(count)), reverse=True)
    for index in range(len(before) - 2, -1, -1):  # no two at the same second, in order
        before[index] = max(before[index], before[index + 1] + rng.randint(7, 90))
    return [call.closes_at - timedelta(seconds=s) for s in before]


def _demo_login_emails() -> set[str]:
    return {email for _, email, _, _ in [data.OFFICER, data.CHAIR, *data.MEMBERS, data.APPLICANT]}


def _submission_pis() -> tuple[random.Random, list[Person], set[str]]:
    """The generator, the planned PIs of the call in review and the e-mails taken (the same each run)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    taken = _demo_login_emails()
    return rng, plan_pis(rng, taken), taken


def needs_submissions(call: Call) -> bool:
    """Whether the call's applications are still to be built (the marker: it has none yet)."""
    return not call.applications.exists()


def build_submissions(world: "World", slug: str = SUBMISSIONS_CALL) -> None:
    """Start, fill and submit one application per planned PI while the call is open (at past times)."""
    call = world.calls[slug]
    rng, people, taken = _submission_pis()
    count = len(submit_applications(world, call, people, rng, taken))
    world.log(f"{call.title}: {count} applications submitted")


def submit_applications(
    world: "World",
    call: Call,
    people: list[Person],
    rng: random.Random,
    taken: set[str],
    *,
    adapt: Callable[[Plan], Plan] | None = None,
) -> list[Application]:
    """Start, fill and submit one application per person to ``call`` while it is open, at past times
    in the last two weeks of its window; the demo applicant takes the place of the first person from
    their country. ``adapt`` may change each plan (another program's amounts or wording)."""
    applicant = world.users[data.APPLICANT[1]]
    swap = next(i for i, p in enumerate(people) if p.country == applicant.institution.country.code)
    people = [p for i, p in enumerate(people) if i != swap]
    users = _ensure_applicants(world, people)
    pis = [users[p.email] for p in people]
    pis.insert(swap, applicant)
    areas = {a.slug: a for a in call.focus_areas.all()} or {a.slug: a for a in FocusArea.objects.all()}
    titles: set[str] = set()
    applications = []
    for pi, submitted_at in zip(pis, _submission_times(rng, call, len(pis)), strict=True):
        plan = plan_application(rng, call, _key_of(world, pi), taken, titles)
        if adapt is not None:
            plan = adapt(plan)
        started = max(call.opens_at + timedelta(hours=2), submitted_at - timedelta(days=rng.randint(5, 60)))
        application = start_application(call=call, by=pi, now=started)
        application = _fill(application, pi, plan, 5, areas, rng)
        applications.append(submit_application(application=application, by=pi, now=submitted_at))
    # The receipts go out when the transaction commits; date them a minute after each submission,
    # as they would have been sent at the time.
    transaction.on_commit(
        lambda: Application.objects.filter(call=call, receipt_sent_at__isnull=False).update(
            receipt_sent_at=F("submitted_at") + timedelta(seconds=45)
        )
    )
    return applications


def _key_of(world: "World", user: User) -> str:
    return next((k for k, i in world.institutions.items() if i.pk == user.institution_id), "")


def build_drafts(world: "World", slug: str = DRAFTS_CALL) -> None:
    """Drafts in the open call, some just started and some nearly done; one is the demo applicant's,
    missing only its research plan. A PI who has an application to the call already is skipped."""
    call = world.calls[slug]
    if call.status != Call.Status.OPEN:
        world.log(f"Note: {call.title} is not open, so it gets no drafts.")
        return
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not security
    _, planned, taken = _submission_pis()  # newcomers' names must not depend on what exists
    taken |= {p.email for p in planned}
    keys = _institution_keys_by_country()
    countries = sorted(keys)
    newcomers = [
        _person(rng, country, rng.choice(keys[country]), taken)
        for country in rng.sample(countries, k=len(DRAFT_LEVELS) - RETURNING_PIS)
    ]
    users = _ensure_applicants(world, newcomers)
    returning = list(
        User.objects.filter(applications__call__slug=SUBMISSIONS_CALL)
        .exclude(email=data.APPLICANT[1])
        .order_by("email")[:RETURNING_PIS]
    )
    pis = [world.users[data.APPLICANT[1]], *returning, *(users[p.email] for p in newcomers)]
    levels = [4, *rng.sample(DRAFT_LEVELS, k=len(DRAFT_LEVELS))]
    areas = {a.slug: a for a in call.focus_areas.all()} or {a.slug: a for a in FocusArea.objects.all()}
    already = set(call.applications.values_list("pi_id", flat=True))
    titles: set[str] = set()
    created = 0
    for pi, level in zip(pis, levels, strict=False):
        plan = plan_application(rng, call, _key_of(world, pi), taken, titles)
        if pi.pk in already:
            continue
        application = start_application(call=call, by=pi, now=timezone.now())
        _fill(application, pi, plan, level, areas, rng)
        created += 1
    if created:
        world.log(f"{call.title}: {created} drafts started")


def summary_lines() -> list[str]:
    """What the demo's calls hold now, for the summary printed at the end."""
    lines = []
    for call in Call.objects.order_by("-closes_at"):
        applications = call.applications.all()
        submitted = applications.filter(status=Application.Status.SUBMITTED)
        drafts = applications.filter(status=Application.Status.DRAFT).count()
        if not applications.exists():
            continue
        countries = set(submitted.values_list("institution__country", flat=True))
        parts = []
        if countries:
            parts.append(f"{submitted.count()} submitted from {len(countries)} countries")
        if drafts:
            parts.append(f"{drafts} drafts")
            if applications.filter(status=Application.Status.DRAFT, pi__email=data.APPLICANT[1]).exists():
                parts.append(f"{data.APPLICANT[1]} has one to finish (it lacks only the research plan)")
        lines.append(f"{call.title} ({call.get_status_display().lower()}): {', '.join(parts)}")
    return lines
