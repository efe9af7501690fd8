"""Benchmark of the committee's ranking endpoint against the bare SQL aggregate it needs.

Usage: ``python bench/ranking.py`` prints one JSON object.

It migrates a fresh SQLite database in a temporary folder (``VAR_DIR``), builds with ``bulk_create``
a closed call with 2,000 submitted applications, 600 reviewers (a third lay) and 6,000 submitted
reviews (three per application, ten per reviewer; totals = the application's quality + the
reviewer's harshness + noise, clipped to 0-100), then, as the chair through the Django test client,
times ``GET /api/v1/calls/{id}/ranking/`` (median of several runs, its queries counted) and the
bare ``SELECT application, AVG(total), COUNT(*) … GROUP BY application`` (median of as many runs).
A second call of 10 applications gives ``queries_small``, which must equal ``queries``.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

A_COUNT, R_COUNT, PER_APPLICATION, RUNS, SEED = 2_000, 600, 3, 5, 20250602
UNUSABLE = "!"  # an unusable password hash: bench users never sign in with a password

BARE_SQL = """
    SELECT a.application_id, AVG(r.weighted_total), COUNT(*)
    FROM reviews_review r
    JOIN reviews_assignment a ON a.id = r.assignment_id
    JOIN reviews_reviewform f ON f.id = r.form_id
    WHERE f.call_id = %s AND r.status = 'submitted' AND r.weighted_total IS NOT NULL
    GROUP BY a.application_id
"""


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
    from django.test.utils import setup_test_environment

    settings.DEBUG = False  # production does not log every SQL statement
    setup_test_environment()  # lets the test client's "testserver" host through


def build_call(tag: str, n_applications: int, n_reviewers: int, rng: random.Random):
    """A closed call with its chair, ``n_applications`` submitted applications and three submitted
    reviews each, spread evenly over ``n_reviewers`` reviewers."""
    from django.utils import timezone

    from accounts.models import User
    from applications.models import Application, Call, CommitteeMembership, Program
    from reviews.models import Assignment, Review, ReviewerProfile, ReviewForm

    now = timezone.now()
    call = Call.objects.create(
        program=Program.objects.create(name=f"Bench {tag}", code=f"B{tag[:3].upper()}"),
        title=f"Bench ranking {tag}",
        slug=f"bench-ranking-{tag}",
        status=Call.Status.CLOSED,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        budget=10**7,
        max_request=10**5,
    )
    chair = User.objects.create(
        email=f"chair-{tag}@bench.example", full_name=f"Chair {tag}", password=UNUSABLE
    )
    CommitteeMembership.objects.create(call=call, user=chair, role=CommitteeMembership.Role.CHAIR)
    pi = User.objects.create(email=f"pi-{tag}@bench.example", full_name=f"PI {tag}", password=UNUSABLE)
    apps = Application.objects.bulk_create(
        [
            Application(
                call=call,
                pi=pi,
                title=f"Application {i}",
                status=Application.Status.SUBMITTED,
                reference=f"{tag.upper()}-{i + 1:04d}",
                submitted_at=now,
            )
            for i in range(n_applications)
        ],
        batch_size=500,
    )
    reviewers = User.objects.bulk_create(
        [
            User(email=f"rev{i}-{tag}@bench.example", full_name=f"Reviewer {i:03d}", password=UNUSABLE)
            for i in range(n_reviewers)
        ]
    )
    kinds = [
        ReviewerProfile.Kind.LAY if i % 3 == 0 else ReviewerProfile.Kind.SCIENTIFIC
        for i in range(n_reviewers)
    ]
    ReviewerProfile.objects.bulk_create(
        [ReviewerProfile(user=u, kind=k) for u, k in zip(reviewers, kinds, strict=True)], batch_size=500
    )
    forms = {
        kind: ReviewForm.objects.create(call=call, audience=kind, name=f"{kind} review")
        for kind in ReviewerProfile.Kind.values
    }
    pairs = [
        (a, (PER_APPLICATION * i + k) % n_reviewers)
        for i, a in enumerate(apps)
        for k in range(PER_APPLICATION)
    ]
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                call=call,
                application=a,
                reviewer=reviewers[r],
                source=Assignment.Source.MANUAL,
                state=Assignment.State.PUBLISHED,
                published_at=now,
            )
            for a, r in pairs
        ],
        batch_size=1000,
    )
    quality = {a.pk: rng.gauss(60, 12) for a in apps}
    harshness = [rng.gauss(0, 8) for _ in range(n_reviewers)]
    Review.objects.bulk_create(
        [
            Review(
                assignment=assignment,
                form=forms[kinds[r]],
                status=Review.Status.SUBMITTED,
                weighted_total=min(100.0, max(0.0, quality[a.pk] + harshness[r] + rng.gauss(0, 6))),
                submitted_at=now,
            )
            for assignment, (a, r) in zip(assignments, pairs, strict=True)
        ],
        batch_size=1000,
    )
    return call, chair


def _median_ms(action, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(call, chair) -> tuple[float, int, int]:
    """The endpoint's median time (ms), its query count and the number of rows it returned."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(chair)
    url = f"/api/v1/calls/{call.pk}/ranking/"

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    get()  # warm the session and content-type caches
    reset_queries()  # migrate ran with DEBUG on and may have filled the (bounded) query log
    with CaptureQueriesContext(connection) as captured:
        rows = get().json()["count"]
    queries = len(captured)  # read now: the slice is taken from the live log, which requests reset
    return _median_ms(get), queries, rows


def bare_sql_ms(call) -> float:
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [call.pk])
            return cursor.fetchall()

    run()
    return _median_ms(run)


def main() -> dict:
    with tempfile.TemporaryDirectory(prefix="granted-bench-") as var_dir:
        _setup(var_dir)
        from reviews.models import Review

        rng = random.Random(SEED)
        started = time.perf_counter()
        call, chair = build_call("large", A_COUNT, R_COUNT, rng)
        small_call, small_chair = build_call("small", 10, 10, rng)
        build_seconds = time.perf_counter() - started
        endpoint_ms, queries, rows = measure(call, chair)
        bare_ms = bare_sql_ms(call)
        _, queries_small, small_rows = measure(small_call, small_chair)
        return {
            "applications": rows,
            "reviewers": R_COUNT,
            "reviews": Review.objects.filter(form__call=call).count(),
            "endpoint_ms": round(endpoint_ms, 1),
            "bare_sql_ms": round(bare_ms, 2),
            "ratio": round(endpoint_ms / bare_ms, 1),
            "queries": queries,
            "queries_small": queries_small,
            "applications_small": small_rows,
            "runs": RUNS,
            "build_seconds": round(build_seconds, 2),
            "database": "SQLite (scratch file)",
        }


if __name__ == "__main__":
    print(json.dumps(main()))
