"""The page cache (core.page_cache): a page is served again only to its user and session, and never
after a table it read was written, whatever wrote it: the ORM, a queryset update, raw SQL, a write
committed while the page was rendered, a savepoint rolled back around part of a transaction.

The tests are transactional: the generations move when a transaction commits, as in production."""

import re
import uuid

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import _get_new_csrf_string, _unmask_cipher_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from applications.views import submissions
from core import page_cache
from reviews.models import Assignment
from tests.reviews.factories import ConflictFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """A cache of this test only, and the page cache on (production turns it on with CACHE_URL)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"page-cache-{uuid.uuid4()}",
        }
    }
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_RELEASE = "test"
    page_cache.release.cache_clear()
    yield
    page_cache.release.cache_clear()


def page_url(world) -> str:
    return f"/applications/{world.application.pk}/"


def get(client, url: str):
    response = client.get(url)
    return response, response.get("X-Page-Cache")


def warm(client, url: str):
    """The first page sets the CSRF cookie (not cacheable), the second is stored, the third a hit."""
    assert get(client, url)[1] is None
    assert get(client, url)[1] == "miss"
    response, state = get(client, url)
    assert state == "hit"
    return response


def test_a_hit_replays_the_page_without_running_the_view(world, client_for):
    client = client_for(world.reviewer)
    client.get(page_url(world))
    first, state = get(client, page_url(world))
    assert state == "miss"
    assert world.application.title in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again, state = get(client, page_url(world))
    assert state == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    tables = {table for q in queries.captured_queries for table in page_cache.read_tables(q["sql"])}
    assert tables <= {"django_session", "accounts_user"}  # the middleware's, nothing of the page's


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda app: Application.objects.filter(pk=app.pk).update(title="Renamed study"), id="update"
        ),
        pytest.param(lambda app: setattr(app, "title", "Renamed study") or app.save(), id="save"),
        pytest.param(
            lambda app: connection.cursor().execute(
                "UPDATE applications_application SET title = %s WHERE id = %s", ["Renamed study", app.pk]
            ),
            id="raw-sql",
        ),
    ],
)
def test_any_write_to_a_table_the_page_read_renders_it_again(world, client_for, write):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    write(Application.objects.get(pk=world.application.pk))
    response, state = get(client, page_url(world))
    assert state == "miss"
    assert "Renamed study" in response.content.decode()
    assert get(client, page_url(world))[1] == "hit"


def test_a_write_to_a_table_the_page_did_not_read_keeps_it(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    page_cache.bump({"awards_letter"})  # no table of the application page
    assert get(client, page_url(world))[1] == "hit"


def test_a_conflict_declared_after_the_page_was_cached_hides_it(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    ConflictFactory(application=world.application, reviewer=world.reviewer)
    response, state = get(client, page_url(world))
    assert response.status_code == 404
    assert state is None
    assert world.application.title.encode() not in response.content


def test_an_assignment_withdrawn_after_the_page_was_cached_hides_it(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    Assignment.objects.filter(reviewer=world.reviewer).delete()
    assert client.get(page_url(world)).status_code == 404


def test_pages_are_kept_per_user_and_per_session(world, client_for):
    warm(client_for(world.reviewer), page_url(world))
    staff = client_for(world.staff)
    staff.get(page_url(world))
    assert get(staff, page_url(world))[1] == "miss"  # the same URL, another user: the view runs
    other_session = client_for(world.reviewer)
    other_session.get(page_url(world))
    assert get(other_session, page_url(world))[1] == "miss"


def test_a_denied_user_never_gets_someone_elses_page(world, client_for):
    warm(client_for(world.reviewer), page_url(world))
    for user in (world.conflicted, world.other_reviewer, world.outsider):
        client = client_for(user)
        for _ in range(3):
            response = client.get(page_url(world))
            assert response.status_code == 404, user
            assert world.application.title.encode() not in response.content


def test_what_is_never_cached(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    assert get(client, page_url(world) + "?x=1")[1] == "miss"  # another query: another page
    htmx = client.get(page_url(world), HTTP_HX_REQUEST="true")
    assert "X-Page-Cache" not in htmx
    anonymous = client_for(None).get(page_url(world))
    assert anonymous.status_code == 302
    assert "X-Page-Cache" not in anonymous
    del client.cookies["csrftoken"]
    assert get(client, page_url(world))[1] is None  # a new CSRF secret: its cookie must be sent


def test_a_waiting_message_is_shown_not_a_cached_page(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    # A message queued for the next page, as a view that saved and redirected here leaves it.
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Saved your changes.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    page, state = get(client, page_url(world))
    assert state is None
    assert "Saved your changes." in page.content.decode()
    assert "Saved your changes." not in client.get(page_url(world)).content.decode()  # shown once


def test_a_write_committed_while_the_page_renders_leaves_it_stale(world, client_for, monkeypatch):
    client = client_for(world.reviewer)
    client.get(page_url(world))
    original = submissions.budget_total

    def budget_total_while_someone_writes(application):
        page_cache.bump({"applications_application"})  # committed after the page read its row
        return original(application)

    monkeypatch.setattr(submissions, "budget_total", budget_total_while_someone_writes)
    assert get(client, page_url(world))[1] == "miss"
    monkeypatch.setattr(submissions, "budget_total", original)
    assert get(client, page_url(world))[1] == "miss"  # the entry above was stale at once
    assert get(client, page_url(world))[1] == "hit"


@transaction.atomic
def rename_then_fail(application):
    Application.objects.filter(pk=application.pk).update(title="Never committed")
    raise RuntimeError


def test_a_savepoint_rolled_back_keeps_the_rest_of_the_transaction_visible(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            rename_then_fail(world.application)
        Application.objects.filter(pk=world.application.pk).update(lay_summary="Committed summary.")
    page = client.get(page_url(world)).content.decode()
    assert "Committed summary." in page
    assert "Never committed" not in page


def test_a_rolled_back_write_changes_nothing_and_a_later_one_is_seen(world, client_for):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    with pytest.raises(RuntimeError):
        rename_then_fail(world.application)
    assert world.application.title in client.get(page_url(world)).content.decode()
    Application.objects.filter(pk=world.application.pk).update(title="Committed title")
    assert "Committed title" in client.get(page_url(world)).content.decode()


def test_a_lost_generation_makes_the_page_render_again(world, client_for):
    from django.core.cache import cache

    client = client_for(world.reviewer)
    warm(client, page_url(world))
    cache.delete("pagecache:gen:applications_application")  # evicted, or Redis restarted without it
    assert get(client, page_url(world))[1] == "miss"


def test_another_release_of_the_code_renders_again(world, client_for, settings):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    settings.PAGE_CACHE_RELEASE = "next"
    page_cache.release.cache_clear()
    assert get(client, page_url(world))[1] == "miss"


def test_the_release_digest_covers_the_templates(settings):
    settings.PAGE_CACHE_RELEASE = ""
    page_cache.release.cache_clear()
    digest = page_cache.release()
    assert len(digest) == 16
    assert digest == page_cache.release()


def test_with_the_cache_unreachable_pages_render_and_writes_commit(world, client_for, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = client_for(world.reviewer)
    for _ in range(3):
        response = client.get(page_url(world))
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
    Application.objects.filter(pk=world.application.pk).update(title="Written anyway")
    assert Application.objects.get(pk=world.application.pk).title == "Written anyway"
    assert "could not mark applications_application as changed" in caplog.text


def test_off_without_a_shared_cache(world, client_for, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = client_for(world.reviewer)
    for _ in range(3):
        assert "X-Page-Cache" not in client.get(page_url(world))


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "reviews_review" ("a") VALUES (%s)', {"reviews_review"}),
        ("insert or ignore into reviews_bid (a) values (1)", {"reviews_bid"}),
        ('UPDATE "applications_application" SET "title" = %s', {"applications_application"}),
        ('DELETE FROM "reviews_conflict" WHERE "id" IN (%s)', {"reviews_conflict"}),
        ('TRUNCATE "a_one", "a_two" RESTART IDENTITY CASCADE;', {"a_one", "a_two"}),
        ('SELECT "x"."id" FROM "x" INNER JOIN "y" ON 1', set()),
        ("SAVEPOINT s1", set()),
    ],
)
def test_written_tables(sql, tables):
    assert page_cache.written_tables(sql) == tables


def test_read_tables_include_joins_and_subqueries():
    sql = (
        'SELECT 1 FROM "applications_application" INNER JOIN "accounts_user" ON 1 '
        'WHERE EXISTS (SELECT 1 FROM "reviews_conflict" U0 LEFT OUTER JOIN reviews_assignment ON 1)'
    )
    assert page_cache.read_tables(sql) == {
        "applications_application",
        "accounts_user",
        "reviews_conflict",
        "reviews_assignment",
    }


def test_check_warns_when_the_cache_is_not_shared(settings):
    assert page_cache.check_shared_cache() != []  # this module's LocMemCache
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    }
    assert page_cache.check_shared_cache() == []
    settings.PAGE_CACHE_SECONDS = 0
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert page_cache.check_shared_cache() == []


def test_a_new_csrf_secret_gets_a_page_whose_forms_carry_it(world, client_for):
    """The page's forms carry a token of the CSRF cookie's secret: another secret, another page."""
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response, state = get(client, page_url(world))
    assert state == "miss"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    assert _unmask_cipher_token(token) == secret
