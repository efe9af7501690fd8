"""Faults of the web tier, with real processes (issue #7).

1. PostgreSQL stops while a request is inside its transaction. A private cluster (never the machine's
   shared one) gets a copy of the test database; gunicorn (2 workers, DEBUG off, production's
   CONN_MAX_AGE and CONN_HEALTH_CHECKS) serves it. An applicant's portal submission is held inside its
   transaction by a table lock on the audit trail — the application row is already updated and a
   reference taken — and an API submission waits for a row lock on its application; then
   ``pg_ctl stop -m immediate``. Both clients get a clean 503 (our page, or JSON with ``detail``, with
   Retry-After), as do plain pages, unknown URLs, the API and /healthz while the database is down.
   After a restart nothing is half-written (drafts, no reference taken, no audit event) and the same
   requests succeed without restarting the web process.
2. The web process is killed (kill -9, master and workers) while a reviewer types in the workspace
   (Chromium): the page says the draft is not saved yet and keeps the text; after a restart on the same
   port the pending text is saved without the reviewer doing anything (retry with backoff in
   granted.js); after a reload every character is there and the version went up by exactly one.
"""

import json
import os
import secrets
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from applications.eligibility import submission_problems
from applications.models import Call
from reviews.models import Review
from reviews.services.reviewing import save_review_draft
from tests.applications.factories import ApplicantFactory, complete_draft
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import browser_type_launch_args as browser_type_launch_args  # a fixture
from tests.browser.helpers import sign_in
from tests.factories import PASSWORD, CallFactory
from tests.integration.conftest import worker_database_url
from tests.integration.faults_web_checks import (
    WAIT,
    assert_clean_503_json,
    assert_clean_503_page,
    both_workers_answer,
    reference_sequences,
    state_of,
    stop_while_held,
)
from tests.integration.faults_web_servers import (
    ROOT,
    PrivatePostgres,
    WebServer,
    csrf_token,
    log_in,
    tail,
    web_environment,
)
from tests.reviews.factories import (
    AssignmentFactory,
    ReviewPhaseFactory,
    SubmittedApplicationFactory,
    accepted_reviewer,
    workspace_form,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the web fault tests stop and restart PostgreSQL: DATABASE_URL must name PostgreSQL",
    ),
]

ARTIFACTS = ROOT / "artifacts"
WEB_APPLICATION_NAME = "granted-faults-web"


def report(name: str, figures: dict) -> None:
    """The measured figures (seconds): printed (pytest -s) and kept in artifacts/<name>.json."""
    rounded = {key: round(value, 2) for key, value in figures.items()}
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(rounded, indent=2) + "\n")
    print(f"{name}: {rounded}")


