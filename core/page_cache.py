"""Whole-page cache for the portal's most read pages, invalidated by the tables each page read.

A view wrapped in :func:`cached_page` runs as usual the first time; its response is then kept in the
shared cache (``CACHE_URL``, Redis in production) for at most ``PAGE_CACHE_SECONDS`` and served again
to the *same user in the same session* (same CSRF secret, path and query, language, time zone and
release of the code) for as long as no table the view read has been written since, and the user's
``guard`` (their conflicts) is what it was.

How it stays right:

- **Conflicts are checked on every request.** A wrapped view names a ``guard``, one cheap query about
  the user whose answer must take a page away at once: the ids of their conflicts in force. It runs
  on every hit; when its answer differs from the one the page was rendered with, the view runs
  again, with all its checks. A conflict declared therefore hides the application at once, even if
  the cache missed the change. (The view's full access checks run on every miss; they read tables
  whose writes are counted like any other.)
- **Writes are tracked wherever Django writes.** One execute wrapper, installed on every database
  connection of every process that has the shared cache (web, Celery worker, management commands),
  notes the table of each INSERT, UPDATE or DELETE it sees: ORM saves, queryset updates, bulk
  operations and raw cursors alike. Any other statement that may write (DDL, TRUNCATE, a CTE, SQL it
  cannot parse) counts as a write to every table. When the transaction commits (at once outside
  one), each written table's *generation* in the shared cache is incremented. A write that is rolled
  back may still bump at the connection's next commit: a spurious render, never a stale page.
- **Reads are recorded while a wrapped view runs**: every table its SQL names after FROM or JOIN,
  the guard's included, and the user table (the middleware loads the user before the view).
- **No race with a write committed during rendering**: the generations of all tables are read
  *before* the view runs and the entry keeps those of the tables it read; a write committed after
  that moment leaves the entry stale at once.
- **Not cached**: anything but GET, anonymous users, htmx requests, a request with messages waiting
  or without a CSRF cookie, and any response other than a plain 200 that sets no cookie, from a view
  that wrote nothing, left the session unchanged, added no message, read no untracked table
  (sessions, sign-in throttling) and set no per-response exemption for a middleware (CSP, framing).

What it cannot see, bounded by ``PAGE_CACHE_SECONDS`` (conflicts excepted, which the guard checks):
writes made outside Django (psql) or by a process without ``CACHE_URL``, writes whose generation
could not be bumped because the cache was unreachable or refused the write, settings changed by a
restart, and the passing of time (no cached page may show time-relative text). After a cache error a
process leaves the cache alone for ``BREAK_SECONDS``: its pages render uncached and its writes wait
for no timeout. Wrap only views whose response depends on nothing but the database, the request's
user, session and URL, and the code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

ANY_TABLE = "*"  # the generation every page depends on: bumped by writes that name no one table
BREAK_SECONDS = 5.0
_READ_ONLY = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "PRAGMA")
_READ_ONLY += ("EXPLAIN", "DECLARE", "FETCH", "CLOSE", "VALUES")
_NAME = r'(?:"?\w+"?\.)?"?(\w+)"?'  # a table name, maybe quoted, maybe schema-qualified
_WRITE = re.compile(
    rf"^(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+{_NAME}", re.I
)
_READ = re.compile(rf"\b(?:FROM|JOIN)\s+{_NAME}", re.I)
_COMMENTS = re.compile(r"^\s*(?:(?:/\*.*?\*/|--[^\n]*)\s*)*", re.S)
_GENERATION = "pagecache:gen:"
_PAGE = "pagecache:page:"
_SKIPPED_HEADERS = {"set-cookie", "content-length", "x-page-cache"}

_capture = threading.local()
_broken_until = 0.0  # monotonic time until which this process leaves the cache alone


class CacheUnavailable(Exception):
    """The shared cache failed (or failed a moment ago): do without it."""


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def tracking() -> bool:
    """Writes are tracked where pages are cached, and in every process of a deployment with a shared
    cache, even one that serves no page itself (a worker started with PAGE_CACHE_SECONDS=0)."""
    return enabled() or bool(getattr(settings, "CACHE_URL", ""))


def untracked(table: str) -> bool:
    """Tables written on every sign-in or request, whose writes are not counted: sessions and
    django-axes' records. A page that reads one is never stored."""
    return table == "django_session" or table.startswith("axes_")


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _guarded(operation: Callable):
    """Run a cache operation; after a failure, refuse every one for BREAK_SECONDS (a frozen Redis
    must not make every request and every write wait for its timeout)."""
    global _broken_until
    if time.monotonic() < _broken_until:
        raise CacheUnavailable
    try:
        return operation()
    except Exception as error:  # whatever the backend raises: connection, timeout, out of memory
        _broken_until = time.monotonic() + BREAK_SECONDS
        logger.warning(
            "page cache: the shared cache failed (%s); doing without it for %s s", error, BREAK_SECONDS
        )
        raise CacheUnavailable from error


