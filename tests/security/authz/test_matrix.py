"""The authorisation matrix, complete by construction: every route the URLconf serves has an entry
(``matrix``), every entry names a route that exists, and every cell (route, method, role) answers
exactly as declared, changes nothing when it is a denial and leaks no canary (``runner``)."""

import dataclasses
import time

import pytest

from applications.models import BudgetLine
from tests.security.authz import stats
from tests.security.authz.matrix import MATRIX, entry_for
from tests.security.authz.matrix_admin import ADMIN_EXCEPTIONS, admin_kwargs
from tests.security.authz.matrix_core import ADMIN_LOGIN, LOGIN, expect, page, refused
from tests.security.authz.roles import ANONYMOUS, OWNER
from tests.security.authz.routes import all_routes
from tests.security.authz.runner import build_url, run_cell, run_route, writes

ROUTES = all_routes()
BY_KEY = {route.key: route for route in ROUTES}


def _id(route) -> str:
    return route.key + (" .json" if route.is_suffix else "")


def test_every_route_has_an_entry_and_every_entry_names_a_route():
    keys = {route.key for route in ROUTES}
    missing = sorted({r.key for r in ROUTES if not r.is_admin and r.key not in MATRIX})
    stale = sorted(set(MATRIX) - keys)
    stale_admin = sorted(set(ADMIN_EXCEPTIONS) - {r.key for r in ROUTES if r.is_admin})
    # Every method a DRF view answers is exercised (OPTIONS and HEAD aside).
    unexercised = sorted(
        f"{r.key}: {sorted(r.allowed_methods() - set(MATRIX[r.key].cells))}"
        for r in ROUTES
        if r.key in MATRIX
        and not r.is_suffix
        and r.allowed_methods()
        and r.allowed_methods() - set(MATRIX[r.key].cells)
    )
    assert (missing, stale, stale_admin, unexercised) == ([], [], [], []), (
        f"routes without an entry: {missing}\nentries without a route: {stale}\n"
        f"admin exceptions without a route: {stale_admin}\nmethods not exercised: {unexercised}"
    )


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_route(route, world):
    entry = entry_for(route)
    if entry is None:
        pytest.fail(f"{route.key} has no entry in the matrix")
    kwargs = admin_kwargs(route, world) if route.is_admin else entry.kwargs(world)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = run_route(world, route, entry, kwargs, suffix=route.is_suffix)
    stats.record(route, outcome.cells, time.perf_counter() - started, time.process_time() - cpu)
    assert not outcome.failures, f"{len(outcome.failures)} of {outcome.cells} cells:\n" + "\n".join(
        outcome.failures
    )


def test_every_canary_reached_someone_allowed_to_read_it(world):
    """The leak checks mean something only if the canaries are in the world's pages: after the whole
    matrix, each one was read at least once by a role allowed to (run alone, this test skips)."""
    if sum(stats.ROUTES.values()) < len(ROUTES):
        pytest.skip("only after every route of the matrix ran in this session")
    assert sorted({c.label for c in world.canaries} - stats.SEEN) == []


# The runner catches what it is there to catch: a wrong status, a body that leaks a canary, a refusal
# that writes, a redirect elsewhere than the sign-in page; and a cell leaves nothing behind.


def _detail(world):
    route = BY_KEY["applications:application_detail"]
    return route, page(), build_url(route, {"pk": world.submitted.pk})


def test_a_wrong_status_and_a_leak_on_a_denial_are_reported(world):
    route, entry, url = _detail(world)

    problems = run_cell(world, route, entry, url, "GET", OWNER, expect(404))

    assert problems[0].startswith(f"GET {url} as owner: expected 404, got 200")
    leaked = problems[1]
    assert leaked.startswith(f"GET {url} as owner (200): leaked [")
    assert "'sub-title'" in leaked
    assert "'sub-team-name'" in leaked


def test_a_canary_the_role_may_never_read_is_reported_whatever_the_status(world):
    route, entry, url = _detail(world)
    hidden = [
        dataclasses.replace(c, seen_by=c.seen_by - {OWNER}) if c.label == "sub-abstract" else c
        for c in world.canaries
    ]
    stricter = dataclasses.replace(world, canaries=hidden)

    assert run_cell(world, route, entry, url, "GET", OWNER, expect(200)) == []
    assert run_cell(stricter, route, entry, url, "GET", OWNER, expect(200)) == [
        f"GET {url} as owner (200): leaked ['sub-abstract']"
    ]


def test_a_refusal_that_writes_is_reported_and_the_cell_leaves_nothing_behind(world):
    route = BY_KEY["applications:section_save"]
    url = build_url(route, {"pk": world.draft.pk, "section": "budget"})
    data = {
        "budget-category": "travel",
        "budget-year": "1",
        "budget-amount": "10",
        "budget-justification": "x",
    }
    entry = page(data={"post": lambda w: data})
    lines = BudgetLine.objects.count()

    problems = run_cell(world, route, entry, url, "POST", OWNER, refused(302))

    assert problems == [
        f"POST {url} as owner (302): wrote ['INSERT applications_budgetline', 'INSERT audit_auditevent']"
    ]
    assert BudgetLine.objects.count() == lines


def test_a_redirect_elsewhere_than_the_expected_sign_in_page_is_reported(world):
    route, entry, url = _detail(world)

    assert run_cell(world, route, entry, url, "GET", ANONYMOUS, LOGIN) == []
    problems = run_cell(world, route, entry, url, "GET", ANONYMOUS, ADMIN_LOGIN)

    assert len(problems) == 1
    assert problems[0].startswith(f"GET {url} as anonymous: expected a redirect to sign in")


def test_bookkeeping_writes_are_not_changes():
    queries = [
        {"sql": 'UPDATE "django_session" SET "session_data" = \'x\' WHERE "session_key" = \'k\''},
        {"sql": 'INSERT INTO "axes_accessattempt" ("username") VALUES (\'a\')'},
        {"sql": 'UPDATE "accounts_user" SET "last_login" = \'2026-01-01 10:00:00\' WHERE "id" = 1'},
        {"sql": 'UPDATE "accounts_user" SET "last_login" = \'2026-01-01 10:00\'::timestamptz WHERE "id" = 1'},
        {"sql": 'UPDATE "accounts_user" SET "full_name" = \'x\' WHERE "accounts_user"."id" = 1'},
        {"sql": 'DELETE FROM "awards_letter" WHERE "id" = 1'},
        {"sql": 'SELECT 1 FROM "awards_letter" FOR UPDATE'},
    ]

    assert writes(queries) == ["UPDATE accounts_user", "DELETE awards_letter"]
