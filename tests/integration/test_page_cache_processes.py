"""The page cache across processes (core.page_cache): a write committed by another process (here a
``manage.py shell``, as the Celery worker or a management command would write) reaches the page the web
process has cached, through the shared Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from core import page_cache
from tests.integration.conftest import worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_cache(settings):
    """Redis as production uses it, under a key prefix of this test only (deleted afterwards)."""
    url = os.environ.get("REDIS_URL") or os.environ["CELERY_BROKER_URL"]
    prefix = f"granted-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_RELEASE = "test"
    settings.PAGE_CACHE_HEADER = True
    page_cache.release.cache_clear()
    yield {"CACHE_URL": url, "CACHE_KEY_PREFIX": prefix}
    page_cache.release.cache_clear()
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def write_in_another_process(code: str, cache_env: dict[str, str]) -> None:
    env = {
        **os.environ,
        **cache_env,
        "DATABASE_URL": worker_database_url(),
        "TESTING": "1",
        "DEBUG": "1",
        "CONN_MAX_AGE": "0",
    }
    env.pop("PAGE_CACHE_SECONDS", None)  # on, as CACHE_URL turns it on in production
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=120
    )


def test_a_write_committed_by_another_process_reaches_the_cached_page(world, client_for, shared_cache):
    url = f"/applications/{world.application.pk}/"
    client = client_for(world.reviewer)
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    write_in_another_process(
        "from applications.models import Application; "
        f"Application.objects.filter(pk={world.application.pk}).update(title='Renamed elsewhere')",
        shared_cache,
    )
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Renamed elsewhere" in response.content.decode()


def test_a_conflict_declared_in_another_process_hides_the_cached_page(world, client_for, shared_cache):
    url = f"/applications/{world.application.pk}/"
    client = client_for(world.reviewer)
    for _ in range(3):
        client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    write_in_another_process(
        "from accounts.models import User; from applications.models import Application; "
        "from reviews.services.pool import declare_conflict; "
        f"declare_conflict(application=Application.objects.get(pk={world.application.pk}), "
        f"by=User.objects.get(pk={world.reviewer.pk}), reason='My former student')",
        shared_cache,
    )
    assert client.get(url).status_code == 404
