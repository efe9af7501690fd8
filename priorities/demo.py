"""The research-priorities part of ``manage.py demo``: 40 community members (one of them the demo
login), a round in its voting phase with 30 published questions across the five focus areas, votes,
comments and the moderators' work (an edit for clarity, a merged duplicate, a hidden question and
comment, two questions waiting), and an earlier round closed with its top ten, whose first question
the Planning Grants 2025 call addresses.

Everything goes through the services at moments inside each phase (``now=``), so the audit trail is
as real use leaves it. Idempotent: a round that exists is left as it is, and members are found by
e-mail, so a second run adds nothing.
"""

import random
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import check_password

from accounts.models import User
from applications import demo_applications as demo_apps
from applications import demo_data as app_data
from applications.models import Call, FocusArea
from priorities import demo_data as data
from priorities.models import CommunityProfile, Question, Round
from priorities.services import (
    add_comment,
    create_round,
    edit_question,
    hide_comment,
    hide_question,
    merge_question,
    publish_question,
    record_top_ten,
    save_community_profile,
    save_question_draft,
    set_question_calls,
    set_votes,
    submit_question,
    transition_round,
)

if TYPE_CHECKING:
    from applications.management.commands.demo import World

ZONE = ZoneInfo("Europe/London")
P = Round.Phase


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def _ascii(name: str) -> str:
    """A name as the part of an e-mail address: "Fernández" → "fernandez", "O'Brien" → "obrien"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in folded if c.isalnum())


def _member(world: "World", *, email: str, full_name: str, kind: str, public_name: str) -> User:
    """The member with this e-mail, created (with the demo password) or kept as it is."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, password=demo_apps.password_hash())
        user.full_clean()
        user.save()
    profile = CommunityProfile.objects.filter(user=user).first()
    if profile is None or (profile.kind, profile.public_name) != (kind, public_name):
        save_community_profile(user=user, by=user, kind=kind, public_name=public_name)
    world.users[email] = user
    return user


def build_members(world: "World") -> list[User]:
    """The demo login first, then the other members; the login's password is put back if changed."""
    _, email, full_name, _ = data.COMMUNITY_LOGIN
    login = _member(
        world, email=email, full_name=full_name, kind="person_with_ms", public_name=data.COMMUNITY_PUBLIC_NAME
    )
    if not check_password(app_data.PASSWORD, login.password):
        login.password = demo_apps.password_hash()
        login.save(update_fields=["password"])
    members = [login]
    for first, surname, kind in data.MEMBERS:
        address = f"{_ascii(first)}.{_ascii(surname)}@{data.COMMUNITY_DOMAIN}"
        members.append(
            _member(world, email=address, full_name=f"{first} {surname}", kind=kind, public_name=first)
        )
    return members


def _propose(round_: Round, author: User, spec: tuple, areas: dict, when: datetime) -> Question:
    area, title, description = spec
    question = save_question_draft(
        round_=round_, by=author, title=title, description=description, focus_area=areas[area], now=when
    )
    return submit_question(question=question, by=author, now=when)


def _spread(
    rng: random.Random, totals: list[int], members: int, limit: int, per: int
) -> list[dict[int, int]]:
    """Votes per member (question index → count) adding up to ``totals`` within the round's limits."""
    budget = [limit] * members
    ballots: list[dict[int, int]] = [{} for _ in range(members)]
    for index, total in enumerate(totals):
        left = total
        while left:
            open_ = [m for m in range(members) if budget[m] and ballots[m].get(index, 0) < per]
            if not open_:
                break
            m = max(open_, key=lambda m: (budget[m], rng.random()))
            give = min(rng.randint(1, per), budget[m], per - ballots[m].get(index, 0), left)
            ballots[m][index] = ballots[m].get(index, 0) + give
            budget[m], left = budget[m] - give, left - give
    return ballots


def build_past_round(world: "World", members: list[User], areas: dict) -> None:
    """The 2024 round, from opening to its recorded top ten, then closed."""
    spec, officer = data.PAST_ROUND, world.officer
    round_ = create_round(
        by=officer,
        title=spec["title"],
        slug=spec["slug"],
        description=spec["description"],
        opens_at=_at(spec["opens"], 9),
        gathering_closes_at=_at(spec["gathering_closes"], 17),
        voting_closes_at=_at(spec["voting_closes"], 17),
    )
    start = _at(spec["opens"], 12)
    round_ = transition_round(round_=round_, to=P.GATHERING, by=officer, now=start)
    questions = []
    for index, question_spec in enumerate(data.PAST_QUESTIONS):
        when = start + timedelta(days=2 + index * 5)
        question = _propose(round_, members[1 + index % (len(members) - 1)], question_spec, areas, when)
        questions.append(publish_question(question=question, by=officer, now=when + timedelta(days=1)))
    round_ = transition_round(round_=round_, to=P.VOTING, by=officer, now=round_.gathering_closes_at)
    rng = random.Random(data.SEED)  # noqa: S311 - demo data, not security
    ballots = _spread(
        rng, data.PAST_VOTES, len(members), round_.votes_per_member, round_.max_votes_per_question
    )
    vote_day = round_.gathering_closes_at + timedelta(days=10)
    for member, ballot in zip(members, ballots, strict=True):
        for index, count in ballot.items():
            set_votes(question=questions[index], by=member, count=count, now=vote_day)
    round_ = transition_round(round_=round_, to=P.FINAL, by=officer, now=round_.voting_closes_at)
    community = [m for m in members[1:] if m.community_profile.kind != "other"][:8]
    researchers = [world.users[email] for _, email, _, _ in [app_data.CHAIR, *app_data.MEMBERS[:3]]]
    record_top_ten(
        round_=round_,
        questions=questions[: round_.top_count],
        steering_group=community + researchers,
        chosen_on=spec["chosen_on"],
        notes=spec["notes"],
        by=officer,
    )
    round_ = transition_round(round_=round_, to=P.CLOSED, by=officer, now=_at(spec["chosen_on"], 18))
    world.log(f"Research priorities: {round_.title} closed with its top {round_.top_count}")


