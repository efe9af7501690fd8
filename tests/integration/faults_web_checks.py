"""What the PostgreSQL fault test checks with: requests held inside their transaction by a lock taken
in another connection (seen in ``pg_stat_activity``), the clean 503 answers, and the rows read
straight from the private cluster."""

import threading
import time
from types import SimpleNamespace

UNAVAILABLE = "The service is briefly unavailable"
WAIT = 20  # seconds: the bound of every wait for a request or a lock


def in_flight(monitor, blocker_pid: int, requests_sent: list, timeout: float = WAIT) -> list[dict]:
    """The backends of the web requests that wait for ``blocker_pid``'s lock (one per request sent):
    what each waits for, and whether its transaction has written (an xid) and updated the
    applications table."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for request in requests_sent:
            if request.at is not None:
                response, _ = request.wait()
                raise AssertionError(
                    f"a request did not wait: {response.status_code} {response.text[-3000:]}"
                )
        rows = monitor.execute(
            """
            SELECT a.pid, a.wait_event_type, a.backend_xid IS NOT NULL,
                   EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted
                           AND l.relation = 'applications_application'::regclass
                           AND l.mode = 'RowExclusiveLock')
            FROM pg_stat_activity a
            WHERE %s = ANY(pg_blocking_pids(a.pid))
            """,
            [blocker_pid],
        ).fetchall()
        if len(rows) == len(requests_sent):
            return [
                {"pid": pid, "waits_for": waits, "has_written": written, "updated_application": updated}
                for pid, waits, written, updated in rows
            ]
        time.sleep(0.05)
    raise AssertionError(
        f"{len(requests_sent)} requests did not wait for backend {blocker_pid} in {timeout} s"
    )


def both_workers_answer(cluster, send) -> list:
    """Send two requests at once while their table is locked: each sync worker takes one and waits
    inside it (so both workers used their database connection); then release the lock. Returns the
    two responses."""
    monitor = cluster.connect(autocommit=True)
    blocker = cluster.connect()
    try:
        blocker.execute("LOCK TABLE applications_application IN ACCESS EXCLUSIVE MODE")
        sent = [send_in_background(send) for _ in range(2)]
        in_flight(monitor, blocker.info.backend_pid, sent)
        blocker.commit()
        return [request.wait()[0] for request in sent]
    finally:
        blocker.close()
        monitor.close()


def send_in_background(call) -> SimpleNamespace:
    """Run ``call()`` (a request) in a thread; ``.wait()`` returns its response and when it came."""
    box = SimpleNamespace(response=None, error=None, at=None)

    def run():
        try:
            box.response = call()
        except Exception as error:  # reported by wait()
            box.error = error
        box.at = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def wait():
        thread.join(timeout=WAIT + 5)
        assert not thread.is_alive(), "the request did not come back"
        if box.error:
            raise box.error
        return box.response, box.at

    box.wait = wait
    return box


def assert_clean_503_page(response) -> None:
    assert response.status_code == 503, response.text[-2000:]
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Retry-After"] == "30"
    assert "<h1>Temporarily unavailable</h1>" in response.text
    assert UNAVAILABLE in response.text
    assert "Nothing you sent was saved" in response.text
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text


def assert_clean_503_json(response) -> None:
    assert response.status_code == 503, response.text[-2000:]
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Retry-After"] == "30"
    body = response.json()
    assert list(body) == ["detail"]
    assert body["detail"].startswith(UNAVAILABLE)


def state_of(cluster, application_id: int) -> tuple:
    """(status, reference, audit events, receipt sent) of an application, read straight from the
    private cluster."""
    with cluster.connect() as conn:
        status, reference, receipt = conn.execute(
            """SELECT status, reference, receipt_sent_at IS NOT NULL
               FROM applications_application WHERE id = %s""",
            [application_id],
        ).fetchone()
        events = conn.execute(
            """SELECT verb FROM audit_auditevent e JOIN django_content_type t ON t.id = e.target_type_id
               WHERE t.app_label = 'applications' AND t.model = 'application' AND e.target_id = %s
               ORDER BY e.id""",
            [str(application_id)],
        ).fetchall()
    return status, reference, [verb for (verb,) in events], receipt


def reference_sequences(cluster) -> list[tuple]:
    with cluster.connect() as conn:
        return conn.execute("SELECT program_id, year, last FROM applications_referencesequence").fetchall()


def stop_while_held(cluster, lock_sql: str, params: list, send) -> tuple:
    """Take a lock in another connection, send the request (``send()``) in the background, wait until
    the web's backend waits for that lock inside its transaction, then stop PostgreSQL immediately.
    Returns (the response, seconds from the stop to the response, what the backend was doing)."""
    monitor = cluster.connect(autocommit=True)
    blocker = cluster.connect()
    try:
        blocker.execute(lock_sql, params)
        request = send_in_background(send)
        [backend] = in_flight(monitor, blocker.info.backend_pid, [request])
        stopped = time.monotonic()
        cluster.stop("immediate")
        response, answered = request.wait()
        return response, answered - stopped, backend
    finally:
        blocker.close()  # psycopg closes a connection whose server is gone without complaint
        monitor.close()
