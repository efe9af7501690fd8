"""Process analytics for staff: applications and success rates (per call, country and applicant
history), reviewer timeliness and load, and conflicts of interest declared and detected.

Definitions, also written on the page:

* an *application* is one submitted and not withdrawn; an application *succeeds* when an award was
  made on it, whether or not the awardee later declined it (the offer was the committee's decision);
* the data model records no career stage. What it does record is each PI's history in Granted, so
  applications are grouped by that instead: the PI's first application, a PI who applied before without
  an award, and a PI who held an award before;
* a review is *on time* when it was submitted by its assignment's due date, else the call's; reviews
  with neither date are left out of the share (not counted as on time or late); *days to submit* run
  from the assignment's publication (its creation if never published) to the review's submission.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django_countries import countries

from applications.models import Application, Call
from awards.models import Award
from portfolio.tables import Column, Kind, Table
from reviews.models import Assignment, Conflict, Review

DAY = 86400


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def analytics_calls(call: Call | None = None) -> list[Call]:
    calls = Call.objects.exclude(status=Call.Status.DRAFT).select_related("program")
    if call is not None:
        calls = calls.filter(pk=call.pk)
    return list(calls.order_by("-opens_at", "title"))


def _submitted(calls: list[Call]):
    return Application.objects.filter(call__in=calls, status=Application.Status.SUBMITTED)


def success_by_call(calls: list[Call]) -> Table:
    applications = dict(
        _submitted(calls).values("call_id").annotate(n=Count("pk")).values_list("call_id", "n")
    )
    awards = {
        row["application__call_id"]: row
        for row in Award.objects.filter(application__call__in=calls)
        .values("application__call_id")
        .annotate(made=Count("pk"), declined=Count("pk", filter=Q(status=Award.Status.DECLINED)))
    }
    rows = []
    for call in calls:
        made = awards.get(call.pk, {}).get("made", 0)
        count = applications.get(call.pk, 0)
        rows.append(
            [
                call.title,
                call.program.name,
                count,
                made,
                _rate(made, count),
                awards.get(call.pk, {}).get("declined", 0),
            ]
        )
    total_applications = sum(row[2] for row in rows)
    total_awards = sum(row[3] for row in rows)
    return Table(
        key="calls",
        title="Applications and success rates per call",
        columns=[
            Column("Call"),
            Column("Program"),
            Column("Applications", Kind.COUNT),
            Column("Awards made", Kind.COUNT),
            Column("Success rate", Kind.PERCENT),
            Column("Declined by the awardee", Kind.COUNT),
        ],
        rows=rows,
        footer=[
            "All calls shown",
            "",
            total_applications,
            total_awards,
            _rate(total_awards, total_applications),
            sum(row[5] for row in rows),
        ],
        note="Applications submitted and not withdrawn; an award made counts as a success even if the "
        "awardee declined it.",
    )


def success_by_country(calls: list[Call]) -> Table:
    applications = Counter()
    awarded = Counter()
    for country, has_award in _submitted(calls).values_list("institution__country", "award"):
        applications[country or ""] += 1
        awarded[country or ""] += has_award is not None
    rows = [
        [
            countries.name(code) if code else "Not recorded",
            applications[code],
            awarded[code],
            _rate(awarded[code], applications[code]),
        ]
        for code in applications
    ]
    rows.sort(key=lambda row: (-row[1], row[0]))
    return Table(
        key="countries",
        title="Applications and success rates per country",
        columns=[
            Column("Country"),
            Column("Applications", Kind.COUNT),
            Column("Awards made", Kind.COUNT),
            Column("Success rate", Kind.PERCENT),
        ],
        rows=rows,
        note="The country of the principal investigator's institution at the time of applying.",
    )


class History:
    FIRST = "First application in Granted"
    RETURNING = "Applied before, no award yet"
    HOLDER = "Awarded before"
    ORDER = [FIRST, RETURNING, HOLDER]


def success_by_history(calls: list[Call]) -> Table:
    """Groups each application by what its PI had done in Granted before submitting it (the model has no
    career stage; this is the nearest thing it records)."""
    selected = set(_submitted(calls).values_list("pk", flat=True))
    pis = _submitted(calls).values("pi_id")
    earlier = (
        Application.objects.filter(pi_id__in=pis, submitted_at__isnull=False)
        .exclude(status=Application.Status.DRAFT)
        .values_list("pk", "pi_id", "submitted_at", "award__created_at")
        .order_by("pi_id", "submitted_at", "pk")
    )
    applications, awarded = Counter(), Counter()
    history: dict[int, list] = defaultdict(list)
    for pk, pi_id, submitted_at, award_made in earlier:
        history[pi_id].append((pk, submitted_at, award_made))
    for entries in history.values():
        for index, (pk, submitted_at, award_made) in enumerate(entries):
            if pk not in selected:
                continue
            before = entries[:index]
            if any(made is not None and made < submitted_at for _, _, made in before):
                group = History.HOLDER
            elif before:
                group = History.RETURNING
            else:
                group = History.FIRST
            applications[group] += 1
            awarded[group] += award_made is not None
    return Table(
        key="history",
        title="Applications and success rates by the applicant's history (in place of career stage)",
        columns=[
            Column("Applicant"),
            Column("Applications", Kind.COUNT),
            Column("Awards made", Kind.COUNT),
            Column("Success rate", Kind.PERCENT),
        ],
        rows=[
            [group, applications[group], awarded[group], _rate(awarded[group], applications[group])]
            for group in History.ORDER
        ],
        note="Granted records no career stage (no field on the user, application or team). This groups "
        "applications by what the PI had done in Granted before submitting: a first application, an "
        "earlier application without an award, or an award made before. Add a career-stage field to the "
        "applicant's profile to report on career stage itself.",
    )


@dataclass
class _Timeliness:
    assigned: int = 0
    submitted: int = 0
    with_due: int = 0
    on_time: int = 0
    overdue_open: int = 0
    days: list[float] = field(default_factory=list)


def _published_assignments(calls: list[Call]):
    return Assignment.objects.filter(call__in=calls, state=Assignment.State.PUBLISHED)


def reviewer_timeliness(calls: list[Call]) -> Table:
    now = timezone.now()
    stats: dict[int, _Timeliness] = defaultdict(_Timeliness)
    rows = _published_assignments(calls).values_list(
        "call_id",
        "due_at",
        "call__review_due_at",
        "published_at",
        "created_at",
        "review__status",
        "review__submitted_at",
    )
    for call_id, due_at, call_due, published_at, created_at, status, submitted_at in rows.iterator(
        chunk_size=2000
    ):
        s = stats[call_id]
        s.assigned += 1
        due = due_at or call_due
        if status == Review.Status.SUBMITTED and submitted_at:
            s.submitted += 1
            s.days.append(max((submitted_at - (published_at or created_at)).total_seconds(), 0) / DAY)
            if due:
                s.with_due += 1
                s.on_time += submitted_at <= due
        elif due and due < now:
            s.overdue_open += 1
    table_rows = []
    for call in calls:
        s = stats.get(call.pk, _Timeliness())
        table_rows.append(
            [
                call.title,
                s.assigned,
                s.submitted,
                _rate(s.on_time, s.with_due),
                statistics.median(s.days) if s.days else None,
                s.overdue_open,
            ]
        )
    return Table(
        key="timeliness",
        title="Reviewer timeliness per call",
        columns=[
            Column("Call"),
            Column("Reviews assigned", Kind.COUNT),
            Column("Submitted", Kind.COUNT),
            Column("Submitted by the due date", Kind.PERCENT),
            Column("Median days to submit", Kind.DAYS),
            Column("Not submitted, past due", Kind.COUNT),
        ],
        rows=table_rows,
        note="Published assignments. The due date is the assignment's, else the call's; reviews without "
        "one are left out of the on-time share. Days run from publication to submission.",
    )


def reviewer_load(calls: list[Call]) -> Table:
    loads: dict[int, Counter] = defaultdict(Counter)
    kinds: dict[int, str] = {}
    rows = _published_assignments(calls).values_list(
        "call_id", "reviewer_id", "reviewer__reviewer_profile__kind"
    )
    for call_id, reviewer_id, kind in rows.iterator(chunk_size=2000):
        loads[call_id][reviewer_id] += 1
        kinds[reviewer_id] = kind or "scientific"
    table_rows = []
    for call in calls:
        per_reviewer = loads.get(call.pk, Counter())
        values = sorted(per_reviewer.values())
        lay = [n for r, n in per_reviewer.items() if kinds[r] == "lay"]
        table_rows.append(
            [
                call.title,
                len(values),
                len(lay),
                statistics.mean(values) if values else None,
                statistics.median(values) if values else None,
                max(values, default=None),
                statistics.mean(lay) if lay else None,
            ]
        )
    return Table(
        key="load",
        title="Reviewer load per call",
        columns=[
            Column("Call"),
            Column("Reviewers", Kind.COUNT),
            Column("Lay reviewers", Kind.COUNT),
            Column("Mean reviews each", Kind.DECIMAL),
            Column("Median", Kind.DECIMAL),
            Column("Most", Kind.COUNT),
            Column("Mean per lay reviewer", Kind.DECIMAL),
        ],
        rows=table_rows,
        note="Published assignments per reviewer (declined ones are not a load).",
    )


def conflicts_by_call(calls: list[Call]) -> Table:
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = (
        Conflict.objects.filter(application__call__in=calls)
        .values("application__call_id", "source", "lifted")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["application__call_id"]][row["source"]] += row["n"]
        counts[row["application__call_id"]]["lifted"] += row["n"] if row["lifted"] else 0
    sources = [
        Conflict.Source.DECLARED,
        Conflict.Source.DETECTED,
        Conflict.Source.APPLICANT,
        Conflict.Source.STAFF,
    ]
    table_rows = [
        [call.title, *(counts[call.pk][source] for source in sources), counts[call.pk]["lifted"]]
        for call in calls
    ]
    return Table(
        key="conflicts",
        title="Conflicts of interest per call",
        columns=[
            Column("Call"),
            Column("Declared by reviewers", Kind.COUNT),
            Column("Detected automatically", Kind.COUNT),
            Column("Named by applicants", Kind.COUNT),
            Column("Set by staff", Kind.COUNT),
            Column("Lifted since", Kind.COUNT),
        ],
        rows=table_rows,
        note="Every conflict recorded, including those lifted later (counted again in the last column).",
    )


def process_analytics(*, call: Call | None = None) -> list[Table]:
    """Every table of the process analytics page, for one call or every call past its draft."""
    calls = analytics_calls(call)
    return [
        success_by_call(calls),
        success_by_country(calls),
        success_by_history(calls),
        reviewer_timeliness(calls),
        reviewer_load(calls),
        conflicts_by_call(calls),
    ]
