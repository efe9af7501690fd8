"""Benchmark of a call's register downloads: the applications register of a call with 10,000
applications, as a streamed CSV and as an XLSX written by openpyxl's write-only workbook.

Usage: ``python bench/exports.py [--rows 10000]`` prints one JSON object:
``{rows, csv_peak_mb, xlsx_peak_mb, csv_s, xlsx_s, list_peak_mb, csv_bytes, xlsx_bytes, peak_method}``.

It migrates a fresh SQLite database in a temporary folder (``VAR_DIR``), builds with ``bulk_create`` a
call with ``--rows`` submitted applications (each with a PI, one of 40 institutions and two focus
areas), then, as staff through the Django test client, downloads ``portfolio/calls/<slug>/
applications.csv`` and ``.xlsx`` and reads the whole body. The times are wall-clock for the request
and the read, without tracing. The peaks are measured in a second run under ``tracemalloc``: the
largest amount of Python memory allocated at once during the request and the read, above what was
allocated before it. ``list_peak_mb`` is the same measure for building the rows as one list (what a
non-streaming export would hold), for comparison.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNUSABLE = "!"  # an unusable password hash: bench users never sign in with a password
MB = 1024 * 1024


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


def build_call(n: int):
    """A call in review with ``n`` submitted applications; returns (call, staff user)."""
    from django.utils import timezone

    from accounts.models import Institution, User
    from applications.models import Application, Call, FocusArea, Program

    now = timezone.now()
    call = Call.objects.create(
        program=Program.objects.create(name="Bench exports", code="BEX"),
        title="Bench exports",
        slug="bench-exports",
        status=Call.Status.IN_REVIEW,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        budget=10**8,
        max_request=10**5,
    )
    institutions = Institution.objects.bulk_create(
        Institution(name=f"Bench University {i}", normalised_name=f"bench university {i}", country="GB")
        for i in range(40)
    )
    areas = list(FocusArea.objects.all()[:6]) or FocusArea.objects.bulk_create(
        FocusArea(name=f"Area {i}", slug=f"area-{i}", position=i) for i in range(6)
    )
    pis = User.objects.bulk_create(
        User(email=f"pi{i}@bench.example", full_name=f"Principal Investigator {i}", password=UNUSABLE)
        for i in range(n)
    )
    applications = Application.objects.bulk_create(
        (
            Application(
                call=call,
                pi=pi,
                institution=institutions[i % len(institutions)],
                title=f"Progressive MS study number {i} on remyelination and neuroprotection",
                lay_summary="A plain-language summary of the project. " * 20,
                keywords="remyelination, microglia, MRI",
                requested_amount=Decimal("45000.00") + i,
                duration_months=24,
                status=Application.Status.SUBMITTED,
                submitted_at=now - timedelta(days=10),
                reference=f"BEX-2026-{i + 1:05d}",
            )
            for i, pi in enumerate(pis)
        ),
        batch_size=2000,
    )
    through = Application.focus_areas.through
    through.objects.bulk_create(
        (
            through(application_id=a.pk, focusarea_id=areas[(i + k) % len(areas)].pk)
            for i, a in enumerate(applications)
            for k in range(2)
        ),
        batch_size=5000,
    )
    staff = User.objects.create(email="officer@bench.example", full_name="Bench Officer", is_staff=True)
    return call, staff


def download(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return sum(len(chunk) for chunk in response.streaming_content)


def timed(client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    size = download(client, url)
    return time.perf_counter() - start, size


def traced_peak(action) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round((peak - base) / MB, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="granted-bench-exports-") as var_dir:
        _setup(var_dir)
        from django.test import Client
        from django.urls import reverse

        from portfolio.exports import application_rows

        call, staff = build_call(args.rows)
        client = Client()
        client.force_login(staff)
        csv_url = reverse("portfolio:register_export", args=[call.slug, "applications", "csv"])
        xlsx_url = reverse("portfolio:register_export", args=[call.slug, "applications", "xlsx"])
        download(client, csv_url)  # warm up: imports, template-free code paths, SQLite page cache
        csv_s, csv_bytes = timed(client, csv_url)
        xlsx_s, xlsx_bytes = timed(client, xlsx_url)
        result = {
            "rows": args.rows,
            "csv_peak_mb": traced_peak(lambda: download(client, csv_url)),
            "xlsx_peak_mb": traced_peak(lambda: download(client, xlsx_url)),
            "csv_s": round(csv_s, 2),
            "xlsx_s": round(xlsx_s, 2),
            "list_peak_mb": traced_peak(lambda: list(application_rows(call))),
            "csv_bytes": csv_bytes,
            "xlsx_bytes": xlsx_bytes,
            "peak_method": "tracemalloc: Python allocations during the request and the read, above the start",
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
