"""Automatic assignment of reviewers: start a run, execute it (in a Celery task), publish it.

A run goes queued → running → proposed (or failed) → published (or discarded). While it is
proposed, staff or the chair edit it (``reviews.services.proposal``); reviewers see nothing of it
until it is published, because their selectors only show published assignments. The optimiser is
``reviews.assignment.solver`` (ADR 0001); affinities come from ``reviews.affinity``.
"""

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Call
from audit.services import record_event
from core.errors import Invalid, StateConflict, ensure
from core.tasks import enqueue_on_commit
from reviews.affinity import AffinityMatrix, compute_affinity, shared_terms_for_pairs
from reviews.assignment.solver import AssignmentProblem, InfeasibleAssignment, solve
from reviews.models import (
    Affinity,
    Assignment,
    AssignmentRun,
    ForbiddenPair,
    ReviewerInvitation,
    ReviewerProfile,
)
from reviews.permissions import can_manage_assignment
from reviews.selectors import accepted_reviewers, active_conflict_pairs, reviewer_load_limit

logger = logging.getLogger(__name__)

__all__ = ["execute_assignment_run", "publish_assignment_run", "start_assignment_run"]

ASSIGNABLE_CALL_STATES = (Call.Status.CLOSED, Call.Status.IN_REVIEW)
ACTIVE_RUN_STATES = (AssignmentRun.Status.QUEUED, AssignmentRun.Status.RUNNING)
AFFINITY_BATCH = 5000
_SAVE_CHUNK = 50_000  # Affinity objects built in memory at a time
_LISTED = 10  # applications or reviewers named in one refusal
STALE_AFTER = timedelta(minutes=30)  # above the task's time limit and the broker's visibility timeout


@transaction.atomic
def start_assignment_run(*, call: Call, by: User, fairness: bool = False) -> AssignmentRun:
    """Queue a run of the optimiser for a closed call (or one in review); a Celery task executes it."""
    from reviews.tasks import run_assignment

    ensure(can_manage_assignment(by, call))
    call = Call.objects.select_for_update().get(pk=call.pk)  # one start at a time per call
    if call.status not in ASSIGNABLE_CALL_STATES:
        raise StateConflict(
            f"The call is {call.get_status_display().lower()}: reviewers are assigned once it is closed."
        )
    _fail_stale_runs(call)
    active = call.assignment_runs.filter(status__in=ACTIVE_RUN_STATES).first()
    if active is not None:
        raise StateConflict(
            f"Assignment run #{active.pk} is {active.get_status_display().lower()}: "
            "wait until it has finished."
        )
    run = AssignmentRun.objects.create(call=call, fairness=fairness, created_by=by, stage="Queued")
    record_event(run, "assignment.run_started", by=by, call=call.pk, fairness=fairness)
    enqueue_on_commit(run_assignment, run.pk)
    return run


def _fail_stale_runs(call: Call) -> None:
    """A run still queued or running long after the task's time limit lost its worker for good
    (e.g. the broker dropped it): mark it failed so that it does not block the call forever."""
    stale = call.assignment_runs.filter(
        status__in=ACTIVE_RUN_STATES, created_at__lt=timezone.now() - STALE_AFTER
    )
    for run in stale:
        run.status, run.stage, run.finished_at = AssignmentRun.Status.FAILED, "Failed", timezone.now()
        run.message = "The run never finished (its worker was lost). Start a new run."
        run.save(update_fields=["status", "stage", "message", "finished_at"])
        record_event(run, "assignment.run_failed", by=None, call=call.pk, message=run.message)


# Executing a run -------------------------------------------------------------------------------


@dataclass
class _Pool:
    applications: list[Application]
    reviewers: list[User]
    invitations: dict[int, ReviewerInvitation]  # by reviewer id


def _set_progress(run_id: int, progress: int, stage: str) -> None:
    """A short transaction of its own, so the portal can poll the run while it works."""
    with transaction.atomic():
        AssignmentRun.objects.filter(pk=run_id).update(progress=progress, stage=stage)


