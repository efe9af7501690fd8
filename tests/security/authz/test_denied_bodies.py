"""A denial does not depend on the body: every API write cell the matrix declares a denial (401, 403,
404, 405) answers the very same status, and changes nothing, when the body is an empty JSON object or
one whose every field is of the wrong type. Permission is decided before the body is validated, so a
caller who may not act never learns the validation rules of an object they may not touch (a 400 with
field errors instead of the 403 or 404)."""

import dataclasses

import pytest

from tests.security.authz import stats
from tests.security.authz.matrix import MATRIX
from tests.security.authz.routes import all_routes
from tests.security.authz.runner import build_url, run_cell

WRITES = ("POST", "PUT", "PATCH", "DELETE")

# Creations addressed by their body: the object whose permission decides (the call, the application,
# the assignment) is named in the body itself, so with no valid reference there is nothing to decide a
# denial on: the field errors are the answer (about the body's shape only, never about an object the
# caller may not touch). With a valid reference the matrix checks the denial.
ADDRESSED_BY_BODY = "the object that decides the permission is named in the body"
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("application-list", "POST"): f"{ADDRESSED_BY_BODY}: the call (eligibility is per call and PI)",
    ("invitation-list", "POST"): f"{ADDRESSED_BY_BODY}: the call (404 unless the caller knows it)",
    ("conflict-list", "POST"): f"{ADDRESSED_BY_BODY}: the application and the reviewer",
    ("bid-list", "POST"): f"{ADDRESSED_BY_BODY}: the application (404 unless biddable by the caller)",
    ("review-list", "POST"): f"{ADDRESSED_BY_BODY}: the assignment (404 unless the caller's)",
}


def _api_write_routes():
    routes = []
    for route in all_routes():
        entry = MATRIX.get(route.key)
        if not route.is_api or route.is_suffix or entry is None:
            continue
        if any(method in WRITES and _denials(entry, method) for method in entry.cells):
            routes.append(route)
    return routes


def _denials(entry, method) -> dict:
    return {role: want for role, want in entry.cells[method].items() if want.denied}


def _invalid(valid: dict) -> dict:
    """The valid body with every field of the wrong type (a list of a nested object)."""
    return {name: [{"?": "?"}] for name in valid}


BODIES = {
    "empty": lambda entry, method, world: {},
    "invalid": lambda entry, method, world: _invalid(
        entry.data[method](world) if method in entry.data else {}
    ),
}


@pytest.fixture(autouse=True)
def _matrix_stats_untouched():
    """The matrix's canary census counts what its own cells read, not what these ones did."""
    seen = set(stats.SEEN)
    yield
    stats.SEEN.intersection_update(seen)


@pytest.mark.parametrize("body", sorted(BODIES))
@pytest.mark.parametrize("route", _api_write_routes(), ids=lambda route: route.key)
def test_a_denial_is_the_same_whatever_the_body(route, body, world):
    entry = MATRIX[route.key]
    url = build_url(route, entry.kwargs(world))
    problems = []
    for method in (m for m in entry.cells if m in WRITES):
        if (route.key, method) in EXCEPTIONS:
            continue
        make = BODIES[body]
        # The body is built from the world once, then sent to every denied role.
        payload = make(entry, method, world)
        variant = dataclasses.replace(entry, data={**entry.data, method: lambda w, p=payload: p})
        for role, want in _denials(entry, method).items():
            problems += run_cell(world, route, variant, url, method, role, want)
    assert not problems, f"{len(problems)} cells with a {body} body:\n" + "\n".join(problems)


def test_every_exception_names_a_denied_api_write_cell():
    stale = [
        key
        for key in EXCEPTIONS
        if key[0] not in MATRIX or key[1] not in MATRIX[key[0]].cells or not _denials(MATRIX[key[0]], key[1])
    ]
    assert stale == []
