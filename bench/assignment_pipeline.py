"""Benchmark of the whole assignment pipeline against a scratch SQLite database (medium size).

Usage: ``python bench/assignment_pipeline.py [--debug-queries]`` prints one JSON object.

It migrates a fresh database in a temporary folder (``VAR_DIR``), builds a closed call with 2,000
submitted applications (texts generated from the demo's topic vocabularies) and 600 reviewers with
profiles and accepted invitations (a third lay, load limit 12), records ~3 % conflicts, all with
``bulk_create``, then times ``execute_assignment_run`` end to end: affinity (TF-IDF, focus, bids and
the problem's arrays), the exact solve, and saving the proposal (6,000 assignments and an Affinity
row for every non-conflicted pair, ~1.16 M rows). The stage figures come from the run's
``assignment.run_finished`` audit event, which records them.
"""

import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

A_COUNT, R_COUNT, LOAD, CONFLICT_RATE, SEED = 2_000, 600, 12, 0.03, 20250601
UNUSABLE = "!"  # an unusable password hash: bench users never sign in


def _setup(var_dir: str) -> None:
    os.environ["VAR_DIR"] = var_dir
    os.environ["DEBUG"] = "1"
    os.environ["TESTING"] = "1"  # settings from the command line only, never from a developer's .env
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    # DEBUG=1 only lets the settings start without production secrets. Left on, Django would also log
    # (and format) every SQL statement, which production never does: ~1.2 M inserted rows make that
    # dominate. ``--debug-queries`` keeps it, for comparison.
    settings.DEBUG = "--debug-queries" in sys.argv


def _pool(topic: dict) -> list[str]:
    words = list(topic["keywords"]) + topic["expertise"].replace(",", " ").split()
    for values in topic["fills"].values():
        words += values
    return words


def _text(rng: random.Random, pools: list[list[str]], n_phrases: int) -> str:
    generic = [
        "we",
        "study",
        "patients",
        "disease",
        "multiple sclerosis",
        "cohort",
        "analysis",
        "progression",
    ]
    phrases = [rng.choice(rng.choice(pools)) for _ in range(n_phrases)]
    phrases += rng.sample(generic, 3)
    rng.shuffle(phrases)
    return " ".join(phrases) + "."


