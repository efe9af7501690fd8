"""Load benchmark: three pages of the review under load, against a bare Django view on the same server.

Usage: ``python bench/load.py [--seconds 15] [--warmup 3] [--clients 8]`` prints a JSON list.

It creates a fresh PostgreSQL database (``granted_load_<pid>`` on ``--pg``, dropped at the end, also on
failure or Ctrl-C), migrates it, loads the demo (``manage.py demo``), collects the static files into a
temporary STATIC_ROOT and starts gunicorn with ``--workers`` sync workers as production runs it
(DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, the access log on), with the settings
``bench.load_settings``: production's plus one bare view (``bench/load_urls.py``). Production sits
behind TLS; on plain http over loopback the benchmark turns SECURE_SSL_REDIRECT, HSTS and the
cookies' Secure flag off, or the browser-side cookies would never come back. As in production
(CACHE_URL in docker-compose.yml) the server shares a Redis cache (``--redis``, keys under a prefix of
the run, deleted at the end), so the three pages are served from the page cache (core.page_cache)
while nothing they read changes; ``--no-page-cache`` measures them rendered on every request.

The demo's people log in through the real login form (a CSRF round-trip); wrk then sends the cookies
a browser keeps (session and CSRF). Each page is checked (200, the expected content) before it is
measured:

- ``bare``: ``/bench/bare/``, the reviewer's cookies sent, nothing read (the baseline);
- ``my_assignments``: the demo scientific reviewer's assignment list;
- ``application_detail``: the first application on that list, read by that assigned reviewer (the
  page a reviewer opens over and over while reviewing; its owner opens it rarely once submitted);
- ``ranking``: the committee chair's ranking of the call in review.

Each page is driven by ``wrk`` (installed with ``.ci/apt-ensure``: one thread, ``--clients``
connections, a warm-up first) for ``--seconds``; the bare view is measured before and after the
pages and ``bare_rps`` is the mean. ``ratio`` is the page's rps over ``bare_rps``; the target is a
ratio of at least 0.5 and a p95 under 200 ms at 8 clients (``meets_target``). ``queries`` is the
number of SQL queries one request makes when the page is rendered and ``queries_cached`` when it is
served from the page cache (counted in this process through the Django test client, same cookies);
``page_cache_hits`` is the share of the run's responses served from the page cache. The
machine's other work lowers rps and raises latency, so each run also reports the
CPU one request costs (``bench/load_metrics.py``): ``web_cpu_ms`` in the gunicorn workers,
``db_cpu_ms`` in the PostgreSQL backends of the database, and ``cpu_ratio``, the bare view's total
over the page's: the throughput ratio on an otherwise idle machine. ``client_cpu_share`` is the
cores wrk kept busy (the client must not starve the server: 2 cores here) and ``loadavg_1m`` the
load average at the end of the run. Exit status 2 when a page misses the target.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_metrics import CpuProbe, WrkError, admin_connection, children_cpu, ensure_wrk, run_wrk  # noqa: E402

PYTHON = sys.executable
SETTINGS = "bench.load_settings"
HOST = "127.0.0.1"
REVIEWER = "reviewer@granted.demo"
CHAIR = "chair@granted.demo"
CALL_IN_REVIEW = "challenge-awards-2026"
TARGET_RATIO, TARGET_P95_MS = 0.5, 200.0


class BenchError(RuntimeError):
    """Something the benchmark needs is missing or wrong: printed as the reason, exit status 1."""


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # runs the ``finally`` blocks: gunicorn stopped, database dropped


# --- the database -----------------------------------------------------------------------------


def create_database(pg_url: str, name: str) -> None:
    with admin_connection(pg_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def analyze_database(pg_url: str, name: str) -> None:
    """Table statistics, as autovacuum gathers them in production: the PostgreSQL of these machines
    runs with autovacuum off, and unanalysed tables after the demo's load gave nested loops over
    hundreds of rows (the ranking's reviews query took 11 ms instead of 2)."""
    with psycopg.connect(pg_url.rstrip("/") + f"/{name}", autocommit=True, connect_timeout=5) as conn:
        conn.execute("ANALYZE")


def drop_database(pg_url: str, name: str) -> None:
    with admin_connection(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the shared cache ---------------------------------------------------------------------------


def cache_environment(args) -> dict[str, str]:
    """Production's shared cache (Redis, hence the page cache), under a key prefix of this run only;
    ``--no-page-cache`` measures the pages rendered on every request instead."""
    if args.no_page_cache:
        return {"PAGE_CACHE_SECONDS": "0"}
    prefix = f"granted-load-{os.getpid()}"
    return {"CACHE_URL": args.redis, "CACHE_KEY_PREFIX": prefix, "PAGE_CACHE_HEADER": "1"}


def forget_cache(cache: dict[str, str]) -> None:
    """Delete this run's keys (the tables' generations do not expire)."""
    import redis

    try:
        client = redis.Redis.from_url(cache["CACHE_URL"], socket_timeout=5)
        keys = list(client.scan_iter(match=cache["CACHE_KEY_PREFIX"] + ":*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError as error:
        print(f"could not delete the keys {cache['CACHE_KEY_PREFIX']}:* from Redis: {error}", file=sys.stderr)


# --- the server -------------------------------------------------------------------------------


def server_environment(database_url: str, tmp: Path, cache: dict[str, str]) -> dict[str, str]:
    ours = ("DJANGO_", "CELERY_", "REDIS_", "CACHE_", "PAGE_CACHE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "TESTING": "1",  # settings from here only, never from a developer's .env
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "VAR_DIR": str(tmp / "var"),
            "STORAGE_ROOT": str(tmp / "storage"),
            "STATIC_ROOT": str(tmp / "static"),
            # Plain http on loopback: production's TLS-only settings off (see the module's docstring).
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **cache,
        }
    )
    env.pop("GRANTED_REQUIRE_SERVICES", None)  # no Celery worker: letters are not part of the run

    return env


def manage(env: dict[str, str], *args: str, timeout: float) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        output = result.stdout[-2000:] + result.stderr[-4000:]
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{output}")
    print(f"manage.py {args[0]}: {time.monotonic() - started:.1f} s", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("wb")
    command = [
        *(PYTHON, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers)),
        *("--access-logfile", "-", "--error-logfile", "-"),  # as production (docker-compose.yml)
        "--no-control-socket",  # gunicorn 27's default socket path is one per user, shared by all runs
    ]
    # Its own session: Ctrl-C reaches this script only, which then stops gunicorn by its pid.
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn's master stops its workers gracefully
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group of the session it leads: only its workers
        process.wait(timeout=timeout)


def wait_until_up(process: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()[-4000:]}")
        try:
            status, _, body = request(port, "GET", "/bench/bare/")
            if status == 200:
                return
            last = f"{status} {body[:300]}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.2)
    log = log_path.read_text()[-4000:]
    raise BenchError(f"gunicorn did not answer 200 within {timeout:.0f} s (last: {last}):\n{log}")


# --- HTTP: the login and the checks -------------------------------------------------------------


def request(port: int, method: str, path: str, *, cookies: dict | None = None, body: str = "", headers=None):
    """One request; returns (status, headers as a list, body as text)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        sent = dict(headers or {})
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body.encode() or None, headers=sent)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _set_cookies(headers, cookies: dict) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            for morsel in SimpleCookie(value).values():
                cookies[morsel.key] = morsel.value


def log_in(port: int, email: str, password: str) -> dict[str, str]:
    """Log in through the login form (GET for the CSRF cookie and token, then POST); the cookies a
    browser keeps afterwards (the session and the CSRF cookie, both renewed by the login)."""
    from urllib.parse import urlencode

    cookies: dict[str, str] = {}
    status, headers, page = request(port, "GET", "/accounts/login/")
    _set_cookies(headers, cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token or "csrftoken" not in cookies:
        raise BenchError(f"the login form answered {status} without a CSRF cookie and token")
    form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": email, "password": password})
    status, headers, page = request(port, "POST", "/accounts/login/", cookies=cookies, body=form)
    _set_cookies(headers, cookies)
    if status != 302 or not cookies.get("sessionid"):
        raise BenchError(f"logging in as {email} answered {status}, not a redirect with a session")
    return cookies


def check_page(port: int, path: str, cookies: dict[str, str], expected: list[str]) -> str:
    status, headers, body = request(port, "GET", path, cookies=cookies)
    if status != 200:
        location = {k.lower(): v for k, v in headers}.get("location", "")
        raise BenchError(f"GET {path} answered {status} {location}, not 200")
    missing = [text for text in expected if text not in body]
    if missing:
        raise BenchError(f"GET {path} lacks {missing!r}")
    return body


def count_queries(env: dict[str, str], pages: list[dict]) -> dict[str, tuple[int, int]]:
    """SQL queries of one request to each page, through the Django test client with the same cookies:
    rendered (the page cache off) and served from the page cache (as the server runs, when it is on)."""
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)  # the server's settings exactly
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def queries(client, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        if status != 200:
            raise BenchError(f"GET {path} answered {status} in process, not 200")
        return len(captured)

    counts = {}
    try:
        for page in pages:
            client = Client(HTTP_HOST=HOST)
            for name, value in page["cookies"].items():
                client.cookies[name] = value
            client.get(page["path"])  # warm: content types, the template loader (and the page cache)
            with override_settings(PAGE_CACHE_SECONDS=0):
                rendered = queries(client, page["path"])
            counts[page["page"]] = (rendered, queries(client, page["path"]))
    finally:
        connection.close()
    return counts


def measure(
    wrk: str, port: int, page: dict, probe: CpuProbe, *, seconds: float, warmup: float, clients: int
) -> dict:
    if warmup > 0:
        run_wrk(wrk, port, page["path"], page["cookies"], seconds=warmup, clients=clients)
    before, client_before = probe.snapshot(), children_cpu()
    figures = run_wrk(wrk, port, page["path"], page["cookies"], seconds=seconds, clients=clients)
    cpu, client_cpu = probe.spent(before), children_cpu() - client_before
    check_page(port, page["path"], page["cookies"], page["expected"])  # still signed in, still right
    errors = figures["errors"]
    requests = max(figures["requests"], 1)
    return {
        "page": page["page"],
        "path": page["path"],
        "as": page["as"],
        "clients": clients,
        "seconds": round(figures["duration_us"] / 1e6, 2),
        "requests": figures["requests"],
        "rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "max_ms": round(figures["max_us"] / 1000, 1),
        "errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "non_2xx": figures["non_2xx"],
        "page_cache_hits": round(figures["cache_hits"] / requests, 3),  # share answered from the page cache
        "kb_per_response": round(figures["bytes"] / requests / 1024, 1),
        "web_cpu_ms": round(cpu["web"] * 1000 / requests, 2),  # gunicorn workers' CPU per request
        "db_cpu_ms": round(cpu["db"] * 1000 / requests, 2),  # PostgreSQL backends' CPU per request
        "client_cpu_share": round(client_cpu / (figures["duration_us"] / 1e6), 2),  # wrk: cores busy
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


# --- the run ------------------------------------------------------------------------------------


def pages_to_measure(port: int) -> list[dict]:
    from applications.demo_data import PASSWORD

    reviewer = log_in(port, REVIEWER, PASSWORD)
    chair = log_in(port, CHAIR, PASSWORD)
    assignments = check_page(port, "/review/assignments/", reviewer, ["My assignments", "full application"])
    first = re.search(r'href="(/applications/(\d+)/)">full application', assignments)
    if not first:
        raise BenchError("the reviewer's assignment list links to no application")
    detail = check_page(port, first.group(1), reviewer, ["Lay summary", "Budget", "Principal investigator"])
    title = re.search(r"<h1>([^<]+?) <span", detail)
    ranking_path = f"/review/calls/{CALL_IN_REVIEW}/ranking/"
    ranking = check_page(port, ranking_path, chair, ["Ranking"])
    rows = len(re.findall(r"<tr[ >]", ranking))
    title = title.group(1) if title else "?"
    print(f"application {first.group(2)}: {title}; ranking: {rows} rows", file=sys.stderr)
    if rows < 10:
        raise BenchError(f"the chair's ranking shows {rows} rows: the demo has no ranking to load")
    return [
        {"page": "bare", "path": "/bench/bare/", "as": "reviewer", "cookies": reviewer, "expected": ["bare"]},
        {
            "page": "my_assignments",
            "path": "/review/assignments/",
            "as": "reviewer",
            "cookies": reviewer,
            "expected": ["My assignments", "full application"],
        },
        {
            "page": "application_detail",
            "path": first.group(1),
            "as": "assigned reviewer",
            "cookies": reviewer,
            "expected": ["Lay summary", "Principal investigator"],
        },
        {"page": "ranking", "path": ranking_path, "as": "chair", "cookies": chair, "expected": ["Ranking"]},
    ]


def run(args) -> list[dict]:
    wrk = ensure_wrk()
    name = args.database or f"granted_load_{os.getpid()}"
    pg = urlsplit(args.pg)
    database_url = f"{pg.scheme}://{pg.netloc}/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="granted-load-"))
    cache = cache_environment(args)
    env = server_environment(database_url, tmp, cache)
    server = None
    if not args.database:
        create_database(args.pg, name)
    try:
        manage(env, "migrate", "--no-input", "-v", "0", timeout=600)
        if not args.database:
            manage(env, "demo", "--quiet", timeout=900)
        analyze_database(args.pg, name)
        manage(env, "collectstatic", "--no-input", "-v", "0", timeout=300)
        port = free_port()
        log_path = tmp / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, log_path)
        wait_until_up(server, port, log_path, timeout=180)
        pages = pages_to_measure(port)
        queries = count_queries(env, pages)
        options = {"seconds": args.seconds, "warmup": args.warmup, "clients": args.clients}
        probe = CpuProbe(server, args.pg, name)
        bare, *measured_pages = pages
        bare_runs = [measure(wrk, port, bare, probe, **options)]
        results = [measure(wrk, port, page, probe, **options) for page in measured_pages]
        bare_runs.append(measure(wrk, port, bare, probe, **options | {"warmup": 0}))
        bare_rps = round(statistics.mean(r["rps"] for r in bare_runs), 1)
        bare_cpu = statistics.mean(r["web_cpu_ms"] + r["db_cpu_ms"] for r in bare_runs)
        for result in [*bare_runs, *results]:
            result["bare_rps"] = bare_rps
            result["ratio"] = round(result["rps"] / bare_rps, 3)
            # The same ratio from the CPU each request costs (web + database): what the throughput
            # ratio comes to when nothing else competes for the cores.
            result["cpu_ratio"] = round(bare_cpu / max(result["web_cpu_ms"] + result["db_cpu_ms"], 1e-9), 3)
            result["queries"], result["queries_cached"] = queries[result["page"]]
            result["workers"] = args.workers
            result["meets_target"] = result["page"] == "bare" or (
                result["ratio"] >= TARGET_RATIO
                and result["p95_ms"] < TARGET_P95_MS
                and result["errors"] == 0
                and result["non_2xx"] == 0
            )
        bare_runs[0]["page"], bare_runs[1]["page"] = "bare (before)", "bare (after)"
        return [bare_runs[0], *results, bare_runs[1]]
    finally:
        if server is not None:
            stop_process(server)
        if not args.database:
            try:
                drop_database(args.pg, name)
            except psycopg.Error as error:  # keep the first error; say what is left behind
                print(f"could not drop the database {name}: {error}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        if cache.get("CACHE_URL"):
            forget_cache(cache)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="measured time per page (default 15)")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (a database is created)"
    )
    parser.add_argument(
        "--database",
        help="an existing database with the demo loaded, used as it is and kept (to iterate on a fix)",
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/0", help="Redis of the shared cache (keys under a prefix)"
    )
    parser.add_argument(
        "--no-page-cache", action="store_true", help="no shared cache: every page rendered on every request"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        results = run(args)
    except (BenchError, WrkError, psycopg.Error) as error:
        print(f"load benchmark failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps(results, indent=2))
    return 0 if all(r["meets_target"] for r in results) else 2


if __name__ == "__main__":
    sys.exit(main())