# --- writes: one execute wrapper on every connection ---------------------------------------------


def written_tables(sql) -> set[str]:
    """The tables an SQL statement writes: empty for reads, ``{ANY_TABLE}`` when it may write but
    names no one table this can tell (DDL, TRUNCATE, a CTE, SQL it cannot parse)."""
    if not isinstance(sql, str):
        return {ANY_TABLE}
    statement = _COMMENTS.sub("", sql, count=1)
    head = statement[:9].upper()
    if head.startswith(_READ_ONLY) or not statement:
        return set()
    match = _WRITE.match(statement)
    return {match.group(1)} if match else {ANY_TABLE}


def read_tables(sql: str) -> set[str]:
    """The tables an SQL statement names after FROM or JOIN (subqueries included)."""
    return set(_READ.findall(sql))


def track(execute, sql, params, many, context):
    """The execute wrapper: notes what is written (and, inside a wrapped view, what is read)."""
    result = execute(sql, params, many, context)
    if not tracking():
        return result
    written = {table for table in written_tables(sql) if not untracked(table)}
    reads = getattr(_capture, "reads", None)
    if written:
        _note_writes(context["connection"], written)
        if reads is not None:
            _capture.wrote = True
    elif reads is not None and isinstance(sql, str):
        reads.update(read_tables(sql))
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: put the wrapper on a new connection (once per wrapper object)."""
    if connection is not None and track not in connection.execute_wrappers:
        connection.execute_wrappers.append(track)


def connect_signals() -> None:
    from django.core.checks import Tags, register

    connection_created.connect(install, dispatch_uid="core.page_cache.install")
    register(check_shared_cache, Tags.caches)


def _note_writes(connection, tables: set[str]) -> None:
    pending = connection.__dict__.setdefault("_page_cache_written", set())
    pending.update(tables)
    if not connection.in_atomic_block:
        _flush(connection)
        return
    flush = connection.__dict__.setdefault("_page_cache_flush", functools.partial(_flush, connection))
    # Once per transaction; a rolled-back savepoint drops its callbacks, so look rather than remember.
    if not any(entry[1] is flush for entry in connection.run_on_commit):
        connection.on_commit(flush, robust=True)


def _flush(connection) -> None:
    pending = connection.__dict__.get("_page_cache_written")
    if not pending:
        return
    tables = set(pending)
    pending.clear()
    bump(tables)


def bump(tables: Iterable[str]) -> None:
    """Mark tables as changed: every cached page that read one of them is stale from now on."""
    missed = []
    for table in sorted(tables):
        key = _GENERATION + table
        try:
            _guarded(lambda key=key: _increment(key))
        except CacheUnavailable:
            missed.append(table)
    if missed:
        logger.warning(
            "page cache: could not mark %s as changed; pages that read them may be stale for up to "
            "PAGE_CACHE_SECONDS (conflicts are still checked on every request)",
            ", ".join(missed),
        )


def _increment(key: str) -> None:
    cache = _cache()
    try:
        cache.incr(key)
    except ValueError:  # not there yet, or lost (a new cache, Redis restarted, evicted)
        if not cache.add(key, _seed(), timeout=None):
            cache.incr(key)


def _seed() -> int:
    """A random start: a generation that is created again never repeats a value an entry may hold."""
    return secrets.randbits(62)


@functools.cache
def all_tables() -> tuple[str, ...]:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return (ANY_TABLE, *sorted(table for table in tables if not untracked(table)))


def generations(tables: Iterable[str]) -> dict[str, int]:
    """Current generation of each table, created where missing."""
    cache = _cache()
    keys = {_GENERATION + table: table for table in tables}
    found = cache.get_many(list(keys))
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _seed(), timeout=None)
        found |= cache.get_many(missing)
    return {keys[key]: value for key, value in found.items()}


# --- the release of the code --------------------------------------------------------------------


@functools.cache
def release() -> str:
    """What the pages' code is: ``PAGE_CACHE_RELEASE`` if set, else a digest of the project's files
    (Python, templates, static files, translations), so a deployment never serves an older page."""
    explicit = getattr(settings, "PAGE_CACHE_RELEASE", "")
    if explicit:
        return explicit
    base = Path(settings.BASE_DIR).resolve()
    roots = {base / name for name in ("config", "templates", "static", "locale")}
    app_paths = {Path(app.path).resolve() for app in apps.get_app_configs()}
    roots |= {path for path in app_paths if path.is_relative_to(base)}
    digest = hashlib.sha256()
    for root in sorted(r for r in roots if r.exists() and ".venv" not in r.parts):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# --- the decorator ------------------------------------------------------------------------------


def _entry_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page, or None when it may not be served from the cache."""
    if not enabled() or request.method != "GET" or request.headers.get("HX-Request"):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    storage = getattr(request, "_messages", None)
    if not csrf or (storage is not None and len(storage)):
        return None
    session = request.session
    parts = [
        release(),
        str(user.pk),
        session.session_key or "",
        json.dumps(dict(session.items()), sort_keys=True, default=str),
        csrf,
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
    ]
    return _PAGE + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse, wrote: bool) -> bool:
    storage = getattr(request, "_messages", None)
    # Per-response exemptions a middleware reads from the response object (django-csp's, framing):
    # a replayed response would not carry them.
    exempt = any(name.startswith("_csp") or name == "xframe_options_exempt" for name in vars(response))
    return (
        response.status_code == 200
        and not wrote
        and not exempt
        and not response.streaming
        and getattr(response, "is_rendered", True)
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and not request.session.modified
        # The page's CSRF token masks the secret of the cookie the key holds, not a new one (Django
        # sends the cookie again whenever a page uses it, only to renew its expiry).
        and request.META.get("CSRF_COOKIE") == request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        and not (storage is not None and getattr(storage, "added_new", False))
    )


