"""A real Celery worker, on the real broker, against the test database."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from applications.models import Call
from audit.models import AuditEvent
from tests.factories import CallFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="CELERY_BROKER_URL is not set: the integration tests need a broker and start a real worker.",
    ),
]
ROOT = Path(__file__).resolve().parents[2]


def worker_database_url() -> str:
    """The URL of pytest-django's test database, for another process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{user}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    from config.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "TESTING": "1",
        "DEBUG": "1",
        "CONN_MAX_AGE": "0",  # no connection left open when the test database is dropped
    }
    log = (ROOT / "artifacts").joinpath("celery-worker.log")
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                app.conf.task_default_queue,
                "-n",
                f"test-{os.getpid()}@%h",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(timeout=1):
            if worker.poll() is not None:
                pytest.fail(f"The Celery worker exited with {worker.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not answer a ping within 30 s:\n{log.read_text()}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


def test_the_worker_opens_a_due_call(celery_worker_process):
    from applications.tasks import open_and_close_calls

    call = CallFactory(
        status=Call.Status.DRAFT,
        scheduled=True,
        opens_at=timezone.now() - timedelta(minutes=1),
        closes_at=timezone.now() + timedelta(days=30),
    )

    open_and_close_calls.delay()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        call.refresh_from_db()
        if call.status == Call.Status.OPEN:
            break
        time.sleep(0.25)
    assert call.status == Call.Status.OPEN, "the worker did not open the call within 20 s"
    event = AuditEvent.objects.get(verb="call.opened", target_id=str(call.pk))
    assert (event.actor, event.actor_repr) == (None, "system")
    assert (event.before, event.after) == ({"status": "draft"}, {"status": "open"})