def _load_pool(call: Call) -> _Pool:
    applications = list(call.applications.submitted().order_by("pk"))
    reviewers = [u for u in accepted_reviewers(call) if hasattr(u, "reviewer_profile")]
    invitations = {
        inv.reviewer_id: inv
        for inv in ReviewerInvitation.objects.filter(
            call=call, status=ReviewerInvitation.Status.ACCEPTED
        ).select_related("reviewer__reviewer_profile")
    }
    return _Pool(applications, sorted(reviewers, key=lambda u: u.pk), invitations)


def _index_pairs(pairs, app_index: dict[int, int], rev_index: dict[int, int]) -> np.ndarray:
    rows = [(app_index[a], rev_index[r]) for a, r in pairs if a in app_index and r in rev_index]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def _pinned_pairs(call: Call) -> dict[tuple[int, int], str]:
    """Pinned pairs of the call's manual, proposed and published assignments, with their source."""
    rows = (
        Assignment.objects.filter(call=call, pinned=True)
        .exclude(state=Assignment.State.DECLINED)
        .filter(
            Q(run__isnull=True)
            | Q(run__status__in=[AssignmentRun.Status.PROPOSED, AssignmentRun.Status.PUBLISHED])
        )
        .values_list("application_id", "reviewer_id", "source")
    )
    pins: dict[tuple[int, int], str] = {}
    for app_id, rev_id, source in rows:
        if pins.get((app_id, rev_id)) != Assignment.Source.MANUAL:
            pins[(app_id, rev_id)] = source
    return pins


def build_problem(call: Call, pool: _Pool, matrix: AffinityMatrix, pins) -> AssignmentProblem:
    """The optimiser's input: conflicts and forbidden pairs disallowed, loads from the invitations."""
    app_index = {int(pk): i for i, pk in enumerate(matrix.application_ids)}
    rev_index = {int(pk): j for j, pk in enumerate(matrix.reviewer_ids)}
    allowed = np.ones(matrix.shape, dtype=bool)
    forbidden = ForbiddenPair.objects.filter(call=call).values_list("application_id", "reviewer_id")
    excluded = _index_pairs(active_conflict_pairs(call) | set(forbidden), app_index, rev_index)
    allowed[excluded[:, 0], excluded[:, 1]] = False
    invitations = [pool.invitations[u.pk] for u in pool.reviewers]
    return AssignmentProblem(
        affinity=matrix.total,
        allowed=allowed,
        k=call.reviewers_per_application,
        lay_quota=call.lay_reviewers_per_application,
        max_load=np.array([reviewer_load_limit(inv) for inv in invitations], dtype=np.int64),
        min_load=np.array([inv.min_load for inv in invitations], dtype=np.int64),
        is_lay=np.array([u.reviewer_profile.is_lay for u in pool.reviewers], dtype=bool),
        pinned=_index_pairs(pins, app_index, rev_index),
    )


def _label_application(app: Application) -> str:
    return app.reference or f"#{app.pk}"


def humanise_causes(causes: list[str], pool: _Pool) -> list[str]:
    """Replace the solver's row and column indices by application references and reviewer names."""
    apps = [_label_application(a) for a in pool.applications]
    revs = [str(u) for u in pool.reviewers]

    def names(labels, group: str) -> str:
        return ", ".join(labels[int(i)] for i in re.findall(r"\d+", group))

    out = []
    for cause in causes:
        cause = re.sub(
            r"Pinned pair \((\d+), (\d+)\)",
            lambda m: f"The pinned pair {apps[int(m[1])]} / {revs[int(m[2])]}",
            cause,
        )
        cause = re.sub(
            r"\bApplications (\d+(?:, \d+)*)", lambda m: f"Applications {names(apps, m[1])}", cause
        )
        cause = re.sub(r"\bApplication (\d+)\b", lambda m: f"Application {apps[int(m[1])]}", cause)
        cause = re.sub(r"\bReviewers (\d+(?:, \d+)*)", lambda m: f"Reviewers {names(revs, m[1])}", cause)
        cause = re.sub(r"\bReviewer (\d+)\b", lambda m: f"Reviewer {revs[int(m[1])]}", cause)
        out.append(cause)
    return out


