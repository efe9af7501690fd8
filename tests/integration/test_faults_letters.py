"""Letters survive real faults: a Celery worker killed with SIGKILL in the middle of a batch of 200, a
Redis stopped while the chair applies decisions, and a letter whose rendering kills its worker.

Each test starts real processes (workers, a private redis-server) and stops them by pid in its
fixture's teardown, also when it fails. Figures (counts, seconds) go to artifacts/faults/letters.json.
"""

import hashlib
import json
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from awards.letters import OUTCOME_KINDS
from awards.models import Decision, Letter, LetterBatch
from awards.services.decisions import apply_decisions
from awards.services.letters import render_letter, retry_letters
from awards.tasks import sweep_pending_letters
from tests.integration.faults_processes import (
    LOGS,
    Processes,
    broker,
    mails,
    queue_length,
    restore_unacked,
    stored_files,
    unacked,
    wait_until,
)
from tests.integration.faults_world import call_with_pending_decisions

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="CELERY_BROKER_URL is not set: the fault tests need a broker and start real workers.",
    ),
]
BATCH = 200
KILL_AT = 20  # the first worker renders this many letters, then is killed on the next one
PER_CALL = 5  # applications per call while Redis is down (one call by the portal, one by the API)
REQUEST_SECONDS = 10  # an apply request with the broker down answers within this


def record(scenario: str, figures: dict) -> None:
    """Keep a scenario's measured figures for the report (and print them: pytest -s shows them)."""
    path = LOGS / "letters.json"
    LOGS.mkdir(parents=True, exist_ok=True)
    results = json.loads(path.read_text()) if path.exists() else {}
    results[scenario] = figures
    path.write_text(json.dumps(results, indent=2))
    print(scenario, json.dumps(figures))


