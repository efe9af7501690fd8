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
    settings.PAGE_CACHE_HEADER = True
    page_cache.release.cache_clear()
    page_cache._broken_until = 0.0
    yield
    page_cache.release.cache_clear()
    page_cache._broken_until = 0.0


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
    # The middleware's (session, user) and the guard's (the user's conflicts), nothing of the page's.
    assert tables == {"django_session", "accounts_user", "reviews_conflict"}


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
        pytest.param(  # a statement naming no one table: counts as a write to every table
            lambda app: connection.cursor().execute(
                "WITH renamed AS (SELECT %s AS title) UPDATE applications_application "
                "SET title = (SELECT title FROM renamed) WHERE id = %s",
                ["Renamed study", app.pk],
            ),
            id="raw-sql-with-a-cte",
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
    # After a failure the process leaves the cache alone for a while: no timeout on every request.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_cache, "_cache", lambda: pytest.fail("the cache was used"))
        assert client.get(page_url(world)).status_code == 200
        Application.objects.filter(pk=world.application.pk).update(title="Written again")


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
        ('TRUNCATE "a_one", "a_two" RESTART IDENTITY CASCADE;', {page_cache.ANY_TABLE}),
        ('/* traced */ -- a note\n UPDATE "reviews_review" SET "a" = 1', {"reviews_review"}),
        ('UPDATE "public"."reviews_review" SET "a" = 1', {"reviews_review"}),
        ("WITH moved AS (DELETE FROM reviews_bid RETURNING *) SELECT 1", {page_cache.ANY_TABLE}),
        ('ALTER TABLE "reviews_review" ADD COLUMN "x" int', {page_cache.ANY_TABLE}),
        ('SELECT "x"."id" FROM "x" INNER JOIN "y" ON 1', set()),
        ("SAVEPOINT s1", set()),
        ("RELEASE SAVEPOINT s1", set()),
        (b"UPDATE x SET y = 1", {page_cache.ANY_TABLE}),
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


def test_a_failed_bump_names_every_table_it_could_not_mark(monkeypatch, caplog):
    def refuse(key):
        raise ConnectionError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr(page_cache, "_increment", refuse)
    page_cache.bump({"reviews_conflict", "reviews_assignment"})
    assert "could not mark reviews_assignment, reviews_conflict as changed" in caplog.text


@pytest.fixture
def bumps_lost(monkeypatch):
    """Redis refuses the writes of generations (full, a read-only replica) while reads still work."""
    monkeypatch.setattr(page_cache, "bump", lambda tables: None)


def test_a_conflict_hides_the_page_even_when_the_cache_missed_the_change(world, client_for, bumps_lost):
    client = client_for(world.reviewer)
    warm(client, page_url(world))
    ConflictFactory(application=world.application, reviewer=world.reviewer)
    response = client.get(page_url(world))
    assert response.status_code == 404
    assert world.application.title.encode() not in response.content
    listed = client.get("/review/assignments/").content.decode()
    assert world.application.title not in listed


def test_the_assignment_list_is_cached_and_drops_an_application_in_conflict(world, client_for, bumps_lost):
    client = client_for(world.reviewer)
    page = warm(client, "/review/assignments/")
    assert world.application.title in page.content.decode()
    ConflictFactory(application=world.application, reviewer=world.reviewer)
    response, state = get(client, "/review/assignments/")
    assert state != "hit"  # the guard's answer changed: the view ran again
    assert world.application.title not in response.content.decode()


def ranking_url(world) -> str:
    return f"/review/calls/{world.call.slug}/ranking/"


def test_the_ranking_is_cached_and_closed_to_a_chair_who_left(world, client_for):
    from applications.models import CommitteeMembership

    client = client_for(world.chair)
    warm(client, ranking_url(world))
    CommitteeMembership.objects.filter(user=world.chair).delete()
    response = client.get(ranking_url(world))
    assert response.status_code in (403, 404)
    assert world.application.title.encode() not in response.content


def test_a_conflict_of_the_chair_takes_the_application_off_the_cached_ranking(world, client_for, bumps_lost):
    client = client_for(world.chair)
    page = warm(client, ranking_url(world))
    assert world.application.title in page.content.decode()
    ConflictFactory(application=world.application, reviewer=world.chair)
    response, state = get(client, ranking_url(world))
    assert state != "hit"
    assert world.application.title not in response.content.decode()


def test_a_triage_change_renders_the_ranking_again(world, client_for):
    from reviews.models import TriageOverride

    client = client_for(world.chair)
    warm(client, ranking_url(world))
    TriageOverride.objects.create(
        application=world.application, discuss=True, reason="Discuss it", set_by=world.chair, call=world.call
    )
    assert get(client, ranking_url(world))[1] == "miss"


def test_a_refused_query_and_head_requests_are_not_cached(world, client_for):
    client = client_for(world.chair)
    client.get(ranking_url(world))
    for _ in range(2):
        refused = client.get(ranking_url(world) + "?sort=nonsense")
        assert refused.status_code == 400
        assert "X-Page-Cache" not in refused
    assert get(client, ranking_url(world))[1] == "miss"
    assert get(client, ranking_url(world))[1] == "hit"
    assert "X-Page-Cache" not in client.head(ranking_url(world))


def test_without_the_header_pages_are_still_served_from_the_cache(world, client_for, settings):
    settings.PAGE_CACHE_HEADER = False
    client = client_for(world.reviewer)
    for _ in range(2):
        client.get(page_url(world))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(world))
    assert "X-Page-Cache" not in response
    assert world.application.title in response.content.decode()
    tables = {table for q in queries.captured_queries for table in page_cache.read_tables(q["sql"])}
    assert "applications_budgetline" not in tables  # the view did not run, only its access check


def test_the_release_digest_follows_the_templates(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>one</p>")
    settings.BASE_DIR = tmp_path
    settings.PAGE_CACHE_RELEASE = ""
    page_cache.release.cache_clear()
    first = page_cache.release()
    page_cache.release.cache_clear()
    assert page_cache.release() == first
    template.write_text("<p>two</p>")
    page_cache.release.cache_clear()
    assert page_cache.release() != first


def test_the_guard_finds_the_same_conflicts_as_the_orm(world):
    """``conflicts_in_force`` is written in SQL for speed: it must mean ``active_conflicts()``."""
    from reviews.selectors import active_conflicts, conflicts_in_force

    ConflictFactory(application=world.other, reviewer=world.conflicted)
    ConflictFactory(application=world.other, reviewer=world.reviewer, lifted=True)
    ConflictFactory(application=world.application, reviewer=world.reviewer)
    for user in (world.conflicted, world.reviewer, world.chair):
        orm = active_conflicts().filter(reviewer=user).order_by("pk").values_list("pk", flat=True)
        assert conflicts_in_force(user) == tuple(orm)
    assert len(conflicts_in_force(world.conflicted)) == 2
    assert len(conflicts_in_force(world.reviewer)) == 1
