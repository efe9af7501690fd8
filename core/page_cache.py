"""Whole-page cache for the portal's most read pages, invalidated by the tables each page read.

A view wrapped in :func:`cached_page` runs as usual the first time; its response is then kept in the
shared cache (``CACHE_URL``, Redis in production) for at most ``PAGE_CACHE_SECONDS`` and served again
to the *same user in the same session* (same CSRF secret, path and query, language, time zone and
release of the code) for as long as no table the view read has been written since.

How it stays right:

- **Writes are tracked wherever Django writes.** One execute wrapper, installed on every database
  connection of every process (web, Celery worker, management commands), notes the table of each
  INSERT, UPDATE, DELETE or TRUNCATE it sees: ORM saves, queryset updates, bulk operations and raw
  cursors alike. When the transaction commits (at once in autocommit), each written table's
  *generation* in the shared cache is incremented. A rolled-back write bumps nothing it need not.
- **Reads are recorded while a wrapped view runs**: every table its SQL names after FROM or JOIN,
  the permission checks included, and the user table (the middleware loads the user before the view).
- **No race with a write committed during rendering**: the generations of all tables are read
  *before* the view runs and the entry keeps those of the tables it read; a write committed after
  that moment leaves the entry stale at once.
- **Permissions**: the view decides who may see what, inside it, on every miss. A hit is served only
  to the user and session the page was rendered for, and the queries that granted access are among
  the tables read: declaring a conflict, losing an assignment or a role writes one of them, so the
  next request runs the view, and its checks, again.
- **Not cached**: anything but GET, anonymous users, htmx requests, a request with messages waiting
  or without a CSRF cookie, and any response other than a plain 200 that sets no cookie, from a view
  that wrote nothing, left the session unchanged and added no message.

What it cannot see, bounded by ``PAGE_CACHE_SECONDS``: writes made outside Django (psql), writes whose
generation bump failed because the cache was unreachable, settings changed by a restart, and the
passing of time (no cached page may show time-relative text). While the cache is unreachable pages
render uncached. Wrap only views whose response depends on nothing but the database, the request's
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
from collections.abc import Callable, Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

_WRITE_START = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE")
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I
)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.I)
_GENERATION = "pagecache:gen:"
_PAGE = "pagecache:page:"
_SKIPPED_HEADERS = {"set-cookie", "content-length", "x-page-cache"}

_capture = threading.local()


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


# --- writes: one execute wrapper on every connection ---------------------------------------------


def written_tables(sql: str) -> set[str]:
    """The tables an SQL statement writes (empty for reads and for statements that write no table)."""
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITE_START):
        return set()
    if head.startswith("TRUNCATE"):
        names = re.sub(r"^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?", "", sql, flags=re.I)
        names = re.split(r"\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b|;", names, maxsplit=1, flags=re.I)[0]
        return {name.strip().strip('"') for name in names.split(",") if name.strip()}
    match = _WRITE.match(sql)
    return {match.group(1)} if match else set()


def read_tables(sql: str) -> set[str]:
    """The tables an SQL statement names after FROM or JOIN (subqueries included)."""
    return set(_READ.findall(sql))


def track(execute, sql, params, many, context):
    """The execute wrapper: notes what is written (and, inside a wrapped view, what is read)."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str) or not enabled():
        return result
    written = written_tables(sql)
    reads = getattr(_capture, "reads", None)
    if written:
        _note_writes(context["connection"], written)
        if reads is not None:
            _capture.wrote = True
    elif reads is not None:
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
    cache = _cache()
    for table in tables:
        key = _GENERATION + table
        try:
            try:
                cache.incr(key)
            except ValueError:  # not there yet, or lost (a new cache, Redis restarted, evicted)
                if not cache.add(key, _seed(), timeout=None):
                    cache.incr(key)
        except Exception:
            logger.warning(
                "page cache: could not mark %s as changed; its pages may be stale for up to "
                "PAGE_CACHE_SECONDS",
                table,
                exc_info=True,
            )
            return


def _seed() -> int:
    """A random start: a generation that is created again never repeats a value an entry may hold."""
    return secrets.randbits(62)


@functools.cache
def all_tables() -> tuple[str, ...]:
    return tuple(sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)}))


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
    return (
        response.status_code == 200
        and not wrote
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
    response["X-Page-Cache"] = "hit"
    return response


def _still_current(entry: dict) -> bool:
    deps = entry["deps"]
    return bool(deps) and generations_found(deps) == deps


def generations_found(deps: dict[str, int]) -> dict[str, int]:
    found = _cache().get_many([_GENERATION + table for table in deps])
    return {key.removeprefix(_GENERATION): value for key, value in found.items()}


def _run_capturing(view: Callable, request, args, kwargs) -> tuple[HttpResponse, set[str], bool]:
    outer = getattr(_capture, "reads", None), getattr(_capture, "wrote", False)
    _capture.reads, _capture.wrote = set(), False
    try:
        response = view(request, *args, **kwargs)
        return response, _capture.reads, _capture.wrote
    finally:
        _capture.reads, _capture.wrote = outer


def cached_page(view: Callable) -> Callable:
    """Serve the view's page from the shared cache while nothing it read has changed (module doc)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = _entry_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        cache = _cache()
        try:
            entry = cache.get(key)
            if entry is not None and _still_current(entry):
                return _replay(entry)
            before = generations(all_tables())
        except Exception:
            logger.warning("page cache unreachable; %s rendered uncached", request.path, exc_info=True)
            return view(request, *args, **kwargs)
        response, reads, wrote = _run_capturing(view, request, args, kwargs)
        reads.add(get_user_model()._meta.db_table)
        if _storable(request, response, wrote) and reads <= before.keys():
            entry = {
                "content": response.content,
                "status": response.status_code,
                "headers": [(k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS],
                "deps": {table: before[table] for table in reads},
            }
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("page cache unreachable; %s not stored", request.path, exc_info=True)
            response["X-Page-Cache"] = "miss"
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
