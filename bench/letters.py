"""Benchmark of letter rendering: Granted's pipeline against bare WeasyPrint, and two processes.

Usage: ``python bench/letters.py [--letters N]`` (default 500) prints one JSON object.

It migrates a fresh SQLite database in a temporary folder (``VAR_DIR``, files in ``STORAGE_ROOT``
below it), builds a call with letter settings (a PNG signature, the letterhead, a sender address),
a chair and two funders, and N funded decisions with awards, funder splits and pending award
letters. Then, after one warm-up render each:

* ``pipeline_per_s``: ``awards.letters.render_letter_pdf`` for each letter — the database reads, the
  restricted template engine, our layout, and WeasyPrint with the static-only fetcher and the
  process's parsed stylesheet, fonts and images;
* ``bare_per_s``: plain ``weasyprint.HTML(string=html).write_pdf(stylesheets=[CSS(filename=...)])``
  on the same HTML, prepared beforehand (untimed): default fetcher, stylesheet parsed each time;
* ``two_process_per_s``: the pipeline in two processes (spawned, each set up and warmed up before a
  barrier), the N letters split between them, timed from the barrier to the last one's end.

``ratio`` is pipeline / bare (the target is at least 0.9) and ``scaling`` two processes / one (at
least 1.7 on an idle machine with two free cores); ``load_avg`` is ``os.getloadavg()`` at the end,
and the CPU milliseconds per letter, single and in the two processes, tell a busy machine apart
from a pipeline that does not scale.
"""

import argparse
import io
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UNUSABLE = "!"  # an unusable password hash: bench users never sign in