def _fail(run_id: int, message: str, *, verb: str = "assignment.run_failed") -> AssignmentRun:
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run_id)
        run.status = AssignmentRun.Status.FAILED
        run.stage, run.message, run.finished_at = "Failed", message, timezone.now()
        run.save(update_fields=["status", "stage", "message", "finished_at"])
        record_event(run, verb, by=None, call=run.call_id, message=message[:2000])
    return run


def execute_assignment_run(*, run_id: int) -> AssignmentRun:
    """Compute affinities, solve and save the proposal of a queued run (the task's body).

    Idempotent: a run that is no longer queued or running is returned as it is; a run left
    ``running`` by a killed worker is executed again and its partial rows replaced.
    """
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().select_related("call").get(pk=run_id)
        if run.status not in ACTIVE_RUN_STATES:
            return run
        run.status, run.progress, run.stage, run.message = AssignmentRun.Status.RUNNING, 5, "Starting", ""
        run.save(update_fields=["status", "progress", "stage", "message"])
    try:
        return _execute(run)
    except Exception as error:
        logger.exception("Assignment run %s failed", run_id)
        _fail(
            run_id, f"The run stopped on an unexpected error ({type(error).__name__}). Please start it again."
        )
        raise


def _execute(run: AssignmentRun) -> AssignmentRun:
    call = run.call
    _set_progress(run.pk, 10, "Computing affinity")
    pool = _load_pool(call)
    if not pool.applications:
        return _fail(run.pk, "The call has no submitted applications to assign.")
    if not pool.reviewers:
        return _fail(run.pk, "No reviewer has accepted an invitation to this call yet.")
    started = time.perf_counter()
    matrix = compute_affinity(call=call, applications=pool.applications, reviewers=pool.reviewers)
    pins = _pinned_pairs(call)
    problem = build_problem(call, pool, matrix, pins)
    seconds = {"affinity": time.perf_counter() - started}
    _set_progress(run.pk, 40, "Solving")
    started = time.perf_counter()
    try:
        result = solve(problem, fairness=run.fairness)
    except InfeasibleAssignment as infeasible:
        causes = humanise_causes(infeasible.causes, pool)
        return _fail(
            run.pk, "No assignment satisfies the constraints:\n" + "\n".join(f"- {c}" for c in causes)
        )
    seconds["solve"] = time.perf_counter() - started
    _set_progress(run.pk, 70, "Saving the proposal")
    return _save_proposal(run.pk, matrix, problem, result, pins, seconds)


def _affinity_rows(run_id: int, matrix: AffinityMatrix, allowed: np.ndarray, terms: dict):
    """Rows (run, application, reviewer, text, focus, bid, total, terms) of every allowed pair, in
    chunks (a medium call has ~1.1 M of them)."""
    apps, revs = np.nonzero(allowed)
    for start in range(0, len(apps), _SAVE_CHUNK):
        a, r = apps[start : start + _SAVE_CHUNK], revs[start : start + _SAVE_CHUNK]
        columns = zip(
            a.tolist(),
            r.tolist(),
            matrix.application_ids[a].tolist(),
            matrix.reviewer_ids[r].tolist(),
            matrix.text[a, r].tolist(),
            matrix.focus[a, r].tolist(),
            matrix.bid[a, r].tolist(),
            matrix.total[a, r].tolist(),
            strict=True,
        )
        yield [
            (run_id, app_id, rev_id, text, focus, bid, total, terms.get((ai, ri), ""))
            for ai, ri, app_id, rev_id, text, focus, bid, total in columns
        ]


def _insert_affinities(rows: list[tuple]) -> None:
    """One prepared INSERT run for many rows: ~4x faster than bulk_create, which builds a model
    object and a statement of at most 999 parameters per 124 rows on SQLite."""
    table = connection.ops.quote_name(Affinity._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Affinity._meta.get_field(name).column)
        for name in ("run", "application", "reviewer", "text", "focus", "bid", "total", "terms")
    )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)  # noqa: S608 (names from the model)


