"""Fixtures of the review tests: ``world``, the small review world of ``review_world``."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from tests.reviews.review_world import review_media_root, world  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def review_demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """``manage.py demo`` (with its review world) built once for the module, as the applications
    tests' ``demo_world`` does: files under a temporary MEDIA_ROOT, a fast password hasher, inside a
    transaction rolled back at the end; yields what the first run printed."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("review-demo-media")
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
def review_demo(review_demo_world, db) -> str:
    """The demo world, each test in its own savepoint; the value is the demo's printed output."""
    return review_demo_world
