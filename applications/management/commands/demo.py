"""``manage.py demo``: build the demo world, modelled on the International Progressive MS Alliance.

Idempotent: every part is found by its natural key (e-mail, name, code, slug) before it is
created, and state changes go through the services (so they leave audit rows) only when something
is missing or different. Running the command twice leaves the same world.

Each part of the world has one ``build_*`` function taking the shared ``World``; ``STEPS`` runs
them in order inside one transaction. To extend the demo, add a function and a step. The
applications (submitted to the call in review, drafts in the open call) are built by
``applications.demo_applications``; the review of the call in review (reviewer pool, invitations,
conflicts, bids and a published assignment run) by ``reviews.demo_reviewers``; its scoring (forms,
phases, reviews, triage and a panel meeting in progress) by ``reviews.demo_reviews``; the decided
call (applications, decisions, awards and letters) by ``awards.demo``.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Institution, User
from accounts.services import get_or_create_institution
from applications import demo_applications as demo_apps
from applications import demo_data as data
from applications.focus_areas import ensure_alliance_focus_areas
from applications.models import Call, Commitment, FocusArea, Funder, Program
from applications.services import create_call, set_commitment, set_committee_member, transition_call
from awards import demo as demo_awards
from priorities import demo as demo_priorities
from priorities.demo_data import COMMUNITY_LOGINS
from reviews import demo_reviewers as demo_reviews
from reviews import demo_reviews as demo_scoring
from reviews.demo_reviewer_data import REVIEWER_LOGINS

ZONE = ZoneInfo("Europe/London")
# The lifecycle in order; the demo only ever moves calls forwards along it.
LIFECYCLE = [
    Call.Status.DRAFT,
    Call.Status.OPEN,
    Call.Status.CLOSED,
    Call.Status.IN_REVIEW,
    Call.Status.DECIDED,
]


@dataclass
class World:
    """What the steps have built so far, by natural key, for the steps that follow."""

    log: Callable[[str], None]
    today: date
    officer: User | None = None
    institutions: dict[str, Institution] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by e-mail
    funders: dict[str, Funder] = field(default_factory=dict)  # by short name
    programs: dict[str, Program] = field(default_factory=dict)  # by code
    calls: dict[str, Call] = field(default_factory=dict)  # by slug


@cache
def _is_demo_password(encoded: str) -> bool:
    """Whether this stored hash is of the demo password (checked once per distinct hash: it is slow)."""
    return check_password(data.PASSWORD, encoded)


def _ensure_user(world: World, *, email: str, full_name: str, institution_key: str, **flags) -> User:
    """The demo user with this e-mail, created or brought back to the demo's name, flags and password."""
    institution = world.institutions.get(institution_key) if institution_key else None
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    wanted = {"full_name": full_name, "institution": institution, "is_active": True, **flags}
    changed = user.pk is None or any(getattr(user, name) != value for name, value in wanted.items())
    for name, value in wanted.items():
        setattr(user, name, value)
    if user.pk is None or not _is_demo_password(user.password):
        user.password = demo_apps.password_hash()
        changed = True
    if changed:
        user.full_clean()
        user.save()
    world.users[email] = user
    return user


def build_focus_areas(world: World) -> None:
    """The five focus areas the migrations seed, back if the database was emptied since."""
    if ensure_alliance_focus_areas():
        world.log("Focus areas: the Alliance's five, seeded again")


def build_officer(world: World) -> None:
    """The program officer: staff and superuser, so that the admin is theirs."""
    _, email, full_name, institution_key = data.OFFICER
    world.officer = _ensure_user(
        world,
        email=email,
        full_name=full_name,
        institution_key=institution_key,
        is_staff=True,
        is_superuser=True,
    )
    world.log(f"Program officer: {email}")


def build_institutions(world: World) -> None:
    for key, name, country, city, ror_id in data.INSTITUTIONS:
        institution = get_or_create_institution(name=name, country=country, ror_id=ror_id, by=world.officer)
        if institution.city != city:
            institution.city = city
            institution.save(update_fields=["city"])
        world.institutions[key] = institution
    countries = {institution.country.code for institution in world.institutions.values()}
    world.log(f"Institutions: {len(world.institutions)} in {len(countries)} countries")


def build_people(world: World) -> None:
    """The committee chair, committee members, the applicant and the two reviewer logins (the
    officer exists already; the rest of the reviewer pool comes with the review, see STEPS)."""
    for _, email, full_name, institution_key in [data.CHAIR, *data.MEMBERS, data.APPLICANT, *REVIEWER_LOGINS]:
        _ensure_user(
            world,
            email=email,
            full_name=full_name,
            institution_key=institution_key,
            is_staff=False,
            is_superuser=False,
        )
    world.log(f"People: {len(world.users)} demo users")


