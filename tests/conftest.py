"""Shared fixtures for the test suite.

Run with ``TESTING=1 DEBUG=1 .venv/bin/python -m pytest``. Markers: ``integration`` tests need
CELERY_BROKER_URL (and start a real Celery worker); ``browser`` tests need Debian's Chromium at
/usr/bin/chromium. Both are skipped with a reason when their service is missing.
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse DB access.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from rest_framework.test import APIClient

from applications.models import CommitteeMembership
from tests.factories import CallFactory, CommitteeMembershipFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(full_name="Ada Applicant", email="ada@example.org")


@pytest.fixture
def staff(db):
    return UserFactory(full_name="Olga Officer", email="officer@example.org", is_staff=True)


@pytest.fixture
def call(db):
    """An open call, accepting applications now."""
    return CallFactory(title="Ocean Health Challenge", slug="ocean-health")


@pytest.fixture
def chair(call):
    """The chair of ``call``'s committee (not staff)."""
    return CommitteeMembershipFactory(
        call=call, role=CommitteeMembership.Role.CHAIR, user__full_name="Carla Chair"
    ).user


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(db):
    """``client_for(user)`` gives a Django test client signed in as ``user`` (anonymous for None)."""

    def make(user=None, *, api: bool = False):
        client = APIClient() if api else Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def pytest_configure(config):
    # WhiteNoise warns when STATIC_ROOT was never collected; tests serve static files from finders.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is not under test; MD5 keeps factories quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _seeded_rows_back_after_a_flush(request, django_db_blocker):
    """A transactional test (a live server, threads, a real worker) ends by emptying every table, the
    focus areas the migrations seed included; put them back for the tests that follow. Autouse and
    without dependencies, this fixture is torn down after the flush."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    if transactional or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(
        request.fixturenames
    ):
        from applications.focus_areas import ensure_alliance_focus_areas

        with django_db_blocker.unblock():
            ensure_alliance_focus_areas()
            # No connection left open by this fixture: pytest drops the test database at the end.
            connection.close()


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Outside the integration tests, tasks run in the test process whatever broker the environment
    names, so their effects (e-mails, rows) can be asserted; integration tests use the real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def pytest_sessionstart(session):
    """With GRANTED_REQUIRE_SERVICES=1 (the PostgreSQL step of .ci/run) a missing broker or browser is
    an error, not a silent skip that would let the run pass without those tests."""
    if os.environ.get("GRANTED_REQUIRE_SERVICES") != "1":
        return
    missing = []
    if not os.environ.get("CELERY_BROKER_URL"):
        missing.append("CELERY_BROKER_URL is not set (integration tests need a broker)")
    if not os.path.exists("/usr/bin/chromium"):
        missing.append("/usr/bin/chromium is missing (browser tests need it)")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL does not name PostgreSQL")
    if missing:
        raise pytest.UsageError("GRANTED_REQUIRE_SERVICES=1 but " + "; ".join(missing))


def pytest_collection_modifyitems(session, config, items):
    """The tests on the demo world run last, one after another, so that the world (a minute to build)
    is built once per run: its transaction stays open from the first of them to the end."""
    items[:] = [item for item in items if "demo" not in getattr(item, "fixturenames", ())] + [
        item for item in items if "demo" in getattr(item, "fixturenames", ())
    ]


@pytest.fixture(scope="session")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """``manage.py demo`` built once for the run (files under a temporary MEDIA_ROOT, a fast password
    hasher) inside a transaction rolled back at the end; yields what the first run printed. Only the
    tests that use it run inside that transaction: they are ordered last (see above)."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("demo-media")
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_world, db) -> str:
    """The demo world, each test in its own savepoint; the value is the demo's printed output."""
    return demo_world
