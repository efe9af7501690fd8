"""The vocabulary of the authorisation matrix: an entry per route, an exact expectation per (method,
role), and the shorthands the matrix is written in.

An expectation is an ``int`` (the exact status), ``LOGIN`` (a redirect to the portal's sign-in page),
or ``refused(status)`` (the role is refused although the status says otherwise, e.g. a 302 back to
the page with an error message). A *denial* is LOGIN, ``refused(…)``, 401, 403, 404 or 405: nothing may
change and no canary may be in the body. Any other 4xx (400, 409, 422: an allowed role whose request
the state or the input refuses) must change nothing either.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.security.authz.roles import ANONYMOUS, ROLES


@dataclass(frozen=True)
class Expect:
    status: int
    denied: bool
    login: str = ""  # the URL name of the sign-in page a denial redirects to

    def __str__(self) -> str:
        if self.login:
            return f"302 to {self.login}"
        return f"refused({self.status})" if self.denied and self.status < 400 else str(self.status)


LOGIN = Expect(302, denied=True, login="accounts:login")
ADMIN_LOGIN = Expect(302, denied=True, login="admin:login")
DENIED_STATUSES = {401, 403, 404, 405}


def refused(status: int) -> Expect:
    """A denial the product answers with ``status`` (a redirect or page with the reason)."""
    return Expect(status, denied=True)


def expect(value) -> Expect:
    if isinstance(value, Expect):
        return value
    return Expect(int(value), denied=int(value) in DENIED_STATUSES)


def grid(default, *rules, anonymous=None) -> dict[str, Expect]:
    """One expectation per role: ``default``, then each ``(roles, status)`` rule in order, then
    ``anonymous`` when given."""
    cells = dict.fromkeys(ROLES, default)
    for roles, status in rules:
        for role in roles:
            cells[role] = status
    if anonymous is not None:
        cells[ANONYMOUS] = anonymous
    return {role: expect(status) for role, status in cells.items()}


@dataclass(frozen=True)
class Entry:
    """A route's cells: ``cells[method][role]``; ``kwargs(world)`` fills the URL; ``data[method](world)``
    is the request body (JSON for the API, a form for the portal; ``multipart`` sends files)."""

    cells: dict
    kwargs: Callable = lambda w: {}
    data: dict = field(default_factory=dict)
    api: bool = False
    multipart: bool = False
    query: str = ""
    note: str = ""


def _entry(api: bool, kwargs, methods: dict, data: dict | None, **options) -> Entry:
    cells = {method.upper(): codes for method, codes in methods.items() if codes is not None}
    data = {method.upper(): payload for method, payload in (data or {}).items()}
    return Entry(cells=cells, kwargs=kwargs or (lambda w: {}), data=data, api=api, **options)


def page(kwargs=None, *, data=None, **methods_and_options) -> Entry:
    """A portal page: ``get=grid(…)``, ``post=grid(…)``, and options (``note``, ``query``, ``multipart``)."""
    methods = {k: v for k, v in methods_and_options.items() if k in ("get", "post", "put", "patch", "delete")}
    options = {k: v for k, v in methods_and_options.items() if k not in methods}
    return _entry(False, kwargs, methods, data, **options)


def endpoint(kwargs=None, *, data=None, **methods_and_options) -> Entry:
    """An API endpoint (token authentication, JSON bodies)."""
    methods = {k: v for k, v in methods_and_options.items() if k in ("get", "post", "put", "patch", "delete")}
    options = {k: v for k, v in methods_and_options.items() if k not in methods}
    return _entry(True, kwargs, methods, data, **options)
