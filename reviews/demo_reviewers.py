"""The demo's review world (``manage.py demo``): a reviewer pool for the call in review, invited,
answered, checked for conflicts, bidding, and an assignment run executed and published.

Everything goes through the review services (so it leaves the usual audit rows), deterministic with
``random.Random(SEED)``. Built once: the marker is a published assignment run of the call in review;
when it exists the step does nothing (the demo is idempotent). The reviewer logins themselves are
kept up to date by the command each run, like the other demo logins.

The scientific reviewers write their expertise from the applications' own topic vocabularies
(``applications.demo_topics*``), so that the TF-IDF affinity of ``reviews.affinity`` pairs them with
applications on their topic. A third of the pool are lay reviewers who live with progressive MS or
care for someone who does; every application gets at least one of them.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db.models import Count

from accounts.models import User
from applications import demo_applications as demo_apps
from applications.demo_names import ascii_slug, email_for, first_and_surnames
from applications.demo_texts import TOPICS
from applications.models import Application, Call, FocusArea, ReviewerExclusion, TeamMember
from applications.services import update_call
from reviews import demo_reviewer_data as rd
from reviews.models import Assignment, AssignmentRun, Bid, Conflict, ReviewerInvitation, ReviewerProfile
from reviews.selectors import active_conflict_pairs, reviewer_load_limit
from reviews.services import (
    declare_conflict,
    detect_call_conflicts,
    execute_assignment_run,
    invite_reviewer,
    place_bid,
    publish_assignment_run,
    respond_to_invitation,
    save_reviewer_profile,
    start_assignment_run,
)

if TYPE_CHECKING:
    from applications.management.commands.demo import World

REVIEW_CALL = demo_apps.SUBMISSIONS_CALL
TOPIC_BY_KEY = {topic["key"]: topic for topic in TOPICS}
LAY_TOPICS = {"rehabilitation", "fatigue", "cognition"}  # what lay reviewers bid on
_TITLES = ("Dr ", "Prof. ")


@dataclass
class ReviewerPlan:
    """Everything one reviewer's account, profile and answer will say, drawn before anything is saved."""

    email: str
    full_name: str
    institution_key: str
    kind: str
    expertise: str
    keywords: str
    focus: list[str]
    default_load: int
    topic: str = ""  # the primary topic key (scientific reviewers)
    collaborators: str = ""
    decline_reason: str = ""  # declines when set
    load_limit: int | None = None  # accepts with this lower load when set
    login: bool = False  # a demo login, kept by the command

    @property
    def is_lay(self) -> bool:
        return self.kind == ReviewerProfile.Kind.LAY


def needs_review(call: Call) -> bool:
    """Whether the review world is still to be built (the marker: no published run yet)."""
    return not call.assignment_runs.filter(status=AssignmentRun.Status.PUBLISHED).exists()


# Planning -------------------------------------------------------------------------------------


def application_topic(application: Application) -> str:
    """The primary topic of a demo application: its needed expertise starts with the topic's."""
    for topic in TOPICS:
        if application.needed_expertise.startswith(topic["expertise"]):
            return topic["key"]
    return ""


def _fill(rng: random.Random, topic: dict, sentence: str) -> str:
    values = {slot: rng.choice(options) for slot, options in topic["fills"].items()}
    text = sentence.format_map(values)
    return text[:1].upper() + text[1:]


def scientific_statement(rng: random.Random, topic: dict, secondary: dict | None) -> tuple[str, str]:
    """An expertise statement and keywords in the words of the applications on the same topic."""
    keywords = rng.sample(topic["keywords"], k=min(4, len(topic["keywords"])))
    sentences = [
        f"{topic['expertise']}.",
        f"My group works on {', '.join(keywords[:-1])} and {keywords[-1]} in progressive MS.",
        _fill(rng, topic, rng.choice(topic["background"])),
        _fill(rng, topic, rng.choice(topic["methods"])),
        f"Recent project: {_fill(rng, topic, rng.choice(topic['titles']))}.",
    ]
    if secondary is not None:
        keywords.append(rng.choice(secondary["keywords"]))
        field = secondary["expertise"]
        sentences.append(f"I also work on {field[:1].lower()}{field[1:]}.")
        sentences.append(_fill(rng, secondary, rng.choice(secondary["background"])))
    return " ".join(sentences), ", ".join([*dict.fromkeys(keywords), "progressive MS"])


