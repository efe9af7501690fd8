"""The real Celery worker of the integration tests: a separate process on the real broker, against
pytest-django's test database. A module may override ``celery_worker_env`` to add settings (e.g.
where the worker stores files)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.reviews.review_world import review_media_root, world  # noqa: F401 (fixtures of the page cache tests)

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def worker_database_url() -> str:
    """The URL of pytest-django's test database, for another process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    auth = f"{user}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{user}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker process."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_env):
    from config.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "TESTING": "1",
        "DEBUG": "1",
        "CONN_MAX_AGE": "0",  # no connection left open when the test database is dropped
        **celery_worker_env,
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
        # Starting takes a while on a busy machine: the worker imports scikit-learn and SciPy.
        deadline = time.monotonic() + STARTUP_SECONDS
        while not app.control.ping(timeout=1):
            if worker.poll() is not None:
                pytest.fail(f"The Celery worker exited with {worker.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The Celery worker did not answer a ping within {STARTUP_SECONDS} s:\n{log.read_text()}"
                )
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
