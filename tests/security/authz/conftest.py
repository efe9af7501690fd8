"""The matrix's world, built once for the module (a minute's worth of cells share it) inside a
transaction that is rolled back at the end, as the root conftest builds ``demo_world``; each test
runs in its own savepoint (``db``) and each cell in one more, rolled back."""

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from tests.security.authz.world import World, build_world, sign_in_all

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def authz_world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    media = tmp_path_factory.mktemp("authz-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            sign_in_all(world, Client)
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(authz_world, db) -> World:
    """The world, the test in its own savepoint."""
    return authz_world


def pytest_terminal_summary(terminalreporter):
    from tests.security.authz import stats

    line = stats.summary()
    if line:
        terminalreporter.write_line(line)