def with_real_password(user) -> None:
    """The web process has production's hashers (the tests use MD5): a PBKDF2 hash with few iterations,
    which the server re-hashes with its own count at the first sign-in."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "faultsweb", iterations=1000)
    user.save(update_fields=["password"])


@pytest.fixture
def work_dir(tmp_path) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return tmp_path


@pytest.fixture
def private_postgres():
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def start_web(work_dir):
    """``start_web(database_url, name, workers=2, port=None, **env)``: a gunicorn up and answering,
    always with the same secret key; every server started is stopped at the end, whatever happened."""
    started: list[WebServer] = []
    secret_key = secrets.token_urlsafe(50)

    def start(database_url: str, name: str, *, workers: int = 2, port: int | None = None, **env) -> WebServer:
        log = ARTIFACTS / f"faults-web-{name}.log"
        if not started or started[-1].log != log:
            log.write_bytes(b"")
        environment = web_environment(database_url, work_dir, secret_key, **env)
        server = WebServer(environment, log, workers=workers, port=port)
        started.append(server)
        server.start()
        server.up_after = server.wait_until_up()
        return server

    yield start
    for server in started:
        server.stop()
    if any(server.env["DATABASE_URL"] == web_database_url() for server in started):
        wait_for_web_sessions_to_end()


def web_database_url() -> str:
    """pytest-django's test database, the web server's sessions named to be told apart."""
    return f"{worker_database_url()}?application_name={WEB_APPLICATION_NAME}"


def wait_for_web_sessions_to_end(timeout: float = 10) -> None:
    """The backends of a stopped server end a moment after it: wait, or pytest-django cannot drop the
    test database at the end of the run ("being accessed by other users")."""
    deadline = time.monotonic() + timeout
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(query, [WEB_APPLICATION_NAME])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    raise AssertionError(f"the web server's database sessions outlived it by {timeout} s")


def test_postgres_stopped_during_submissions_answers_503_and_leaves_nothing_half_written(
    transactional_db, settings, work_dir, private_postgres, start_web
):
    settings.MEDIA_ROOT = work_dir / "storage"
    figures: dict = {}
    applicant = ApplicantFactory(full_name="Ada Applicant", email="ada.faults@example.org")
    with_real_password(applicant)
    call = CallFactory(program__code="PGF")
    portal_draft = complete_draft(call=call, pi=applicant, title="Myelin repair in the portal")
    # One application per applicant and call; both calls number their references in one sequence.
    api_draft = complete_draft(
        call=CallFactory(program=call.program), pi=applicant, title="Myelin repair through the API"
    )
    token = Token.objects.create(user=applicant).key
    for draft in (portal_draft, api_draft):
        assert submission_problems(draft, now=timezone.now()) == []

    started = time.monotonic()
    private_postgres.restore_from(worker_database_url())
    figures["copy_test_database"] = time.monotonic() - started
    web = start_web(private_postgres.url, "postgres-stop", workers=2)
    figures["web_up"] = web.up_after
    api = {"Authorization": f"Token {token}", "Accept": "application/json"}
    api_submit = f"{web.url}/api/v1/applications/{api_draft.pk}/submit/"

    portal = requests.Session()
    log_in(portal, web.url, applicant.email, PASSWORD)
    edit = portal.get(f"{web.url}/applications/{portal_draft.pk}/edit/", timeout=WAIT)
    assert edit.status_code == 200
    submit_url = f"{web.url}/applications/{portal_draft.pk}/submit/"
    form, referer = {"csrfmiddlewaretoken": csrf_token(edit.text)}, {"Referer": edit.url}

    def submit_in_portal():
        return portal.post(submit_url, data=form, headers=referer, allow_redirects=False, timeout=WAIT)

    sequences_before = reference_sequences(private_postgres)
    # The other worker keeps a connection open (CONN_MAX_AGE) through the stop: CONN_HEALTH_CHECKS
    # must notice it is dead afterwards.
    assert requests.get(f"{web.url}/healthz", timeout=WAIT).status_code == 200

    # a. The portal submission, held inside its transaction: it has updated the application and taken
    #    a reference, and waits to write its audit event when PostgreSQL stops.
    lock_audit = "LOCK TABLE audit_auditevent IN EXCLUSIVE MODE"
    response, figures["portal_time_to_503"], backend = stop_while_held(
        private_postgres, lock_audit, [], submit_in_portal
    )
    assert backend["waits_for"] == "Lock"
    assert backend["has_written"] is True
    assert backend["updated_application"] is True
    assert_clean_503_page(response)

    # b. While PostgreSQL is down every kind of request gets the clean 503, quickly: pages (signed in,
    #    anonymous, unknown), the form post, the API (known and unknown endpoints) and /healthz.
    down = time.monotonic()
    for path in (f"/applications/{portal_draft.pk}/", "/applications/", "/no-such-page/"):
        assert_clean_503_page(portal.get(web.url + path, timeout=WAIT))
    assert_clean_503_page(requests.get(f"{web.url}/calls/", timeout=WAIT))
    assert_clean_503_page(submit_in_portal())
    assert_clean_503_json(
        requests.get(f"{web.url}/api/v1/applications/{api_draft.pk}/", headers=api, timeout=WAIT)
    )
    # An address no route matches needs no database (the token is only read by an API view).
    unknown = requests.get(f"{web.url}/api/v1/no-such-endpoint/", headers=api, timeout=WAIT)
    assert (unknown.status_code, list(unknown.json())) == (404, ["detail"])
    assert_clean_503_json(requests.post(api_submit, headers=api, timeout=WAIT))
    health = requests.get(f"{web.url}/healthz", timeout=WAIT)
    assert health.status_code == 503
    assert health.json()["database"] == {"ok": False, "error": "OperationalError"}
    figures["9_requests_while_down"] = time.monotonic() - down

    # c. PostgreSQL back: the submission left nothing behind, and the same request succeeds without
    #    restarting the web process.
    restarted = time.monotonic()
    private_postgres.start()
    figures["pg_restart"] = time.monotonic() - restarted
    assert state_of(private_postgres, portal_draft.pk) == ("draft", "", [], False)
    assert reference_sequences(private_postgres) == sequences_before
    health = requests.get(f"{web.url}/healthz", timeout=WAIT)
    figures["first_200_after_restart"] = time.monotonic() - restarted
    assert health.status_code == 200, health.text

    # Both workers now hold a connection (CONN_MAX_AGE); PostgreSQL restarts between two requests
    # (an upgrade, a fail-over): each worker notices its connection is dead before using it
    # (CONN_HEALTH_CHECKS) and opens a new one, so no request fails.
    def my_applications():
        return portal.get(f"{web.url}/applications/", timeout=WAIT)

    assert [r.status_code for r in both_workers_answer(private_postgres, my_applications)] == [200, 200]
    private_postgres.stop("fast")
    private_postgres.start()
    assert [r.status_code for r in both_workers_answer(private_postgres, my_applications)] == [200, 200]

    again = submit_in_portal()
    assert again.status_code == 302, again.text[-2000:]
    status, reference, events, receipt = state_of(private_postgres, portal_draft.pk)
    assert (status, events, receipt) == ("submitted", ["application.submitted"], True)
    assert reference.startswith("PGF-")
    assert reference.endswith("-0001")  # no number was used up by the lost attempt

    # d. The API submission waits for a row lock on its application when PostgreSQL stops.
    lock_row = "SELECT id FROM applications_application WHERE id = %s FOR UPDATE"
    response, figures["api_time_to_503"], backend = stop_while_held(
        private_postgres,
        lock_row,
        [api_draft.pk],
        lambda: requests.post(api_submit, headers=api, timeout=WAIT),
    )
    assert backend["waits_for"] == "Lock"
    assert_clean_503_json(response)
    private_postgres.start()
    assert state_of(private_postgres, api_draft.pk) == ("draft", "", [], False)
    again = requests.post(api_submit, headers=api, timeout=WAIT)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "submitted"
    status, reference, events, receipt = state_of(private_postgres, api_draft.pk)
    assert (status, events, receipt) == ("submitted", ["application.submitted"], True)
    assert reference.endswith("-0002")

    log = tail(web.log, 200_000)
    assert "Internal Server Error" not in log, log[-4000:]
    assert "Traceback" not in log, log[-4000:]
    report("faults-web-postgres-stop", figures)


# 2. The web process restarted while a reviewer types ---------------------------------------------

FIRST = "A clear mechanism."
WHILE_UP = " The pilot data are convincing."
WHILE_DOWN = " Typed while the server was down:"
STILL_DOWN = " nothing of this may be lost."
NOT_SAVED = "Not saved yet: the server cannot be reached."
NOT_SENT = "Not sent: the server cannot be reached."


@pytest.fixture
def reviewer_with_a_draft(transactional_db, settings, work_dir):
    """A reviewer with a published assignment in an open review phase and a saved draft (version 1)."""
    settings.MEDIA_ROOT = work_dir / "storage"
    call = CallFactory(status=Call.Status.CLOSED, title="Progressive MS Challenge")
    workspace_form(call)
    ReviewPhaseFactory(call=call)
    application = SubmittedApplicationFactory(call=call, title="Remyelination in progressive MS")
    reviewer = accepted_reviewer(call, name="Rita Reviewer")
    with_real_password(reviewer)
    assignment = AssignmentFactory(application=application, reviewer=reviewer)
    review = save_review_draft(assignment=assignment, by=reviewer, scores={}, strengths=FIRST)
    return SimpleNamespace(reviewer=reviewer, assignment=assignment, version=review.version)


def stored(assignment) -> tuple[int, str]:
    review = Review.objects.get(assignment=assignment)
    return review.version, review.strengths


def wait_until_stored(assignment, strengths: str, timeout: float = 10) -> int:
    """The version of the review once it holds ``strengths``."""
    deadline = time.monotonic() + timeout
    while (current := stored(assignment))[1] != strengths and time.monotonic() < deadline:
        time.sleep(0.1)
    assert current[1] == strengths
    return current[0]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium")
def test_web_restarted_while_a_reviewer_types_loses_nothing(page, reviewer_with_a_draft, start_web):
    world = reviewer_with_a_draft
    figures: dict = {}
    # CONN_MAX_AGE=0 as for the Celery worker: no connection of the server outlives its request.
    web = start_web(web_database_url(), "web-restart", workers=2, CONN_MAX_AGE="0")
    figures["web_up"] = web.up_after
    answers: list[int] = []  # the status of every autosave the server answered
    page.on("response", lambda r: answers.append(r.status) if r.url.endswith("/save/") else None)
    dialogs: list[str] = []

    sign_in(page, SimpleNamespace(url=web.url), world.reviewer.email)
    page.goto(f"{web.url}/review/assignments/{world.assignment.pk}/")
    strengths = page.get_by_label("Strengths")
    status = page.locator("#review-save-status")
    expect(strengths).to_have_value(FIRST)

    # Typing while the server is up: saved ("Saved at …"); the page holds the version saved last
    # (a slow machine may have saved twice while the keys were pressed).
    strengths.press("End")
    strengths.press_sequentially(WHILE_UP, delay=20)
    expect(status).to_contain_text("Saved at", timeout=10_000)
    saved = wait_until_stored(world.assignment, FIRST + WHILE_UP)
    assert saved > world.version
    expect(page.locator("#review-version")).to_have_value(str(saved))
    answered_before_kill = len(answers)

    # kill -9 of gunicorn (master and workers); the reviewer keeps typing.
    web.kill()
    killed = time.monotonic()
    strengths.press_sequentially(WHILE_DOWN, delay=20)
    expect(status).to_contain_text(NOT_SAVED, timeout=10_000)
    figures["not_saved_shown_after_kill"] = time.monotonic() - killed
    strengths.press_sequentially(STILL_DOWN, delay=20)
    typed = FIRST + WHILE_UP + WHILE_DOWN + STILL_DOWN
    expect(strengths).to_have_value(typed)
    expect(status).to_contain_text(NOT_SAVED)

    # Leaving the page now asks first (beforeunload); the reviewer stays.
    with page.expect_event("dialog", timeout=10_000) as asked:
        page.close(run_before_unload=True)
    dialogs.append(asked.value.type)
    asked.value.dismiss()
    expect(strengths).to_have_value(typed)
    # "Save draft" now would leave the page for the browser's error page: the page stays and says so.
    page.get_by_role("button", name="Save draft").click()
    expect(status).to_contain_text(NOT_SENT)
    expect(strengths).to_have_value(typed)
    assert stored(world.assignment) == (saved, FIRST + WHILE_UP)

    # The web process comes back on the same port: the page saves by itself (retry with backoff).
    restarted = start_web(web_database_url(), "web-restart", workers=2, port=web.port, CONN_MAX_AGE="0")
    figures["web_down"] = time.monotonic() - killed
    figures["web_restart_up"] = restarted.up_after
    up = time.monotonic()
    expect(status).to_contain_text("Saved at", timeout=30_000)
    figures["saved_after_web_up"] = time.monotonic() - up
    assert stored(world.assignment) == (saved + 1, typed)  # one save, of everything typed meanwhile
    expect(page.locator("#review-version")).to_have_value(str(saved + 1))

    # A reload (nothing unsaved: no question) shows every character; no save was refused (409).
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.reload()
    expect(page.get_by_label("Strengths")).to_have_value(typed)
    assert dialogs == ["beforeunload"]
    assert set(answers) == {200}, answers  # never "changed elsewhere" (409)
    assert len(answers) == answered_before_kill + 1, answers
    report("faults-web-restart", figures)