def _setup(var_dir: str, *, migrate: bool) -> None:
    os.environ["VAR_DIR"] = var_dir
    os.environ["STORAGE_ROOT"] = str(Path(var_dir, "storage"))
    os.environ["DEBUG"] = "1"
    os.environ["TESTING"] = "1"  # settings from the command line only, never from a developer's .env
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # production does not log every SQL statement
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _signature_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 110), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(10 + 7 * i, 60 + (-1) ** i * 20) for i in range(48)], fill=(20, 40, 110), width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build(n: int) -> list[int]:
    """A call with letter settings and ``n`` funded, applied decisions with pending award letters."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import Institution, User
    from applications.models import Application, Call, CommitteeMembership, Funder, Program
    from awards.models import Award, Decision, FundingShare, Letter, LetterSettings

    now = timezone.now()
    call = Call.objects.create(
        program=Program.objects.create(name="Challenge Awards", code="CA"),
        title="Challenge Awards 2026",
        slug="bench-letters",
        status=Call.Status.IN_REVIEW,
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=60),
        budget=10**8,
        max_request=10**6,
    )
    chair = User.objects.create(email="chair@bench.example", full_name="Carla Chair", password=UNUSABLE)
    CommitteeMembership.objects.create(call=call, user=chair, role=CommitteeMembership.Role.CHAIR)
    settings = LetterSettings(
        call=call, sender_address="Granted Research Alliance\n1 Example Street\nAmsterdam"
    )
    settings.signature.save("signature.png", ContentFile(_signature_png()), save=False)
    settings.save()
    funders = [Funder.objects.create(name=f"Research Society {i}", short_name=f"RS{i}") for i in (1, 2)]
    institution = Institution.objects.create(name="University of Benchmarks", city="Leiden", country="NL")
    users = User.objects.bulk_create(
        User(email=f"pi{i}@bench.example", full_name=f"Principal Investigator {i}", password=UNUSABLE,
             institution=institution)
        for i in range(n)
    )  # fmt: skip
    applications = Application.objects.bulk_create(
        Application(call=call, pi=u, institution=institution, title=f"Remyelination study number {i}",
                    requested_amount=Decimal("50000"), duration_months=24, reference=f"CA-2026-{i + 1:04d}",
                    status=Application.Status.SUBMITTED, submitted_at=now)
        for i, u in enumerate(users)
    )  # fmt: skip
    amount = Decimal("48500.00")
    decisions = Decision.objects.bulk_create(
        Decision(call=call, application=a, outcome="fund", published_outcome="fund", status="applied",
                 amount=amount, conditions="Ethics approval before the first payment.",
                 start_date=date(2027, 3, 1), duration_months=24, applied_at=now)
        for a in applications
    )  # fmt: skip
    FundingShare.objects.bulk_create(
        FundingShare(decision=d, funder=f, amount=part)
        for d in decisions
        for f, part in zip(funders, (Decimal("30000.00"), Decimal("18500.00")), strict=True)
    )
    Award.objects.bulk_create(
        Award(application=d.application, decision=d, reference=f"AW-{d.application.reference}", amount=amount,
              currency=call.currency)
        for d in decisions
    )  # fmt: skip
    letters = Letter.objects.bulk_create(Letter(decision=d, kind="award", queued_at=now) for d in decisions)
    return [letter.pk for letter in letters]


def _letters(ids: list[int]):
    from awards.models import Letter

    rows = Letter.objects.select_related("decision__application__pi", "decision__call__program").in_bulk(ids)
    return [rows[i] for i in ids]


def pipeline_seconds(ids: list[int]) -> float:
    from awards.letters import render_letter_pdf

    started = time.perf_counter()
    for letter in _letters(ids):
        render_letter_pdf(letter)
    return time.perf_counter() - started


def bare_seconds(htmls: list[str]) -> float:
    from weasyprint import CSS, HTML

    from core.pdf import static_root

    base_url, css = static_root().as_uri() + "/", str(static_root() / "css" / "letter.css")
    started = time.perf_counter()
    for html in htmls:
        HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(filename=css)])
    return time.perf_counter() - started


def _worker(var_dir: str, warm_id: int, ids: list[int], barrier, results) -> None:
    # Each worker in its own session, as separately started Celery workers are: with the kernel's
    # autogroup scheduling, processes of one session share one CPU share on a busy machine.
    os.setsid()
    _setup(var_dir, migrate=False)
    pipeline_seconds([warm_id])  # imports, fonts, the stylesheet and letterhead: not what is measured
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    pipeline_seconds(ids)
    results.put((started, time.perf_counter(), time.process_time() - cpu))


def two_process_seconds(var_dir: str, ids: list[int]) -> tuple[float, float]:
    """Wall seconds from the barrier to the last worker's end, and the workers' CPU seconds."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    halves = [ids[0::2], ids[1::2]]
    processes = [context.Process(target=_worker, args=(var_dir, ids[0], h, barrier, results)) for h in halves]
    for process in processes:
        process.start()
    spans = [results.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join()
    return max(end for _, end, _ in spans) - min(start for start, _, _ in spans), sum(c for *_, c in spans)


def main(n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="granted-bench-") as var_dir:
        _setup(var_dir, migrate=True)
        from django.db import connections

        from awards.letters import letter_html

        ids = build(n)
        pipeline_seconds(ids[:1])  # warm-up
        htmls = [letter_html(letter) for letter in _letters(ids)]
        bare_seconds(htmls[:1])  # warm-up: WeasyPrint imported, fonts found once by fontconfig
        cpu = time.process_time()
        pipeline = pipeline_seconds(ids)
        pipeline_cpu = time.process_time() - cpu
        bare = bare_seconds(htmls)
        connections.close_all()
        two, two_cpu = two_process_seconds(var_dir, ids)
        pipeline_per_s, bare_per_s, two_per_s = n / pipeline, n / bare, n / two
        return {
            "letters": n,
            "pipeline_per_s": round(pipeline_per_s, 2),
            "bare_per_s": round(bare_per_s, 2),
            "ratio": round(pipeline_per_s / bare_per_s, 3),
            "two_process_per_s": round(two_per_s, 2),
            "scaling": round(two_per_s / pipeline_per_s, 3),
            "pipeline_ms_per_letter": round(1000 * pipeline / n, 1),
            "bare_ms_per_letter": round(1000 * bare / n, 1),
            "pipeline_cpu_ms_per_letter": round(1000 * pipeline_cpu / n, 1),
            "two_process_cpu_ms_per_letter": round(1000 * two_cpu / n, 1),
            "cpus": os.cpu_count(),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "database": "SQLite (scratch file)",
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500)
    print(json.dumps(main(parser.parse_args().letters)))
