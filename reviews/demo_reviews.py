"""The demo's scoring of the call in review (``manage.py demo``, after ``reviews.demo_reviewers``):
review forms and phases, the reviews themselves, the triage and a panel meeting under way.

- Forms: NIH's simplified framework for scientific reviewers, the lay (PCORI-like) form for lay
  reviewers; the default phases, reviews written in the independent phase, then the reading phase.
- Reviews: every published assignment but a few (drafts, and some not started, two of them the demo
  reviewer's, to finish in the portal). Scores come from a hidden "true merit" of each application,
  each reviewer's harshness (a few clearly harsh, a few clearly lenient) and noise, mapped onto each
  criterion's scale and direction. Written through ``save_review_draft`` and ``submit_review``, so
  the weighted totals are computed where they always are.
- Triage: the default line (the top half), two items from below it pulled back by the chair.
- Panel meeting: opened by the chair; the first items discussed, scored by every eligible committee
  member, noted and closed; the meeting is left in progress with the next item current.

Deterministic (``random.Random(SEED)``) and built once: the marker is the call's panel meeting; when
it exists the step does nothing, so a second run creates nothing and writes no audit rows.
"""

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

from django.db.models import Count

from accounts.models import User
from applications import demo_data
from applications.models import Call
from reviews import demo_review_data as rd
from reviews.demo_reviewer_data import LAY_REVIEWER, REVIEWER
from reviews.demo_reviewers import REVIEW_CALL
from reviews.models import (
    Assignment,
    Conflict,
    Criterion,
    MeetingItem,
    PanelMeeting,
    Review,
    ReviewerProfile,
    ReviewForm,
    ReviewPhase,
)
from reviews.selectors_meeting import discussed_applications, eligible_members
from reviews.selectors_ranking import ranking_for
from reviews.services import set_conflict
from reviews.services.forms import activate_review_phase, apply_form_template, create_default_phases
from reviews.services.meeting import (
    close_item,
    open_meeting,
    record_discussion_notes,
    record_final_score,
    set_current_item,
)
from reviews.services.reviewing import NOT_APPLICABLE, save_review_draft, submit_review
from reviews.services.triage import set_triage_override

if TYPE_CHECKING:
    from applications.management.commands.demo import World

FORM_TEMPLATES = {ReviewerProfile.Kind.SCIENTIFIC: "nih", ReviewerProfile.Kind.LAY: "lay"}
CHAIR = demo_data.CHAIR[1]
_CDF = NormalDist().cdf


def needs_scoring(call: Call) -> bool:
    """Whether the scoring is still to be built (the marker: the call has no panel meeting yet)."""
    return not PanelMeeting.objects.filter(call=call).exists()


# Forms and phases -----------------------------------------------------------------------------


def _ensure_forms(world: "World", call: Call) -> dict[str, ReviewForm]:
    forms = {form.audience: form for form in ReviewForm.objects.filter(call=call)}
    for audience, template in FORM_TEMPLATES.items():
        if audience not in forms:
            forms[audience] = apply_form_template(
                call=call, template=template, audience=audience, by=world.officer
            )
    return forms


def _phases(world: "World", call: Call) -> list[ReviewPhase]:
    if not call.review_phases.exists():
        create_default_phases(call=call, by=world.officer)
    return list(call.review_phases.order_by("position", "pk"))


# Planning the reviews -------------------------------------------------------------------------


@dataclass
class ReviewPlan:
    assignment: Assignment
    scores: dict  # criterion key → value or "na"
    overall: int
    texts: dict  # strengths, weaknesses, comments_to_applicant, confidential_comments
    state: str  # "submitted", "draft" or "not_started"


def _value(rng: random.Random, low: int, high: int, direction: str, goodness: float) -> int:
    """A raw score for ``goodness`` (0-1, 1 best) on a scale and direction; a two-point scale (NIH's
    expertise and resources: gaps or appropriate) is mostly the good end, less so for weak work."""
    if high - low == 1:
        good = rng.random() < 0.6 + 0.38 * goodness
        steps = 1 if good else 0
    else:
        steps = round(goodness * (high - low))
    return low + steps if direction == Criterion.Direction.HIGHER_IS_BETTER else high - steps


def _band(goodness: float) -> str:
    return "strong" if goodness >= 0.62 else "weak" if goodness < 0.4 else "middle"


def _texts(rng: random.Random, kind: str, band: str) -> dict:
    return {
        "strengths": " ".join(rng.sample(rd.STRENGTHS[kind][band], k=2)),
        "weaknesses": " ".join(rng.sample(rd.WEAKNESSES[kind][band], k=2)),
        "comments_to_applicant": " ".join(rng.sample(rd.COMMENTS_TO_APPLICANT[band], k=2)),
        "confidential_comments": rng.choice(rd.CONFIDENTIAL[band]),
    }


