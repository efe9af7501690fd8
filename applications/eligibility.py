"""Who may apply to a call, and what an application still lacks before it can be submitted.

Both return plain-language reasons; an empty list means "yes". Services call them before a draft is
started and again at submission; the portal shows the same lists.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from applications.models import Application, Attachment, Call
from awards.selectors import has_award_from_call

WORD_RE = re.compile(r"\S+")


def count_words(text: str) -> int:
    """Words are runs of non-space characters (the form's live counter uses the same rule)."""
    return len(WORD_RE.findall(text or ""))


def _format_local(call: Call, moment: datetime) -> str:
    return f"{timezone.localtime(moment, call.zone):%d %B %Y, %H:%M} ({call.timezone})"


def call_timing_problem(call: Call, now: datetime) -> str:
    if call.status == Call.Status.OPEN and call.opens_at <= now < call.closes_at:
        return ""
    if call.status == Call.Status.DRAFT or (call.status == Call.Status.OPEN and now < call.opens_at):
        return f"This call is not open yet; it opens on {_format_local(call, call.opens_at)}."
    return f"This call closed on {_format_local(call, call.closes_at)}; it no longer accepts applications."


def eligibility_problems(
    *, call: Call, user, now: datetime, application: Application | None = None
) -> list[str]:
    """Why ``user`` may not apply to ``call`` as principal investigator now (empty: eligible)."""
    problems = []
    timing = call_timing_problem(call, now)
    if timing:
        problems.append(timing)
    countries = [c.code for c in call.allowed_countries]
    if countries:
        country = user.institution.country.code if user.institution_id else None
        if country is None:
            problems.append("Add your institution to your profile: this call is open to some countries only.")
        elif country not in countries:
            names = ", ".join(sorted(c.name for c in call.allowed_countries))
            problems.append(f"This call is open to principal investigators in {names} only.")
    others = Application.objects.filter(call=call, pi=user).exclude(status=Application.Status.WITHDRAWN)
    if application is not None:
        others = others.exclude(pk=application.pk)
    if others.count() >= call.max_applications_per_pi:
        limit = call.max_applications_per_pi
        problems.append(
            f"You already have {'an application' if limit == 1 else f'{limit} applications'} to this call "
            f"(the limit per principal investigator); withdraw one to start another."
        )
    if call.prerequisite_call_id and not has_award_from_call(user=user, call=call.prerequisite_call):
        problems.append(
            f"Only holders of an award from “{call.prerequisite_call.title}” may apply to this stage-2 call."
        )
    return problems


@dataclass(frozen=True)
class Problem:
    section: str
    message: str


def submission_problems(application: Application, *, now: datetime) -> list[Problem]:
    """Everything that stops the application from being submitted, by form section."""
    call = application.call
    problems: list[Problem] = [
        Problem("eligibility", p)
        for p in eligibility_problems(call=call, user=application.pi, now=now, application=application)
    ]

    def need(section: str, message: str) -> None:
        problems.append(Problem(section, message))

    if not application.title.strip():
        need("details", "Give the application a title.")
    for field, label, limit in (
        ("lay_summary", "lay summary", call.lay_summary_word_limit),
        ("scientific_abstract", "scientific abstract", call.abstract_word_limit),
    ):
        words = count_words(getattr(application, field))
        if words == 0:
            need("details", f"Write the {label}.")
        elif words > limit:
            need("details", f"The {label} has {words} words; the limit is {limit}.")
    chosen = list(application.focus_areas.all())
    if not chosen:
        need("details", "Choose at least one focus area.")
    else:
        allowed = set(call.focus_areas.values_list("pk", flat=True))
        outside = [a.name for a in chosen if allowed and a.pk not in allowed]
        if outside:
            need("details", f"This call does not cover: {', '.join(outside)}.")
    if not application.keyword_list:
        need("details", "Add at least one keyword.")
    if application.requested_amount is None:
        need("details", "Give the amount you request.")
    elif application.requested_amount > call.max_request:
        need("details", f"The request exceeds the call's maximum of {call.max_request:,.0f} {call.currency}.")
    if application.duration_months is None:
        need("details", "Give the project's duration in months.")
    elif application.duration_months > call.max_duration_months:
        need("details", f"Projects in this call last at most {call.max_duration_months} months.")

    lines = list(application.budget_lines.all())
    total = sum((line.amount for line in lines), Decimal("0"))
    if not lines:
        need("budget", "Add the budget lines.")
    elif application.requested_amount is not None and total != application.requested_amount:
        need(
            "budget",
            f"The budget totals {total:,.2f} {call.currency} but the request is "
            f"{application.requested_amount:,.2f} {call.currency}; they must be equal.",
        )
    if application.duration_months and lines:
        years = math.ceil(application.duration_months / 12)
        late = sorted({line.year for line in lines if line.year > years})
        if late:
            need(
                "budget",
                f"Budget lines in year {', '.join(map(str, late))} fall after the project ends "
                f"(year {years}).",
            )

    plans = [a for a in application.attachments.all() if a.kind == Attachment.Kind.RESEARCH_PLAN]
    if not plans:
        need("attachments", "Upload the research plan (PDF).")
    elif len(plans) > 1:
        need("attachments", "Keep one research plan: remove the others.")
    return problems