def _save_proposal(
    run_id, matrix: AffinityMatrix, problem: AssignmentProblem, result, pins, seconds
) -> AssignmentRun:
    started = time.perf_counter()
    pairs = result.pairs
    terms = {
        (int(a), int(r)): ", ".join(words)[:300]
        for (a, r), words in zip(pairs.tolist(), shared_terms_for_pairs(matrix, pairs), strict=True)
    }
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run_id)
        if run.status != AssignmentRun.Status.RUNNING:  # discarded meanwhile
            return run
        Affinity.objects.filter(run=run).delete()  # rows of an interrupted earlier attempt
        Assignment.objects.filter(run=run).delete()
        assignments = []
        for a, r in pairs.tolist():
            key = (int(matrix.application_ids[a]), int(matrix.reviewer_ids[r]))
            assignments.append(
                Assignment(
                    call_id=run.call_id,
                    run=run,
                    application_id=key[0],
                    reviewer_id=key[1],
                    source=pins.get(key, Assignment.Source.AUTOMATIC),
                    state=Assignment.State.PROPOSED,
                    pinned=key in pins,
                    affinity=float(matrix.total[a, r]),
                )
            )
        Assignment.objects.bulk_create(assignments, batch_size=AFFINITY_BATCH)
        affinity_count = 0
        for chunk in _affinity_rows(run.pk, matrix, problem.allowed, terms):
            _insert_affinities(chunk)
            affinity_count += len(chunk)
        run.status, run.progress, run.stage = AssignmentRun.Status.PROPOSED, 100, "Proposal ready"
        run.total_affinity, run.worst_affinity = result.total, result.worst_affinity
        worst = result.worst_application
        run.worst_application_id = int(matrix.application_ids[worst]) if worst >= 0 else None
        run.fairness_cost, run.solve_seconds = result.fairness_cost, result.solve_seconds
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "status",
                "progress",
                "stage",
                "total_affinity",
                "worst_affinity",
                "worst_application",
                "fairness_cost",
                "solve_seconds",
                "finished_at",
            ]
        )
        seconds["save"] = time.perf_counter() - started
        logger.info("Assignment run %s: %s", run.pk, {key: round(value, 2) for key, value in seconds.items()})
        record_event(
            run,
            "assignment.run_finished",
            by=None,
            call=run.call_id,
            assignments=len(assignments),
            affinities=affinity_count,
            total_affinity=result.total,
            worst_affinity=result.worst_affinity,
            seconds=seconds,
        )
    return run