def _leanings(rng: random.Random, reviewers: list[int], logins: set[int]) -> dict[int, tuple[float, float]]:
    """(bias, spread) per reviewer: a few clearly harsh and a few clearly lenient (never a login)."""
    others = [r for r in reviewers if r not in logins]
    chosen = rng.sample(others, k=rd.HARSH + rd.LENIENT)
    harsh, lenient = set(chosen[: rd.HARSH]), set(chosen[rd.HARSH :])
    out = {}
    for reviewer in reviewers:
        if reviewer in harsh:
            bias = -rng.uniform(1.5, 1.9)
        elif reviewer in lenient:
            bias = rng.uniform(1.5, 1.9)
        else:
            bias = rng.gauss(0, 0.15)
        out[reviewer] = (bias, rng.uniform(0.9, 1.1))
    return out


def _unfinished(rng: random.Random, assignments: list[Assignment], login: int) -> dict[int, str]:
    """{assignment id: "draft" or "not_started"}: the demo reviewer's last two, then others at
    random, never two of one application (each keeps at least two submitted reviews)."""
    states: dict[int, str] = {}
    used: set[int] = set()
    own = [a for a in assignments if a.reviewer_id == login]
    for assignment, state in zip(
        own[-(rd.LOGIN_DRAFTS + rd.LOGIN_NOT_STARTED) :],
        ["draft"] * rd.LOGIN_DRAFTS + ["not_started"] * rd.LOGIN_NOT_STARTED,
        strict=False,
    ):
        states[assignment.pk] = state
        used.add(assignment.application_id)
    wanted = ["draft"] * (rd.DRAFTS - rd.LOGIN_DRAFTS) + ["not_started"] * (
        rd.NOT_STARTED - rd.LOGIN_NOT_STARTED
    )
    candidates = [a for a in assignments if a.reviewer_id != login]
    rng.shuffle(candidates)
    for assignment in candidates:
        if not wanted:
            break
        if assignment.application_id in used:
            continue
        states[assignment.pk] = wanted.pop()
        used.add(assignment.application_id)
    return states


def plan_reviews(call: Call, forms: dict[str, ReviewForm]) -> list[ReviewPlan]:
    """Every published assignment's review, drawn before anything is saved."""
    rng = random.Random(rd.SEED)  # noqa: S311 - demo data, not security
    assignments = list(
        Assignment.objects.filter(call=call, state=Assignment.State.PUBLISHED)
        .select_related("reviewer__reviewer_profile", "application", "call")
        .order_by("pk")
    )
    merit = {pk: rng.gauss(0, 1) for pk in sorted({a.application_id for a in assignments})}
    reviewers = sorted({a.reviewer_id for a in assignments})
    login = User.objects.filter(email__iexact=REVIEWER[1]).values_list("pk", flat=True).first()
    logins = set(User.objects.filter(email__in=[REVIEWER[1], LAY_REVIEWER[1]]).values_list("pk", flat=True))
    leaning = _leanings(rng, reviewers, logins)
    states = _unfinished(rng, assignments, login)
    criteria = {kind: form.criteria_for(kind) for kind, form in forms.items()}
    plans = []
    for assignment in assignments:
        profile = getattr(assignment.reviewer, "reviewer_profile", None)
        kind = profile.kind if profile else ReviewerProfile.Kind.SCIENTIFIC
        form = forms[kind]
        bias, spread = leaning[assignment.reviewer_id]
        latent = spread * merit[assignment.application_id] + bias + rng.gauss(0, 0.35)
        scores = {}
        for criterion in criteria[kind]:
            if criterion.allow_not_applicable and rng.random() < rd.NOT_APPLICABLE_RATE:
                scores[criterion.key] = NOT_APPLICABLE
                continue
            goodness = _CDF((latent + rng.gauss(0, 0.35)) / 1.3)
            scores[criterion.key] = _value(
                rng, criterion.scale_min, criterion.scale_max, criterion.direction, goodness
            )
        overall_goodness = _CDF((latent + rng.gauss(0, 0.3)) / 1.3)
        overall = _value(rng, form.overall_min, form.overall_max, form.overall_direction, overall_goodness)
        texts = _texts(rng, kind, _band(overall_goodness))
        plans.append(ReviewPlan(assignment, scores, overall, texts, states.get(assignment.pk, "submitted")))
    return plans


# Writing the reviews --------------------------------------------------------------------------