def lay_statement(rng: random.Random) -> tuple[str, str]:
    """A plain-language statement about living with progressive MS (or caring), and keywords."""
    sentences = [
        rng.choice(rd.LAY_WHO).format(years=rng.randint(3, 25)),
        *rng.sample(rd.LAY_CARES, k=2),
        rng.choice(rd.LAY_INVOLVEMENT).format(n=rng.randint(2, 10)),
        rng.choice(rd.LAY_CLOSING),
    ]
    keywords = ["lived experience", *rng.sample(rd.LAY_KEYWORDS[1:], k=4)]
    return " ".join(sentences), ", ".join(keywords)


@dataclass
class _Taken:
    """E-mails and names already used by the demo's other people, so reviewers are new people."""

    emails: set[str]
    names: set[str]

    @classmethod
    def of_demo(cls) -> "_Taken":
        # Reviewers already built are left out: the plan must not depend on what exists.
        people = list(User.objects.filter(reviewer_profile__isnull=True).values_list("email", "full_name"))
        people += list(TeamMember.objects.values_list("email", "name"))
        people += list(ReviewerExclusion.objects.values_list("email", "name"))
        people += [(email, full_name) for _, email, full_name, _ in rd.REVIEWER_LOGINS]
        return cls({e.lower() for e, _ in people if e}, {_name_key(n) for _, n in people if n})

    def person(self, rng: random.Random, country: str, email_of) -> tuple[str, str, str]:
        """(first, surname, e-mail) of a new person from ``country``."""
        firsts, surnames = first_and_surnames(country)
        for _ in range(100):
            first, surname = rng.choice(firsts), rng.choice(surnames)
            email = email_of(first, surname).lower()
            if email not in self.emails and _name_key(f"{first} {surname}") not in self.names:
                self.emails.add(email)
                self.names.add(_name_key(f"{first} {surname}"))
                return first, surname, email
        raise RuntimeError(f"Ran out of demo reviewer names for {country}.")


def _name_key(name: str) -> str:
    for title in _TITLES:
        name = name.removeprefix(title)
    return " ".join(name.lower().split())


def plan_pool(world: "World", applications: list[Application]) -> list[ReviewerPlan]:
    """The reviewer pool: 4 scientific reviewers per topic and 20 lay reviewers (logins first)."""
    rng = random.Random(rd.SEED)  # noqa: S311 - demo data, not security
    taken = _Taken.of_demo()
    key_of = {institution.pk: key for key, institution in world.institutions.items()}
    country_of = {key: institution.country.code for key, institution in world.institutions.items()}
    by_topic: dict[str, list[Application]] = {}
    for application in applications:
        by_topic.setdefault(application_topic(application), []).append(application)

    slots = [(topic, index) for topic in TOPICS for index in range(rd.SCIENTIFIC_PER_TOPIC)]
    login_slot = slots.index((TOPIC_BY_KEY[rd.REVIEWER_TOPIC], 0))
    others = [i for i in range(len(slots)) if i != login_slot]
    at_pi_institution = set(rng.sample(others, k=rd.SAME_INSTITUTION_AS_A_PI))
    with_collaborators = rng.sample(others, k=rd.COLLABORATORS)
    plans = []
    for number, (topic, _) in enumerate(slots):
        secondary = rng.choice([t for t in TOPICS if t is not topic]) if rng.random() < 0.5 else None
        expertise, keywords = scientific_statement(rng, topic, secondary)
        focus = list(dict.fromkeys([*topic["focus"], *(secondary["focus"][:1] if secondary else [])]))
        own = by_topic.get(topic["key"], [])
        if number == login_slot:
            _, email, full_name, institution_key = rd.REVIEWER
        else:
            if number in at_pi_institution and own:
                application = rng.choice(own)
                institution_key = key_of[(application.institution or application.pi.institution).pk]
            else:
                institution_key = rng.choice(sorted(world.institutions))
            first, surname, email = taken.person(
                rng, country_of[institution_key], lambda f, s, k=institution_key: email_for(f, s, k)
            )
            full_name = f"{rng.choice(['Dr', 'Dr', 'Prof.'])} {first} {surname}"
        plan = ReviewerPlan(
            email=email,
            full_name=full_name,
            institution_key=institution_key,
            kind=ReviewerProfile.Kind.SCIENTIFIC,
            expertise=expertise,
            keywords=keywords,
            focus=focus,
            default_load=10 if number == login_slot else rng.choice(rd.SCIENTIFIC_LOADS),
            topic=topic["key"],
            login=number == login_slot,
        )
        plans.append(plan)
    for turn, number in enumerate(with_collaborators):
        plan = plans[number]
        own_institution = world.institutions[plan.institution_key].pk
        elsewhere = [a for a in by_topic.get(plan.topic, []) if a.pi.institution_id != own_institution]
        if elsewhere:
            pi = rng.choice(elsewhere).pi
            plan.collaborators = pi.email if turn % 2 == 0 else pi.full_name

    for number in range(rd.LAY_COUNT):
        expertise, keywords = lay_statement(rng)
        if number == 0:
            _, email, full_name, _ = rd.LAY_REVIEWER
        else:
            first, surname, email = taken.person(
                rng,
                rng.choice(rd.LAY_COUNTRIES),
                lambda f, s: f"{ascii_slug(f)}.{ascii_slug(s).replace('.', '')}@{rd.LAY_DOMAIN}",
            )
            full_name = f"{first} {surname}"
        plans.append(
            ReviewerPlan(
                email=email,
                full_name=full_name,
                institution_key="",
                kind=ReviewerProfile.Kind.LAY,
                expertise=expertise,
                keywords=keywords,
                focus=rng.choice(rd.LAY_FOCUS),
                default_load=12 if number == 0 else rng.choice(rd.LAY_LOADS),
                login=number == 0,
            )
        )
    _plan_answers(rng, plans)
    return plans