def link_calls(world: "World") -> None:
    """The calls that address places of the 2024 list (no change, no audit row, when already so)."""
    round_ = Round.objects.get(slug=data.PAST_ROUND["slug"])
    top_ten = getattr(round_, "top_ten", None)
    if top_ten is None:
        return
    for position, slugs in data.PAST_ROUND["calls"].items():
        choice = top_ten.choices.select_related("question").get(position=position)
        calls = list(Call.objects.filter(slug__in=slugs))
        set_question_calls(question=choice.question, calls=calls, by=world.officer)


def build_current_round(world: "World", members: list[User], areas: dict) -> None:
    """The 2026 round: gathered, moderated, and in its voting phase with votes and comments."""
    spec, officer, login = data.CURRENT_ROUND, world.officer, members[0]
    opens = world.today + timedelta(days=spec["opens"])
    round_ = create_round(
        by=officer,
        title=spec["title"],
        slug=spec["slug"],
        description=spec["description"],
        opens_at=_at(opens, 9),
        gathering_closes_at=_at(world.today + timedelta(days=spec["gathering_closes"]), 17),
        voting_closes_at=_at(world.today + timedelta(days=spec["voting_closes"]), 17),
    )
    start = _at(opens, 12)
    round_ = transition_round(round_=round_, to=P.GATHERING, by=officer, now=start)
    others = members[1:]
    questions = []
    for index, question_spec in enumerate(data.QUESTIONS):
        when = start + timedelta(days=1 + index, hours=index % 5)
        if index == data.LOGIN_QUESTION:
            area = question_spec[0]
            question = _propose(round_, login, (area, *data.LOGIN_ORIGINAL), areas, when)
            question = publish_question(question=question, by=officer, now=when + timedelta(days=1))
            question = edit_question(
                question=question,
                by=officer,
                title=question_spec[1],
                description=question_spec[2],
                focus_area=areas[area],
                reason=data.EDIT_REASON,
                now=when + timedelta(days=1),
            )
        else:
            question = _propose(round_, others[index % len(others)], question_spec, areas, when)
            question = publish_question(question=question, by=officer, now=when + timedelta(days=1))
        questions.append(question)
    late = start + timedelta(days=len(data.QUESTIONS) + 2)
    duplicate = _propose(round_, others[-1], data.DUPLICATE, areas, late)
    publish_question(question=duplicate, by=officer, now=late)
    merge_question(
        question=duplicate, into=questions[data.DUPLICATE_OF], by=officer, reason=data.MERGE_REASON
    )
    hidden = _propose(round_, others[-2], data.HIDDEN, areas, late)
    hide_question(question=hidden, by=officer, reason=data.HIDDEN_REASON)
    for offset, waiting in enumerate(data.WAITING):
        _propose(round_, others[-3 - offset], waiting, areas, round_.gathering_closes_at - timedelta(hours=2))
    round_ = transition_round(round_=round_, to=P.VOTING, by=officer, now=round_.gathering_closes_at)
    _vote(round_, questions, login, others)
    for number, (index, body) in enumerate(data.COMMENTS):
        add_comment(question=questions[index], by=others[(number * 7) % len(others)], body=body)
    index, body = data.HIDDEN_COMMENT
    spam = add_comment(question=questions[index], by=others[5], body=body)
    hide_comment(comment=spam, by=officer, reason=data.HIDDEN_COMMENT_REASON)
    world.log(
        f"Research priorities: {round_.title} in its voting phase with {len(questions)} questions, "
        f"{len(members)} members and {len(data.COMMENTS) + 1} comments"
    )


def _vote(round_: Round, questions: list[Question], login: User, others: list[User]) -> None:
    """Each member spreads their votes, favouring a few popular questions; one in four gives only some."""
    rng = random.Random(data.SEED + 1)  # noqa: S311 - demo data, not security
    weights = [1 + (7 if i in (0, 3, 18, 24, 26) else 3 if i % 4 == 0 else 0) for i in range(len(questions))]
    for member in others:
        budget = round_.votes_per_member if rng.random() > 0.25 else rng.choice([3, 5, 7])
        ballot: dict[int, int] = {}
        while budget:
            index = rng.choices(range(len(questions)), weights=weights)[0]
            room = round_.max_votes_per_question - ballot.get(index, 0)
            give = min(rng.randint(1, 3), budget, room)
            if give:
                ballot[index] = ballot.get(index, 0) + give
                budget -= give
        for index, count in ballot.items():
            set_votes(question=questions[index], by=member, count=count)
    for index, count in data.LOGIN_VOTES.items():
        set_votes(question=questions[index], by=login, count=count)


def build_priorities(world: "World") -> None:
    """The demo's community research priorities (see the module's docstring)."""
    members = build_members(world)
    areas = {area.slug: area for area in FocusArea.objects.all()}
    if not Round.objects.filter(slug=data.PAST_ROUND["slug"]).exists():
        build_past_round(world, members, areas)
    link_calls(world)
    if not Round.objects.filter(slug=data.CURRENT_ROUND["slug"]).exists():
        build_current_round(world, members, areas)