def _write_reviews(plans: list[ReviewPlan]) -> None:
    """Through the services: a draft saved for every started review, then the finished submitted."""
    existing = set(
        Review.objects.filter(assignment__in=[p.assignment for p in plans]).values_list(
            "assignment_id", flat=True
        )
    )
    for plan in plans:
        if plan.state == "not_started" or plan.assignment.pk in existing:
            continue
        reviewer = plan.assignment.reviewer
        if plan.state == "draft":  # part of the scores and a first note; no overall score yet
            keys = list(plan.scores)[: max(1, len(plan.scores) - 1)]
            save_review_draft(
                assignment=plan.assignment,
                by=reviewer,
                scores={key: plan.scores[key] for key in keys},
                strengths=f"{rd.DRAFT_NOTE} {plan.texts['strengths']}",
            )
            continue
        review = save_review_draft(
            assignment=plan.assignment, by=reviewer, scores=plan.scores, overall=plan.overall, **plan.texts
        )
        submit_review(review=review, by=reviewer)


# Triage and meeting ---------------------------------------------------------------------------


def _pull_back(call: Call, chair: User) -> int:
    """The chair pulls the items below the line the reviewers disagree on most back into discussion."""
    rows = [row for row in ranking_for(call, chair).rows if not row.discussed and row.sd is not None]
    rows.sort(key=lambda row: (-row.sd, row.rank))
    for row in rows[: rd.PULLED_BACK]:
        application = call.applications.get(pk=row.application_id)
        reason = rd.PULL_BACK_REASON.format(low=row.low, high=row.high)
        set_triage_override(call=call, application=application, discuss=True, reason=reason, by=chair)
    return min(len(rows), rd.PULLED_BACK)


def _member_conflict(world: "World", call: Call, members: list[User]) -> None:
    """A committee member from the same institution as one of the first discussed applications is
    recorded as conflicted with it (by the officer), so the meeting shows a redacted item; without
    such a pair, the demo's member login is recorded as a collaborator of the third item's PI."""
    agenda = [application for application, _ in discussed_applications(call)[: rd.MEETING_ITEMS]]
    pairs = [
        (position, application, member)
        for position, application in enumerate(agenda, start=1)
        for member in members
        if member.institution_id
        and member.institution_id == (application.institution_id or application.pi.institution_id)
    ]
    if pairs:
        position, application, member = pairs[0]
        kind, reason = Conflict.Kind.SAME_INSTITUTION, "Same institution as the applicant."
    else:
        position = min(3, len(agenda))
        application, member = agenda[position - 1], members[0]
        kind, reason = Conflict.Kind.COLLABORATOR, "Co-authored a paper with the PI in the last three years."
    set_conflict(application=application, reviewer=member, by=world.officer, reason=reason, kind=kind)
    world.log(f"{call.title}: {member.full_name} is conflicted with agenda item {position}")


def _final_score(rng: random.Random, preliminary: float | None) -> int:
    """A member's NIH-style final score (1 best, 9 worst) near the preliminary goodness."""
    base = 1 + 8 * (1 - (preliminary or 50) / 100)
    return min(9, max(1, round(base + rng.gauss(0, 0.8))))


def _hold_meeting(world: "World", call: Call, chair: User) -> PanelMeeting:
    rng = random.Random(rd.SEED + 1)  # noqa: S311 - demo data, not security
    meeting = open_meeting(call=call, by=chair)
    items = list(meeting.items.select_related("application", "meeting__call").order_by("position"))
    counts = dict(
        Review.objects.filter(form__call=call, status=Review.Status.SUBMITTED)
        .values_list("assignment__application_id")
        .annotate(n=Count("pk"))
    )
    for item in items[: rd.MEETING_ITEMS]:
        if meeting.current_item_id != item.pk:
            meeting = set_current_item(meeting=meeting, item=item, by=chair)
        for member in eligible_members(item):
            record_final_score(
                item=item, member=member, score=_final_score(rng, item.preliminary_score), by=member
            )
        prelim = item.preliminary_score or 0
        notes = " ".join(
            [
                rng.choice(rd.NOTES_OPENING).format(prelim=prelim, count=counts.get(item.application_id, 0)),
                *rng.sample(rd.NOTES_POINT, k=2),
                rd.NOTES_OUTCOME[_band(prelim / 100)],
            ]
        )
        record_discussion_notes(item=item, notes=notes, by=chair)
        close_item(item=item, by=chair)
    if len(items) > rd.MEETING_ITEMS:
        meeting = set_current_item(meeting=meeting, item=items[rd.MEETING_ITEMS], by=chair)
    return meeting