def _plan_answers(rng: random.Random, plans: list[ReviewerPlan]) -> None:
    """A few decline with a reason, a few accept with a lower load; the demo logins accept."""
    scientific = [p for p in plans if not p.is_lay and not p.login]
    lay = [p for p in plans if p.is_lay and not p.login]
    decliners = [
        *rng.sample(scientific, k=len(rd.SCIENTIFIC_DECLINES)),
        *rng.sample(lay, k=len(rd.LAY_DECLINES)),
    ]
    for plan, reason in zip(decliners, rd.SCIENTIFIC_DECLINES + rd.LAY_DECLINES, strict=True):
        plan.decline_reason = reason
    accepting = [p for p in scientific + lay if not p.decline_reason]
    for plan in rng.sample(accepting, k=rd.LOWER_LOADS):
        plan.load_limit = max(5, plan.default_load - rng.randint(2, 4))


# Building -------------------------------------------------------------------------------------


def _ensure_users(world: "World", plans: list[ReviewerPlan]) -> dict[str, User]:
    """The reviewers' accounts by e-mail (the logins come from the command; others in bulk)."""
    users = {p.email: world.users[p.email] for p in plans if p.login}
    wanted = [p for p in plans if not p.login]
    existing = {u.email: u for u in User.objects.filter(email__in=[p.email for p in wanted])}
    new = []
    for plan in wanted:
        if plan.email in existing:
            users[plan.email] = existing[plan.email]
            continue
        user = User(
            email=plan.email,
            full_name=plan.full_name,
            institution=world.institutions.get(plan.institution_key),
            password=demo_apps.password_hash(),
        )
        user.full_clean(exclude=["password"], validate_unique=False)
        new.append(user)
    for user in User.objects.bulk_create(new):
        users[user.email] = user
    return users


def _ensure_profiles(world: "World", plans: list[ReviewerPlan], users: dict[str, User]) -> None:
    areas = {area.slug: area for area in FocusArea.objects.all()}
    existing = ReviewerProfile.objects.filter(user__in=users.values()).prefetch_related("focus_areas")
    profiles = {profile.user_id: profile for profile in existing}
    for plan in plans:
        user = users[plan.email]
        fields = {
            "kind": plan.kind,
            "expertise": plan.expertise,
            "keywords": plan.keywords,
            "default_load": plan.default_load,
            "collaborators": plan.collaborators,
            "active": True,
        }
        profile = profiles.get(user.pk)
        if (
            profile is not None
            and all(getattr(profile, k) == v for k, v in fields.items())
            and {a.slug for a in profile.focus_areas.all()} == set(plan.focus)
        ):
            continue
        save_reviewer_profile(
            user=user, by=world.officer, focus_areas=[areas[s] for s in plan.focus if s in areas], **fields
        )