def build_call():
    import numpy as np
    from django.utils import timezone

    from accounts.models import User
    from applications.demo_texts import TOPICS
    from applications.models import Application, Call, FocusArea, Program
    from reviews.models import Conflict, ReviewerInvitation, ReviewerProfile

    rng = random.Random(SEED)
    now = timezone.now()
    pools = [_pool(t) for t in TOPICS]
    areas = FocusArea.objects.bulk_create(
        [FocusArea(name=f"Area {i}", slug=f"area-{i}", position=i) for i in range(8)]
    )
    call = Call.objects.create(
        program=Program.objects.create(name="Bench Awards", code="BA"),
        title="Bench call",
        slug="bench-call",
        status=Call.Status.CLOSED,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        budget=10**7,
        max_request=10**5,
        reviewers_per_application=3,
        lay_reviewers_per_application=1,
        review_due_at=now + timedelta(days=40),
    )
    pis = User.objects.bulk_create(
        [User(email=f"pi{i}@bench.example", full_name=f"PI {i}", password=UNUSABLE) for i in range(200)]
    )
    apps = []
    for i in range(A_COUNT):
        topics = rng.sample(range(len(TOPICS)), rng.choice([1, 1, 2]))
        chosen = [pools[t] for t in topics]
        keywords = ", ".join(rng.sample(TOPICS[topics[0]]["keywords"], 3))
        apps.append(
            Application(
                call=call,
                pi=pis[i % len(pis)],
                title=_text(rng, chosen, 4)[:300],
                scientific_abstract=_text(rng, chosen, rng.randint(40, 90)),
                keywords=keywords,
                status=Application.Status.SUBMITTED,
                reference=f"BA-2026-{i + 1:04d}",
                submitted_at=now,
            )
        )
    apps = Application.objects.bulk_create(apps, batch_size=500)
    reviewers = User.objects.bulk_create(
        [
            User(email=f"rev{i}@bench.example", full_name=f"Reviewer {i:03d}", password=UNUSABLE)
            for i in range(R_COUNT)
        ]
    )
    profiles = []
    for i, user in enumerate(reviewers):
        lay = i % 3 == 0
        topics = rng.sample(range(len(TOPICS)), rng.randint(1, 3))
        expertise = (
            "I live with MS and care about " + _text(rng, [pools[t] for t in topics], 8)
            if lay
            else _text(rng, [pools[t] for t in topics], rng.randint(20, 50))
        )
        profiles.append(
            ReviewerProfile(
                user=user,
                kind=ReviewerProfile.Kind.LAY if lay else ReviewerProfile.Kind.SCIENTIFIC,
                expertise=expertise,
                keywords=", ".join(rng.sample(TOPICS[topics[0]]["keywords"], 2)),
                default_load=LOAD,
            )
        )
    profiles = ReviewerProfile.objects.bulk_create(profiles, batch_size=500)
    ReviewerInvitation.objects.bulk_create(
        [
            ReviewerInvitation(
                call=call, reviewer=u, status=ReviewerInvitation.Status.ACCEPTED, responded_at=now
            )
            for u in reviewers
        ],
        batch_size=500,
    )
    app_links = Application.focus_areas.through
    app_links.objects.bulk_create(
        [
            app_links(application=a, focusarea=area)
            for a in apps
            for area in rng.sample(areas, rng.randint(1, 2))
        ],
        batch_size=2000,
    )
    rev_links = ReviewerProfile.focus_areas.through
    rev_links.objects.bulk_create(
        [
            rev_links(reviewerprofile=p, focusarea=area)
            for p in profiles
            for area in rng.sample(areas, rng.randint(1, 3))
        ],
        batch_size=2000,
    )
    nprng = np.random.default_rng(SEED)
    flat = nprng.choice(A_COUNT * R_COUNT, int(CONFLICT_RATE * A_COUNT * R_COUNT), replace=False)
    Conflict.objects.bulk_create(
        [
            Conflict(
                application=apps[a],
                reviewer=reviewers[r],
                source=Conflict.Source.DETECTED,
                kind=Conflict.Kind.SAME_INSTITUTION,
                reason="Bench",
            )
            for a, r in zip(*np.divmod(flat, R_COUNT), strict=True)
        ],
        batch_size=2000,
    )
    return call, len(flat)


def main() -> dict:
    with tempfile.TemporaryDirectory(prefix="granted-bench-") as var_dir:
        _setup(var_dir)
        from django.conf import settings

        from audit.models import AuditEvent
        from reviews.models import Affinity, Assignment, AssignmentRun
        from reviews.services.assignment import execute_assignment_run

        started = time.perf_counter()
        call, conflicts = build_call()
        build_seconds = time.perf_counter() - started
        run = AssignmentRun.objects.create(call=call)
        started = time.perf_counter()
        run = execute_assignment_run(run_id=run.pk)
        pipeline = time.perf_counter() - started
        if run.status != AssignmentRun.Status.PROPOSED:
            raise SystemExit(f"run {run.status}: {run.message}")
        seconds = AuditEvent.objects.get(verb="assignment.run_finished", target_id=str(run.pk)).data[
            "seconds"
        ]
        return {
            "size": "medium",
            "applications": call.applications.count(),
            "reviewers": call.reviewer_invitations.count(),
            "conflicts": conflicts,
            "pipeline_seconds": round(pipeline, 2),
            "affinity_seconds": round(seconds["affinity"], 2),
            "solve_seconds": round(seconds["solve"], 2),
            "save_seconds": round(seconds["save"], 2),
            "assignments": Assignment.objects.filter(run=run).count(),
            "affinity_rows": Affinity.objects.filter(run=run).count(),
            "total_affinity": round(run.total_affinity, 4),
            "worst_affinity": round(run.worst_affinity, 4),
            "build_seconds": round(build_seconds, 2),
            "database": "SQLite (scratch file)",
            "query_logging": settings.DEBUG,
        }


if __name__ == "__main__":
    print(json.dumps(main()))
