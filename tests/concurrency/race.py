"""Running requests at the same instant: each in its own thread with its own database connection,
all released together by a barrier, so that they really overlap on PostgreSQL's row locks."""

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connections

ROUNDS = 3  # each race is run this many times, to make a bad interleaving likely to show

requires_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op there) and lets one "
    "writer at a time anyway, so the races these tests guard against cannot happen on it",
)


@dataclass
class Answer:
    """What one racing request got back: its status, body, redirect and the messages it queued."""

    status: int
    body: str
    location: str = ""
    messages: list[str] = field(default_factory=list)
    json: object = None


def answer_of(response) -> Answer:
    """The parts of a Django test-client response the assertions need (read in the request's thread)."""
    request = getattr(response, "wsgi_request", None)
    queued = [str(m) for m in get_messages(request)] if request is not None else []
    body = response.content.decode() if not getattr(response, "streaming", False) else ""
    is_json = response.get("Content-Type", "").startswith("application/json")
    return Answer(
        status=response.status_code,
        body=body,
        location=response.get("Location", ""),
        messages=queued,
        json=response.json() if is_json else None,
    )


def run_together(tasks: list[Callable[[], object]], *, timeout: float = 120) -> list:
    """Run each task in its own thread, all released at once; their results (or the exceptions they
    raised), in order. Every thread closes its database connections when it ends."""
    barrier = threading.Barrier(len(tasks))
    results: list = [None] * len(tasks)

    def work(index: int, task) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = task()
        except Exception as error:  # reported to the test, which asserts there were none
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, t), daemon=True) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a racing request did not finish in time"
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == [], f"{len(errors)} racing request(s) raised: {errors[:3]!r}"
    return results


def statuses(answers: list[Answer]) -> Counter:
    return Counter(a.status for a in answers)
