from datetime import UTC, datetime

import pytest
from django.db import OperationalError

from applications.models import Call
from core.middleware import UNAVAILABLE
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/calls/"])
def test_home_and_call_list_show_open_calls_only(client, url, call):
    CallFactory(title="Secret draft", slug="secret-draft", status=Call.Status.DRAFT)
    CallFactory(title="Finished call", slug="finished", status=Call.Status.CLOSED)

    response = client.get(url)

    assert response.status_code == 200
    assert [c.slug for c in response.context["calls"]] == ["ocean-health"]
    html = response.content.decode()
    assert "Ocean Health Challenge" in html
    assert 'href="/calls/ocean-health/"' in html
    assert "Secret draft" not in html
    assert "Finished call" not in html


def test_call_list_without_open_calls_says_so(client):
    response = client.get("/calls/")

    assert response.status_code == 200
    assert "No call is open for applications at the moment." in response.content.decode()


def test_a_call_page_shows_its_details(client, call):
    response = client.get("/calls/ocean-health/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ocean Health Challenge</h1>" in html
    assert call.description in html
    assert f"{call.closes_local:%-d %B %Y, %H:%M}" in html
    assert "Manage" not in html


@pytest.mark.parametrize("url", ["/", "/calls/", "/calls/ocean-health/"])
def test_times_are_shown_in_the_calls_time_zone(client, url):
    CallFactory(
        slug="ocean-health",
        timezone="Asia/Tokyo",
        opens_at=datetime(2020, 1, 1, 0, 0, tzinfo=UTC),
        closes_at=datetime(2099, 6, 30, 15, 0, tzinfo=UTC),
    )

    html = client.get(url).content.decode()

    assert "1 July 2099, 00:00" in html  # 15:00 UTC is midnight in Tokyo
    assert "30 June 2099" not in html


def test_a_draft_call_page_is_hidden_from_the_public_but_not_from_staff(client, client_for, staff, user):
    CallFactory(title="Secret draft", slug="secret-draft", status=Call.Status.DRAFT)

    assert client.get("/calls/secret-draft/").status_code == 404
    assert client_for(user).get("/calls/secret-draft/").status_code == 404
    response = client_for(staff).get("/calls/secret-draft/")
    assert response.status_code == 200
    assert "Open for submissions" in response.content.decode()


def test_a_chair_sees_their_closed_call(client_for, call, chair):
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)

    response = client_for(chair).get("/calls/ocean-health/")

    assert response.status_code == 200
    assert [t.target for t in response.context["transitions"]] == ["in_review"]


def _database_down(*args, **kwargs):
    raise OperationalError("connection refused")


def test_a_database_outage_gives_a_503_page(client, monkeypatch):
    monkeypatch.setattr("core.views.open_calls", _database_down)

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Temporarily unavailable</h1>" in html
    assert UNAVAILABLE in html


def test_a_database_outage_gives_503_json_on_the_api(api_client, monkeypatch):
    monkeypatch.setattr("applications.api.calls_visible_to", _database_down)

    response = api_client.get("/api/v1/calls/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": UNAVAILABLE}


def test_other_errors_are_not_turned_into_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("core.views.open_calls", broken)

    with pytest.raises(RuntimeError):
        client.get("/")