def build_funders(world: World) -> None:
    for short_name, name, country, website, org_id in data.FUNDERS:
        funder, _ = Funder.objects.update_or_create(
            name=name,
            defaults={"short_name": short_name, "country": country, "website": website, "org_id": org_id},
        )
        world.funders[short_name] = funder
    world.log(f"Funders: {', '.join(world.funders)}")


def build_programs(world: World) -> None:
    for code, name, description in data.PROGRAMS:
        program, _ = Program.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        world.programs[code] = program
    world.log(f"Programs: {', '.join(f'{p.name} ({p.code})' for p in world.programs.values())}")


def _moment(day: date | int, at: time, today: date) -> datetime:
    """``day`` (a date, or days from today) at ``at`` in London, as an aware datetime."""
    if isinstance(day, int):
        day = today + timedelta(days=day)
    return datetime.combine(day, at, tzinfo=ZONE)


def build_calls(world: World) -> None:
    """Create the calls in draft (an existing call is kept as it is: its dates stay put)."""
    focus_areas = list(FocusArea.objects.all())
    for spec in data.CALLS:
        call = Call.objects.filter(slug=spec["slug"]).first()
        if call is None:
            prerequisite = spec.get("prerequisite")
            call = create_call(
                by=world.officer,
                focus_areas=focus_areas,
                program=world.programs[spec["program"]],
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                description=spec["description"],
                scheduled=spec.get("scheduled", False),
                timezone=str(ZONE),
                opens_at=_moment(spec["opens"], time(9), world.today),
                closes_at=_moment(spec["closes"], time(17), world.today),
                budget=spec["budget"],
                currency="EUR",
                max_request=spec["max_request"],
                reviewers_per_application=3,
                prerequisite_call=world.calls[prerequisite] if prerequisite else None,
                **demo_awards.CALL_SETTINGS.get(spec["slug"], {}),
            )
            world.log(f"Call created: {call.title}")
        world.calls[call.slug] = call


def build_commitments(world: World) -> None:
    """Funders' commitments, in their own currencies at the call's fixed rates, summing to the budget."""
    for slug, pledges in data.COMMITMENTS.items():
        call = world.calls[slug]
        rates = data.RATES[slug]
        fixed = sum(
            (
                (amount * rates[currency]).quantize(Decimal("0.01"))
                for _, currency, amount in pledges
                if amount
            ),
            Decimal(0),
        )
        for short_name, currency, amount in pledges:
            rate = rates[currency]
            if amount is None:  # the balance, in a currency whose rate is 1
                amount = call.budget - fixed
            _ensure_commitment(world, call, world.funders[short_name], amount, currency, rate)
        total = sum(c.amount_in_call_currency for c in call.commitments.all())
        world.log(f"Commitments to {call.title}: {total:,.2f} {call.currency} of {call.budget:,.2f}")


def _ensure_commitment(world: World, call: Call, funder: Funder, amount, currency: str, rate) -> None:
    existing = Commitment.objects.filter(call=call, funder=funder).first()
    if existing and (existing.amount, existing.currency, existing.rate_to_call_currency) == (
        amount,
        currency,
        rate,
    ):
        return
    set_commitment(
        call=call,
        funder=funder,
        amount=amount,
        currency=currency,
        rate_to_call_currency=rate,
        by=world.officer,
    )


def build_committees(world: World) -> None:
    chair_email = data.CHAIR[1]
    for slug, member_emails in data.COMMITTEES.items():
        call = world.calls[slug]
        set_committee_member(call=call, user=world.users[chair_email], role="chair", by=world.officer)
        for email in member_emails:
            set_committee_member(call=call, user=world.users[email], role="member", by=world.officer)
        world.log(f"Committee of {call.title}: chair and {len(member_emails)} members")


def advance_call(world: World, slug: str, to: str) -> Call:
    """Move a call forwards step by step until it reaches ``to``, each step at a moment its guards
    accept: open just after opening time, close at closing time, review and decide afterwards."""
    call = world.calls[slug]
    target = LIFECYCLE.index(to)
    while LIFECYCLE.index(call.status) < target:
        step = LIFECYCLE[LIFECYCLE.index(call.status) + 1]
        moments = {
            Call.Status.OPEN: call.opens_at + timedelta(hours=1),
            Call.Status.CLOSED: call.closes_at,
            Call.Status.IN_REVIEW: call.closes_at + timedelta(days=7),
            Call.Status.DECIDED: call.closes_at + timedelta(days=120),
        }
        reason = "Closing time reached." if step == Call.Status.CLOSED else ""
        call = transition_call(call=call, to=step, by=world.officer, reason=reason, now=moments[step])
        world.log(f"{call.title}: {call.get_status_display().lower()}")
    world.calls[slug] = call
    return call