@pytest.fixture
def app():
    from config.celery import app

    return app


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "storage"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def outbox(tmp_path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def worker_env(storage, outbox) -> dict[str, str]:
    """Workers store letters where this process reads them and write each e-mail to a file."""
    return {"STORAGE_ROOT": str(storage), "EMAIL_URL": f"filemail:///{outbox}"}


def statuses(call) -> Counter:
    return Counter(Letter.objects.filter(decision__call__in=call).values_list("status", flat=True))


def decision_letters_emailed(calls) -> int:
    return Letter.objects.filter(decision__call__in=calls, emailed_at__isnull=False).count()


def waiting_on_a_row_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else cached until the transaction ends
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def task_result(worker, task_id: str) -> str | None:
    """What the worker logged as the task's result (``succeeded in …s: RESULT``), once it has."""
    found = re.search(rf"\[{re.escape(task_id)}\] succeeded in [\d.e-]+s: (.*)", worker.text())
    return found.group(1).strip() if found else None


def assert_each_letter_once(calls, storage: Path, outbox: Path, *, summaries: int = 0) -> dict:
    """Every applied decision of ``calls`` has exactly one letter of each kind it calls for (version
    1), done, with one stored file whose SHA-256 is recorded; each applicant got one e-mail."""
    decisions = list(Decision.objects.filter(call__in=calls).select_related("application__pi"))
    letters = list(Letter.objects.filter(decision__call__in=calls))
    kinds = Counter((x.decision_id, x.kind, x.version) for x in letters)
    expected = {(d.pk, OUTCOME_KINDS[d.published_outcome], 1) for d in decisions}
    assert {key for key in kinds if key[1] != "summary"} == expected
    assert set(kinds.values()) == {1}
    assert sum(1 for key in kinds if key[1] == "summary") == summaries
    assert {x.status for x in letters} == {"done"}
    files = stored_files(storage)
    assert sorted(x.file.name for x in letters) == files  # no orphan, no duplicate
    for letter in letters:
        assert hashlib.sha256((storage / letter.file.name).read_bytes()).hexdigest() == letter.sha256
    sent = mails(outbox)
    to = Counter(message["To"] for message in sent)
    assert to == Counter(d.application.pi.email for d in decisions)  # each applicant once
    verbs = Counter(
        AuditEvent.objects.filter(verb__in=["letter.rendered", "letter.emailed"]).values_list(
            "verb", flat=True
        )
    )
    assert verbs == {"letter.rendered": len(letters), "letter.emailed": len(decisions)}
    return {"letters": len(letters), "files": len(files), "emails": len(sent)}


@pytest.mark.timeout(600)  # ~60 s on an idle machine; rendering is CPU-bound, and CI shares the CPU
def test_a_worker_killed_mid_batch_of_200_loses_no_letter_and_repeats_none(
    transactional_db, app, processes, storage, outbox, worker_env
):
    """kill -9 of the worker while it renders letter 21 of 200. The message it held stays in Redis'
    unacknowledged set until the visibility timeout (30 min in production); a new worker renders the
    other 179, and the sweep (beat, every 5 min, letters pending > 10 min) delivers the orphaned one.
    When Redis finally redelivers the old message, the worker finds the letter done: nothing twice."""
    url, queue = os.environ["CELERY_BROKER_URL"], app.conf.task_default_queue
    app.control.purge()
    earlier = set(unacked(url, queue))  # left by an earlier run that failed: not this test's
    t0 = time.monotonic()
    call, chair, _ = call_with_pending_decisions(BATCH, tag="K")
    built = time.monotonic() - t0
    t = time.monotonic()
    apply_decisions(call=call, by=chair)  # commits; then queues 200 render tasks in one go
    applied = time.monotonic() - t
    letters = list(Letter.objects.filter(decision__call=call).order_by("pk"))  # the queue's order
    assert (len(letters), queue_length(url, queue)) == (BATCH, BATCH)
    victim = letters[KILL_AT]

    with transaction.atomic():
        # The worker reaches the victim after KILL_AT letters and waits on its row: killed right there,
        # it is in the middle of the task, its message delivered and not acknowledged.
        Letter.objects.select_for_update().get(pk=victim.pk)
        first = processes.worker("faults-first", broker_url=url, env=worker_env, queue=queue).start()
        first_ready = first.wait_ready(app)
        wait_until(
            lambda: statuses([call])["done"] == KILL_AT and waiting_on_a_row_lock(),
            timeout=240,
            what=f"the first worker to render {KILL_AT} letters and reach letter {victim.pk}",
        )
        first.kill()
    held = {tag: headers for tag, headers in unacked(url, queue).items() if tag not in earlier}
    assert [h["argsrepr"] for h in held.values()] == [f"({victim.pk},)"]
    [(tag, headers)] = held.items()
    assert statuses([call]) == {"done": KILL_AT, "pending": BATCH - KILL_AT}

    second = processes.worker("faults-second", broker_url=url, env=worker_env, queue=queue).start()
    second_ready = second.wait_ready(app)
    drained = wait_until(
        lambda: (
            statuses([call])["done"] == BATCH - 1
            and queue_length(url, queue) == 0
            and set(unacked(url, queue)) - earlier == {tag}
        ),  # the last one acknowledged: only the victim's left
        timeout=420,
        what="the second worker to render the rest",
    )
    victim.refresh_from_db()
    assert (victim.status, victim.attempts) == ("pending", 0)  # not redelivered: visibility timeout

    t = time.monotonic()
    sweep = sweep_pending_letters.apply_async(kwargs={"older_than_seconds": 5})  # as beat does
    wait_until(lambda: task_result(second, sweep.id) is not None, timeout=30, what="the sweep")
    assert task_result(second, sweep.id) == "1"
    wait_until(
        lambda: decision_letters_emailed([call]) == BATCH, timeout=30, what="the swept letter's e-mail"
    )
    swept = time.monotonic() - t

    restore_unacked(url, tag)  # what Redis does once the visibility timeout has passed
    wait_until(lambda: task_result(second, headers["id"]) is not None, timeout=30, what="the late redelivery")
    assert task_result(second, headers["id"]) == "'done'"
    wait_until(lambda: set(unacked(url, queue)) <= earlier, timeout=30, what="its acknowledgement")

    counts = assert_each_letter_once([call], storage, outbox)
    victim.refresh_from_db()
    assert victim.attempts == 0
    assert list(
        AuditEvent.objects.filter(target_id=str(victim.pk), verb__startswith="letter.")
        .order_by("pk")
        .values_list("verb", flat=True)
    ) == [
        "letter.queued",
        "letter.requeued",
        "letter.rendered",
        "letter.emailed",
    ]
    record(
        "kill -9 mid-batch",
        {
            **counts,
            "done_before_kill": KILL_AT,
            "orphaned_message_delivered_by": "sweep (older_than 5 s here; 10 min in production)",
            "build_s": round(built, 1),
            "apply_s": round(applied, 2),
            "first_worker_ready_s": round(first_ready, 1),
            "second_worker_ready_s": round(second_ready, 1),
            "second_worker_rendered_179_s": round(drained, 1),
            "sweep_to_emailed_s": round(swept, 1),
            "total_s": round(time.monotonic() - t0, 1),
        },
    )


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_redis_stopped_while_the_chair_applies_decisions_delays_the_letters_and_loses_none(
    transactional_db, app, processes, storage, outbox, worker_env, client, caplog
):
    """Redis dies (SIGKILL) with a live pooled connection to it; the chair applies the decisions of
    one call in the portal and of another through the API. Both answer at once, the decisions and
    their audit are committed, the letters wait as pending. Redis comes back empty (no persistence):
    the sweep, run as beat runs it, delivers every letter once; a second sweep sends nothing."""
    queue = app.conf.task_default_queue
    server = processes.redis().start()
    url = server.url()
    portal_call, portal_chair, _ = call_with_pending_decisions(PER_CALL, release_summary=True, tag="P")
    api_call, api_chair, _ = call_with_pending_decisions(PER_CALL, tag="A")
    calls = [portal_call, api_call]
    letters = PER_CALL * 3  # the portal call's decision letters and summary statements, the API call's
    with broker(app, url):
        with app.producer_or_acquire() as producer:  # pooled, alive: the publish finds it dead
            producer.connection.ensure_connection(max_retries=1)
        server.kill()

        client.force_login(portal_chair)
        t = time.monotonic()
        response = client.post(reverse("awards:funding_apply", args=[portal_call.slug]))
        portal_s = time.monotonic() - t
        batch = LetterBatch.objects.get(call=portal_call)
        assert (response.status_code, response["Location"]) == (302, reverse("awards:batch", args=[batch.pk]))
        shown = page_text(client.get(response["Location"]))
        assert "The decisions are applied: applicants see them now, and their letters are queued." in shown
        assert f"0 of {PER_CALL * 2} letters done (0%) · {PER_CALL * 2} pending" in shown
        assert "That did not work" not in shown

        api = APIClient()
        api.force_authenticate(api_chair)
        t = time.monotonic()
        response = api.post(f"/api/v1/calls/{api_call.pk}/decisions/apply/")
        api_s = time.monotonic() - t
        assert response.status_code == 201
        assert response.json()["letters"] == PER_CALL
        assert max(portal_s, api_s) < REQUEST_SECONDS

        unreachable = [r for r in caplog.records if "The broker is unreachable" in r.getMessage()]
        assert len(unreachable) == 2  # once per request, not once per letter
        assert Decision.objects.filter(call__in=calls, status="applied").count() == 2 * PER_CALL
        verbs = Counter(AuditEvent.objects.values_list("verb", flat=True))
        assert (verbs["decision.applied"], verbs["decisions.applied"], verbs["letter.queued"]) == (
            2 * PER_CALL,
            2,
            letters,
        )
        assert statuses(calls) == {"pending": letters}
        assert (mails(outbox), stored_files(storage)) == ([], [])

        server = processes.redis(port=server.port).start()  # the same address, nothing in it
        assert queue_length(url, queue) == 0
        worker = processes.worker("faults-redis", broker_url=url, env=worker_env, queue=queue).start()
        ready = worker.wait_ready(app)
        t = time.monotonic()
        first = sweep_pending_letters.apply_async(kwargs={"older_than_seconds": 0})  # as beat does
        wait_until(
            lambda: statuses(calls)["done"] == letters and decision_letters_emailed(calls) == 2 * PER_CALL,
            timeout=240,
            what="the sweep's letters",
        )
        delivered = time.monotonic() - t
        wait_until(lambda: task_result(worker, first.id) is not None, timeout=30, what="the first sweep")
        assert task_result(worker, first.id) == str(letters)
        second = sweep_pending_letters.apply_async(kwargs={"older_than_seconds": 0})
        wait_until(lambda: task_result(worker, second.id) is not None, timeout=30, what="the second sweep")
        assert task_result(worker, second.id) == "0"
        assert queue_length(url, queue) == 0

    counts = assert_each_letter_once(calls, storage, outbox, summaries=PER_CALL)
    record(
        "redis stopped during apply",
        {
            **counts,
            "portal_request_s": round(portal_s, 2),
            "api_request_s": round(api_s, 2),
            "pending_while_down": letters,
            "worker_ready_s": round(ready, 1),
            "sweep_to_all_done_and_emailed_s": round(delivered, 1),
            "first_sweep_queued": letters,
            "second_sweep_queued": 0,
        },
    )


def test_a_letter_whose_rendering_kills_its_worker_fails_after_its_attempts_instead_of_looping(
    transactional_db, app, processes, storage, outbox, worker_env, tmp_path
):
    """Production's pool (prefork): rendering one letter kills the pool process each time, after its
    PDF is written and before the commit. With reject_on_worker_lost the message comes back at once,
    forever; counting each attempt before it starts makes the fourth delivery give up (3 allowed
    here): the letter fails with a clear message, the killed attempts' files are removed, the other
    letter is rendered, the worker lives on, and the chair's retry renders it once the cause is gone."""
    url, queue = os.environ["CELERY_BROKER_URL"], app.conf.task_default_queue
    app.control.purge()
    call, chair, _ = call_with_pending_decisions(2, tag="X")
    apply_decisions(call=call, by=chair)
    poison, good = Letter.objects.filter(decision__call=call).order_by("pk")
    poison_file = tmp_path / "poison"
    poison_file.write_text(str(poison.pk))
    env = {**worker_env, "LETTERS_MAX_ATTEMPTS": "3", "FAULTS_POISON_FILE": str(poison_file)}
    worker = processes.worker(
        "faults-poison", broker_url=url, env=env, queue=queue, module="tests.integration.faults_poison_worker"
    )
    worker.start(pool="prefork", concurrency=1).wait_ready(app)

    t = time.monotonic()
    wait_until(
        lambda: statuses([call]) == {"failed": 1, "done": 1} and decision_letters_emailed([call]) == 1,
        timeout=180,
        what="the poisoned letter to be given up and the other one rendered",
    )
    given_up = time.monotonic() - t
    poison.refresh_from_db()
    good.refresh_from_db()
    assert (poison.status, poison.attempts, poison.file.name) == ("failed", 3, "")
    assert poison.last_error == (
        "Given up after 3 attempts: rendering this letter never finished, the worker stopped while "
        "rendering it (out of memory, killed or crashed). Retry it once the cause is found."
    )
    assert worker.text().count("exited with 'signal 9 (SIGKILL)'") == 3
    assert worker.process.poll() is None  # the worker lives on
    assert stored_files(storage) == [good.file.name]  # no file left by the killed attempts
    assert [m["To"] for m in mails(outbox)] == [good.decision.application.pi.email]
    assert AuditEvent.objects.filter(verb="letter.failed", target_id=str(poison.pk)).count() == 1

    poison_file.write_text("")  # the cause is found and mended
    t = time.monotonic()
    retry_letters(letters=[poison], by=chair)
    wait_until(lambda: decision_letters_emailed([call]) == 2, timeout=60, what="the retried letter")
    retried = time.monotonic() - t
    poison.refresh_from_db()
    assert (poison.status, poison.attempts, poison.last_error) == ("done", 0, "")
    counts = assert_each_letter_once([call], storage, outbox)
    record(
        "poison letter",
        {
            **counts,
            "worker_processes_killed": 3,
            "attempts_allowed": 3,
            "given_up_after_s": round(given_up, 1),
            "retry_to_emailed_s": round(retried, 1),
        },
    )


def test_an_attempt_that_raises_on_the_last_allowed_attempt_fails_the_letter(db, settings, tmp_path):
    """The cap holds for attempts that raise too: at LETTERS_MAX_ATTEMPTS the letter is failed even if
    the task would retry (its retries outnumber the attempts allowed)."""
    settings.LETTERS_MAX_ATTEMPTS = 2
    call, chair, _ = call_with_pending_decisions(1, tag="R")
    apply_decisions(call=call, by=chair)  # in the test's transaction: nothing is queued, rendered here
    letter = Letter.objects.get(decision__call=call)
    settings.MEDIA_ROOT = tmp_path / "a-file"  # storage cannot write below a file: an OSError
    settings.MEDIA_ROOT.write_text("not a folder")

    for expected in [("pending", 1), ("failed", 2)]:
        with pytest.raises(OSError, match=r"Not a directory|File exists"):
            render_letter(letter.pk, final_attempt=False)
        letter.refresh_from_db()
        assert (letter.status, letter.attempts) == expected
    assert letter.last_error.startswith(("FileExistsError", "NotADirectoryError"))
    assert render_letter(letter.pk).status == "failed"  # a stale redelivery leaves it failed
    assert list(tmp_path.rglob("*.pdf")) == []