def _set_review_due(world: "World", call: Call) -> Call:
    """Reviews are due three weeks from today at 17:00 (call time), unless a later date is set."""
    due = datetime.combine(world.today + timedelta(days=rd.REVIEW_DUE_DAYS), time(17), tzinfo=call.zone)
    if call.review_due_at is None or call.review_due_at < due - timedelta(days=1):
        call = update_call(call=call, by=world.officer, review_due_at=due)
    return call


def _invite_and_answer(world: "World", call: Call, plans: list[ReviewerPlan], users: dict[str, User]) -> None:
    invitations = {i.reviewer_id: i for i in ReviewerInvitation.objects.filter(call=call)}
    for plan in plans:
        user = users[plan.email]
        invitation = invitations.get(user.pk) or invite_reviewer(call=call, reviewer=user, by=world.officer)
        if invitation.status != ReviewerInvitation.Status.PENDING:
            continue
        if plan.decline_reason:
            respond_to_invitation(invitation=invitation, by=user, accept=False, reason=plan.decline_reason)
        else:
            respond_to_invitation(invitation=invitation, by=user, accept=True, load_limit=plan.load_limit)


def _declare_and_bid(
    world: "World", call: Call, plans: list[ReviewerPlan], users: dict[str, User], applications
) -> None:
    """Two reviewers declare a conflict with an application of their topic; the others bid."""
    rng = random.Random(rd.SEED + 1)  # noqa: S311 - demo data, not security
    by_topic: dict[str, list[Application]] = {}
    for application in applications:
        by_topic.setdefault(application_topic(application), []).append(application)
    accepted = [p for p in plans if not p.decline_reason]
    conflicted = active_conflict_pairs(call)
    declaring = rng.sample([p for p in accepted if not p.is_lay and not p.login], k=len(rd.DECLARED_REASONS))
    for plan, (kind, reason) in zip(declaring, rd.DECLARED_REASONS, strict=True):
        user = users[plan.email]
        free = [a for a in by_topic.get(plan.topic, []) if (a.pk, user.pk) not in conflicted]
        if free:
            application = rng.choice(free)
            declare_conflict(application=application, by=user, reason=reason, kind=kind)
            conflicted.add((application.pk, user.pk))
    existing = set(Bid.objects.filter(application__call=call).values_list("application_id", "reviewer_id"))
    for plan in accepted:
        user = users[plan.email]
        if plan.is_lay:
            pool = [a for key in sorted(LAY_TOPICS) for a in by_topic.get(key, [])]
            wishes = [Bid.Value.EAGER, Bid.Value.WILLING]
        else:
            pool = by_topic.get(plan.topic, [])
            eager = rd.DEMO_REVIEWER_BIDS if plan.login else 2
            wishes = [Bid.Value.EAGER] * eager + [Bid.Value.WILLING] * 2
        free = [a for a in pool if (a.pk, user.pk) not in conflicted]
        chosen = list(zip(rng.sample(free, k=min(len(wishes), len(free))), wishes, strict=False))
        if not plan.is_lay:  # and one they would rather not review, far from their field
            far = [
                a
                for a in applications
                if application_topic(a) != plan.topic and (a.pk, user.pk) not in conflicted
            ]
            chosen.append((rng.choice(far), Bid.Value.NOT_WILLING))
        for application, value in chosen:
            if (application.pk, user.pk) not in existing:
                place_bid(application=application, by=user, value=value)


