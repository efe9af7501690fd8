import time

import pytest
from django.test import override_settings

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in ("sqlite", "postgresql")
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.fixture
def broker_down(monkeypatch):
    """Point Celery at a closed loopback port for the test, then restore the real broker URL."""
    closed = "redis://127.0.0.1:1/0"
    # Celery reads the CELERY_BROKER_URL environment variable before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", closed)
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = closed
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            yield
    finally:
        celery_app.conf.broker_url = original


def test_broker_down_is_503_quickly(client, broker_down):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["mode"] == "broker"
    assert elapsed < 10, f"the health check took {elapsed:.1f} s"