# Publishing ------------------------------------------------------------------------------------


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def publication_problems(run: AssignmentRun) -> list[str]:
    """Why a proposed run cannot be published yet (empty when it can)."""
    call = run.call
    k, lay_quota = call.reviewers_per_application, call.lay_reviewers_per_application
    rows = list(
        Assignment.objects.filter(run=run).values_list(
            "application_id", "reviewer_id", "reviewer__reviewer_profile__kind"
        )
    )
    counts: dict[int, list[int]] = {}
    loads: dict[int, int] = {}
    for app_id, rev_id, kind in rows:
        entry = counts.setdefault(app_id, [0, 0])
        entry[0] += 1
        entry[1] += kind == ReviewerProfile.Kind.LAY
        loads[rev_id] = loads.get(rev_id, 0) + 1
    problems = []
    short, few_lay = [], []
    submitted = dict(call.applications.submitted().order_by("reference").values_list("pk", "reference"))
    withdrawn = sorted(
        Application.objects.filter(pk__in=set(counts) - set(submitted)).values_list("reference", flat=True)
    )
    if withdrawn:
        problems.append(
            f"These applications are no longer submitted; remove their reviewers: {_listed(withdrawn)}."
        )
    for app_id, reference in submitted.items():
        total, lay = counts.get(app_id, [0, 0])
        if total != k:
            short.append(f"{reference or app_id} ({total})")
        elif lay < lay_quota:
            few_lay.append(f"{reference or app_id} ({lay})")
    if short:
        problems.append(f"These applications do not have {k} reviewers: {_listed(short)}.")
    if few_lay:
        problems.append(f"These applications have fewer than {lay_quota} lay reviewers: {_listed(few_lay)}.")
    invitations = ReviewerInvitation.objects.filter(
        call=call, status=ReviewerInvitation.Status.ACCEPTED, reviewer_id__in=list(loads)
    ).select_related("reviewer__reviewer_profile")
    limits = {inv.reviewer_id: (inv.reviewer, reviewer_load_limit(inv)) for inv in invitations}
    gone = [rev_id for rev_id in loads if rev_id not in limits]
    if gone:
        names = sorted(str(u) for u in User.objects.filter(pk__in=gone))
        problems.append(f"These reviewers no longer review this call: {_listed(names)}.")
    over = sorted(f"{u} ({loads[pk]} of {limit})" for pk, (u, limit) in limits.items() if loads[pk] > limit)
    if over:
        problems.append(f"These reviewers have more applications than their limit: {_listed(over)}.")
    excluded = active_conflict_pairs(call) | set(
        ForbiddenPair.objects.filter(call=call).values_list("application_id", "reviewer_id")
    )
    if excluded & {(a, r) for a, r, _ in rows}:
        problems.append(
            "Some assigned pairs are now conflicts of interest or forbidden: remove or swap them."
        )
    return problems


@transaction.atomic
def publish_assignment_run(*, run: AssignmentRun, by: User, due_at: datetime | None = None) -> AssignmentRun:
    """Make a proposed run the call's assignment: reviewers see their applications and get an e-mail.

    Refused while an application is short of reviewers (or lay reviewers), a reviewer is over their
    limit, or another run of the call is already published. Other proposed runs are discarded.
    """
    from reviews.tasks import send_assignment_email

    ensure(can_manage_assignment(by, run.call))
    run = AssignmentRun.objects.select_for_update().select_related("call").get(pk=run.pk)
    call = run.call
    if run.status != AssignmentRun.Status.PROPOSED:
        raise StateConflict(
            f"Run #{run.pk} is {run.get_status_display().lower()}: only a proposal can be published."
        )
    published = call.assignment_runs.filter(status=AssignmentRun.Status.PUBLISHED).exclude(pk=run.pk).first()
    if published is not None:
        raise StateConflict(
            f"Run #{published.pk} of this call is already published; a second assignment cannot replace it."
        )
    due_at = due_at or call.review_due_at
    now = timezone.now()
    if due_at is not None and due_at <= now:
        raise Invalid(
            "The review due date has passed; choose a later one.", field_errors={"due_at": ["In the past."]}
        )
    problems = publication_problems(run)
    if problems:
        raise StateConflict("The proposal cannot be published yet. " + " ".join(problems))
    count = Assignment.objects.filter(run=run).update(
        state=Assignment.State.PUBLISHED, published_at=now, due_at=due_at
    )
    run.status, run.published_at, run.review_due_at = AssignmentRun.Status.PUBLISHED, now, due_at
    run.save(update_fields=["status", "published_at", "review_due_at"])
    discarded = list(
        call.assignment_runs.filter(status=AssignmentRun.Status.PROPOSED)
        .exclude(pk=run.pk)
        .values_list("pk", flat=True)
    )
    AssignmentRun.objects.filter(pk__in=discarded).update(status=AssignmentRun.Status.DISCARDED)
    record_event(
        run,
        "assignment.run_published",
        by=by,
        call=call.pk,
        assignments=count,
        due_at=due_at.isoformat() if due_at else None,
        discarded_runs=discarded,
    )
    reviewer_ids = (
        Assignment.objects.filter(run=run)
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .order_by("reviewer_id")
    )
    for row in reviewer_ids:
        enqueue_on_commit(send_assignment_email, run.pk, row["reviewer_id"])
    return run