def _assign(world: "World", call: Call) -> AssignmentRun:
    """Start, execute (here, once: the task queued on commit finds it done) and publish a run."""
    active = [AssignmentRun.Status.QUEUED, AssignmentRun.Status.RUNNING, AssignmentRun.Status.PROPOSED]
    run = call.assignment_runs.filter(status__in=active).order_by("-pk").first()
    if run is None:
        run = start_assignment_run(call=call, by=world.officer)
    run = execute_assignment_run(run_id=run.pk)
    if run.status != AssignmentRun.Status.PROPOSED:
        raise CommandError(f"The demo's assignment run #{run.pk} did not finish: {run.message}")
    return publish_assignment_run(run=run, by=world.officer)


def _capacity(call: Call) -> tuple[int, int]:
    """Total and lay load limits of the reviewers who accepted."""
    invitations = ReviewerInvitation.objects.filter(
        call=call, status=ReviewerInvitation.Status.ACCEPTED
    ).select_related("reviewer__reviewer_profile")
    limits = [(reviewer_load_limit(i), i.reviewer.reviewer_profile.is_lay) for i in invitations]
    return sum(n for n, _ in limits), sum(n for n, lay in limits if lay)


def build_review(world: "World", slug: str = REVIEW_CALL) -> None:
    """The reviewer pool, invitations, conflicts, bids and a published assignment of the call."""
    call = world.calls[slug]
    if call.status != Call.Status.IN_REVIEW:
        world.log(f"Note: {call.title} is not in review, so it gets no reviewers.")
        return
    if not needs_review(call):
        world.log(f"{call.title}: reviewers assigned already")
        return
    applications = list(
        call.applications.submitted().select_related("pi__institution", "institution").order_by("pk")
    )
    if not applications:
        world.log(f"Note: {call.title} has no submitted applications, so it gets no reviewers.")
        return
    plans = plan_pool(world, applications)
    users = _ensure_users(world, plans)
    _ensure_profiles(world, plans, users)
    call = world.calls[slug] = _set_review_due(world, call)
    _invite_and_answer(world, call, plans, users)
    total, lay = _capacity(call)
    k, quota = call.reviewers_per_application, call.lay_reviewers_per_application
    if total < k * len(applications) or lay < quota * len(applications):
        raise CommandError(f"The demo's reviewers can take {total} reviews ({lay} lay): too few.")
    detect_call_conflicts(call=call, by=world.officer)
    _declare_and_bid(world, call, plans, users, applications)
    run = _assign(world, call)
    world.log(
        f"{call.title}: {len(plans)} reviewers invited, run #{run.pk} published "
        f"(capacity {total} reviews, {lay} lay, for {k * len(applications)})"
    )


# Summary --------------------------------------------------------------------------------------


def summary_lines(slug: str = REVIEW_CALL) -> list[str]:
    """The review of the call in review, in one line, for the summary printed at the end."""
    call = Call.objects.filter(slug=slug).first()
    if call is None:
        return []
    run = (
        call.assignment_runs.filter(status=AssignmentRun.Status.PUBLISHED)
        .select_related("worst_application")
        .first()
    )
    invitations = ReviewerInvitation.objects.filter(call=call)
    if run is None or not invitations.exists():
        return []
    kinds = dict(invitations.values_list("reviewer__reviewer_profile__kind").annotate(n=Count("pk")))
    answers = dict(invitations.values_list("status").annotate(n=Count("pk")))
    conflicts = (
        Conflict.objects.filter(application__call=call, lifted=False)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    published = Assignment.objects.filter(run=run, state=Assignment.State.PUBLISHED)
    worst = run.worst_application.reference if run.worst_application else "-"
    due = f", due {run.review_due_at.astimezone(call.zone):%d %b %Y}" if run.review_due_at else ""
    parts = [
        f"{sum(kinds.values())} reviewers "
        f"({kinds.get('lay', 0)} lay, {kinds.get('scientific', 0)} scientific)",
        f"invitations {answers.get('accepted', 0)} accepted, {answers.get('declined', 0)} declined",
        "conflicts " + ", ".join(f"{n} {Conflict.Kind(kind).label.lower()}" for kind, n in conflicts),
        f"{published.count()} assignments published to "
        f"{published.values('reviewer').distinct().count()} reviewers{due}",
        f"affinity total {run.total_affinity or 0:.1f}, worst-served application {worst} "
        f"({run.worst_affinity or 0:.2f} over its {call.reviewers_per_application} reviewers)",
    ]
    return [f"Review of {call.title}: " + "; ".join(parts)]