# The step -------------------------------------------------------------------------------------


def build_scoring(world: "World", slug: str = REVIEW_CALL) -> None:
    """Forms, phases, reviews, triage and a panel meeting in progress for the call in review."""
    call = world.calls[slug]
    if call.status != Call.Status.IN_REVIEW:
        world.log(f"Note: {call.title} is not in review, so it gets no reviews.")
        return
    if not needs_scoring(call):
        world.log(f"{call.title}: reviews written and the panel meeting under way already")
        return
    if not Assignment.objects.filter(call=call, state=Assignment.State.PUBLISHED).exists():
        world.log(f"Note: {call.title} has no published assignments, so it gets no reviews.")
        return
    forms = _ensure_forms(world, call)
    phases = _phases(world, call)
    activate_review_phase(phase=phases[0], by=world.officer)  # independent review
    plans = plan_reviews(call, forms)
    _write_reviews(plans)
    activate_review_phase(phase=phases[1], by=world.officer)  # reading: the panel meets soon
    chair = world.users[CHAIR]
    pulled = _pull_back(call, chair)
    members = [world.users[email] for email in demo_data.COMMITTEES[slug]]
    _member_conflict(world, call, members)
    meeting = _hold_meeting(world, call, chair)
    closed = meeting.items.filter(discussed_at__isnull=False).count()
    world.log(
        f"{call.title}: {sum(p.state == 'submitted' for p in plans)} reviews submitted, "
        f"{pulled} items pulled back, {closed} meeting items closed"
    )


# Summary --------------------------------------------------------------------------------------


def reviewer_leanings(call: Call) -> dict[int, float]:
    """Each reviewer's mean z against their co-reviewers: per submitted review, the total minus the
    mean of the application's other submitted totals, over the call's sd of totals. Below zero: harsh."""
    rows = list(
        Review.objects.filter(form__call=call, status=Review.Status.SUBMITTED, weighted_total__isnull=False)
        .values_list("assignment__reviewer_id", "assignment__application_id", "weighted_total")
        .order_by("pk")
    )
    if len(rows) < 2:
        return {}
    sd = statistics.pstdev(total for _, _, total in rows) or 1.0
    by_application: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for reviewer, application, total in rows:
        by_application[application].append((reviewer, total))
    zs: dict[int, list[float]] = defaultdict(list)
    for pairs in by_application.values():
        for reviewer, total in pairs:
            others = [t for r, t in pairs if r != reviewer]
            if others:
                zs[reviewer].append((total - statistics.fmean(others)) / sd)
    return {reviewer: statistics.fmean(values) for reviewer, values in zs.items()}


def summary_lines(slug: str = REVIEW_CALL) -> list[str]:
    """The scoring of the call in review, in one line, for the summary printed at the end."""
    call = Call.objects.filter(slug=slug).first()
    meeting = PanelMeeting.objects.filter(call=call).first() if call else None
    if meeting is None:
        return []
    published = Assignment.objects.filter(call=call, state=Assignment.State.PUBLISHED)
    states = dict(
        Review.objects.filter(assignment__in=published).values_list("status").annotate(n=Count("pk"))
    )
    not_started = published.filter(review__isnull=True).count()
    login_open = (
        published.filter(reviewer__email__iexact=REVIEWER[1]).exclude(review__status="submitted").count()
    )
    leanings = reviewer_leanings(call)
    harsh = sum(1 for z in leanings.values() if z <= -rd.LEANING_Z)
    lenient = sum(1 for z in leanings.values() if z >= rd.LEANING_Z)
    extremes = f"{min(leanings.values()):+.2f} to {max(leanings.values()):+.2f}" if leanings else "-"
    items = MeetingItem.objects.filter(meeting=meeting)
    closed = items.filter(discussed_at__isnull=False).count()
    current = meeting.current_item.position if meeting.current_item else None
    parts = [
        f"{states.get(Review.Status.SUBMITTED, 0)} reviews submitted, {states.get(Review.Status.DRAFT, 0)} "
        f"drafts, {not_started} not started ({REVIEWER[1]} has {login_open} to finish)",
        f"{harsh} harsh and {lenient} lenient reviewers (mean z against co-reviewers beyond "
        f"±{rd.LEANING_Z}; range {extremes})",
        f"{call.triage_overrides.filter(discuss=True).count()} items pulled back above the triage line",
        f"panel meeting {meeting.get_status_display().lower()}: {closed} of {items.count()} items closed"
        + (f", item {current} current" if current else ""),
    ]
    return [f"Scoring of {call.title}: " + "; ".join(parts)]