def _replay(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    return response


def _mark(response: HttpResponse, state: str) -> HttpResponse:
    """``X-Page-Cache: hit`` or ``miss`` where PAGE_CACHE_HEADER asks for it (development, the load
    benchmark): in production it would tell a user that something somewhere changed."""
    if getattr(settings, "PAGE_CACHE_HEADER", False):
        response["X-Page-Cache"] = state
    return response


def _fresh(entry: dict) -> bool:
    """No table the page read has been written since (every generation as the entry keeps it)."""
    deps = entry["deps"]
    found = _guarded(lambda: _cache().get_many([_GENERATION + table for table in deps]))
    return {key.removeprefix(_GENERATION): value for key, value in found.items()} == deps


def _run_capturing(
    view: Callable, request, args, kwargs, guard
) -> tuple[HttpResponse, set[str], bool, object]:
    outer = getattr(_capture, "reads", None), getattr(_capture, "wrote", False)
    _capture.reads, _capture.wrote = set(), False
    try:
        answer = guard(request.user)
        response = view(request, *args, **kwargs)
        return response, _capture.reads, _capture.wrote, answer
    finally:
        _capture.reads, _capture.wrote = outer


def cached_page(view: Callable | None = None, *, guard: Callable[[object], Hashable]) -> Callable:
    """Serve the view's page from the shared cache while nothing it read has changed and ``guard``
    (called with the user on every request) answers as it did when the page was rendered. See the
    module's documentation."""
    if view is None:
        return functools.partial(cached_page, guard=guard)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = _entry_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        try:
            entry = _guarded(lambda: _cache().get(key))
            if entry is not None and _fresh(entry) and guard(request.user) == entry["guard"]:
                return _mark(_replay(entry), "hit")
            before = _guarded(lambda: generations(all_tables()))
        except CacheUnavailable:
            return view(request, *args, **kwargs)
        response, reads, wrote, answer = _run_capturing(view, request, args, kwargs, guard)
        reads |= {ANY_TABLE, get_user_model()._meta.db_table}
        if _storable(request, response, wrote) and reads <= before.keys():
            entry = {
                "content": response.content,
                "status": response.status_code,
                "headers": [(k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS],
                "deps": {table: before[table] for table in reads},
                "guard": answer,
            }
            try:
                _guarded(lambda: _cache().set(key, entry, timeout=settings.PAGE_CACHE_SECONDS))
            except CacheUnavailable:
                return response
            _mark(response, "miss")
        return response

    return wrapped


# --- configuration check ------------------------------------------------------------------------


def check_shared_cache(app_configs=None, **kwargs) -> list:
    """``manage.py check``: the page cache needs one cache for all processes (Redis, CACHE_URL)."""
    from django.core.checks import Warning

    if not enabled():
        return []
    backend = settings.CACHES[getattr(settings, "PAGE_CACHE_ALIAS", "default")]["BACKEND"]
    if backend.rsplit(".", 1)[-1] in {"LocMemCache", "DummyCache", "FileBasedCache"}:
        return [
            Warning(
                "PAGE_CACHE_SECONDS is on but the cache is not shared by all processes: a page could "
                "outlive a change another process (a web worker, the Celery worker) committed.",
                hint="Set CACHE_URL to the Redis every process uses, or PAGE_CACHE_SECONDS=0.",
                id="granted.W001",
            )
        ]
    return []
