"""The cell runner: one request per (route, method, role), each in a savepoint rolled back afterwards,
checked against the matrix: the exact status; on a denial (or any 4xx, or any GET) no write outside the
session and sign-in bookkeeping; on a denial no canary in the body or the Location header; and on every
answer, no canary the role may never read (``Canary.seen_by``)."""

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.security.authz import stats
from tests.security.authz.matrix_core import Entry, Expect
from tests.security.authz.routes import Route

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
# Bookkeeping a request may write whatever it is allowed: the session, sign-in throttling (django-axes)
# and the time of the last sign-in (and nothing else of the user).
BOOKKEEPING = re.compile(r"^(django_session|axes_\w+)$")
LAST_LOGIN = re.compile(
    r'^\s*UPDATE\s+"?accounts_user"?\s+SET\s+"?last_login"?\s*=\s*(\'[^\']*\'|[^,\s]+)(::\w+)?\s+WHERE', re.I
)


@dataclass
class Outcome:
    cells: int = 0
    failures: list[str] = field(default_factory=list)


def build_url(route: Route, kwargs: dict, *, suffix: bool = False) -> str:
    if route.name:
        if suffix:
            kwargs = {**kwargs, "format": "json"}
        return reverse(route.name, kwargs=kwargs)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route.pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def writes(queries) -> list[str]:
    """The INSERT, UPDATE and DELETE statements of ``queries`` that are not bookkeeping."""
    found = []
    for query in queries:
        sql = query["sql"]
        match = WRITE.match(sql)
        if match is None or BOOKKEEPING.match(match.group(2)) or LAST_LOGIN.match(sql):
            continue
        found.append(f"{match.group(1).split()[0].upper()} {match.group(2)}")
    return found


def client_for(world, role: str, *, api: bool) -> Client:
    """A fresh client: the role's token for the API, its session cookie for the portal."""
    if api and role in world.tokens:
        return Client(headers={"authorization": f"Token {world.tokens[role]}"})
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _send(client: Client, method: str, url: str, entry: Entry, data: dict | None):
    if method == "GET":
        return client.get(url + (f"?{entry.query}" if entry.query else ""))
    if entry.multipart or not entry.api:
        if method == "POST":
            return client.post(url, data or {})
        return client.generic(method, url)
    body = json.dumps(data) if data is not None else ""
    return client.generic(method, url, body, content_type="application/json")


def _body(response) -> str:
    # Reading a streamed body to its end closes it (the test client's wrapper keeps the database
    # connection open); never call close() again: that would close the test's connection.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _leaks(world, text: str, role: str, *, denied: bool) -> list[str]:
    found = [c for c in world.canaries if c.value in text]
    stats.seen(c.label for c in found if role in c.seen_by)
    return [c.label for c in found if denied or role not in c.seen_by]


def run_cell(world, route: Route, entry: Entry, url: str, method: str, role: str, want: Expect) -> list[str]:
    """Run one cell; the problems found, each naming the cell."""
    cell = f"{method} {url} as {role}"
    payload = entry.data.get(method)
    data = payload(world) if payload else None
    client = client_for(world, role, api=entry.api)
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                response = _send(client, method, url, entry, data)
                text = _body(response)
                transaction.set_rollback(True)
        except Exception as error:  # the view raised: a 500 for the user
            return [f"{cell}: expected {want}, raised {type(error).__name__}: {error}"]
    problems = []
    location = response.get("Location", "")
    status = response.status_code
    if status != want.status:
        detail = f" → {location}" if location else f": {' '.join(text[:160].split())}"
        problems.append(f"{cell}: expected {want}, got {status}{detail}")
    elif want.login and not location.startswith(reverse(want.login)):
        problems.append(f"{cell}: expected a redirect to sign in, got → {location}")
    if want.denied or status >= 400 or method == "GET":
        changed = writes(captured.captured_queries)
        if changed:
            problems.append(f"{cell} ({status}): wrote {sorted(set(changed))}")
    leaked = _leaks(world, text + location, role, denied=want.denied)
    if leaked:
        problems.append(f"{cell} ({status}): leaked {leaked}")
    return problems


def run_route(world, route: Route, entry: Entry, kwargs: dict, *, suffix: bool = False) -> Outcome:
    """Every cell of the route's entry (for a format-suffix variant: its GET cells, on ``.json``)."""
    outcome = Outcome()
    url = build_url(route, kwargs, suffix=suffix)
    for method, cells in entry.cells.items():
        if suffix and method != "GET":
            continue
        for role, want in cells.items():
            outcome.cells += 1
            outcome.failures += run_cell(world, route, entry, url, method, role, want)
    return outcome