def advance_calls(world: World) -> None:
    """Move each call to its demo state. The call in review gets its applications on the way: it is
    opened (at a past moment), they are submitted inside its window, and only then is it closed. The
    decided call is left open while it has no applications: ``awards.demo`` submits and decides them
    after the review steps (so that the review's people stay the same) and marks it decided."""
    for spec in data.CALLS:
        slug = spec["slug"]
        early = LIFECYCLE.index(world.calls[slug].status) <= LIFECYCLE.index(Call.Status.OPEN)
        if slug == demo_awards.SLUG and early and demo_apps.needs_submissions(world.calls[slug]):
            advance_call(world, slug, Call.Status.OPEN)
            continue
        if slug == demo_apps.SUBMISSIONS_CALL and demo_apps.needs_submissions(world.calls[slug]):
            if LIFECYCLE.index(world.calls[slug].status) <= LIFECYCLE.index(Call.Status.OPEN):
                advance_call(world, slug, Call.Status.OPEN)
                demo_apps.build_submissions(world, slug)
            else:
                world.log(
                    f"Note: {world.calls[slug].title} is past its submission window without applications; "
                    "start from a fresh database to get them."
                )
        call = advance_call(world, slug, spec["status"])
        if call.status != spec["status"]:
            world.log(f"Note: {call.title} is {call.get_status_display().lower()}, past the demo's state.")


STEPS: list[Callable[[World], None]] = [
    build_focus_areas,
    build_officer,
    build_institutions,
    build_people,
    build_funders,
    build_programs,
    build_calls,
    build_commitments,
    build_committees,
    advance_calls,
    demo_apps.build_drafts,
    demo_reviews.build_review,
    demo_scoring.build_scoring,
    demo_awards.build_decided_call,
    demo_priorities.build_priorities,
]


class Command(BaseCommand):
    help = "Build (or bring up to date) the demo world and print the demo logins. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing, not even the logins.")

    def handle(self, *args, quiet: bool = False, **options) -> None:
        quiet = quiet or options["verbosity"] == 0

        def log(message: str) -> None:
            if not quiet:
                self.stdout.write(f"  {message}")

        world = World(log=log, today=timezone.localdate(timezone=ZONE))
        if not quiet:
            self.stdout.write("Building the demo world…")
        # Receipts and invitations are "sent" into memory: the demo's people are fictional, and
        # hundreds of e-mails on the console would bury the logins.
        # Celery's eager tasks log a line each, the assignment run its timings and kombu a warning
        # about the in-memory broker; quiet them for the build.
        locmem = "django.core.mail.backends.locmem.EmailBackend"
        quieted = {"celery.app.trace": logging.WARNING, "reviews.services.assignment": logging.WARNING}
        quieted["kombu.connection"] = logging.ERROR
        levels = {name: logging.getLogger(name).level for name in quieted}
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)
        try:
            with override_settings(EMAIL_BACKEND=locmem), transaction.atomic():
                for step in STEPS:
                    step(world)
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo ready."))
            for line in [
                *demo_apps.summary_lines(),
                *demo_reviews.summary_lines(),
                *demo_scoring.summary_lines(),
                *demo_awards.summary_lines(),
            ]:
                self.stdout.write(f"  {line}")
            self.stdout.write(self.logins_table())

    def logins_table(self) -> str:
        rows = [("Role", "E-mail", "Password")]
        for role, email, _, _ in [
            data.OFFICER,
            data.CHAIR,
            *data.MEMBERS,
            data.APPLICANT,
            *REVIEWER_LOGINS,
            *COMMUNITY_LOGINS,
        ]:
            rows.append((role, email, data.PASSWORD))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "+".join("-" * (w + 2) for w in widths)
        lines = ["", "Demo logins", f"+{rule}+"]
        for index, row in enumerate(rows):
            lines.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
            if index == 0:
                lines.append(f"+{rule}+")
        lines += [f"+{rule}+", "", f"Open {data.URL} (the admin is at {data.URL}admin/).", ""]
        return "\n".join(lines)
