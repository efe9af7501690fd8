"""Real processes for the web fault tests: a private PostgreSQL cluster that can be stopped at will
(the machine's own is shared with other test runs and is never touched) and gunicorn serving
``config.wsgi`` with production's settings (DEBUG off).

Every process is started in a session of its own and stopped by its pid (its process group for
gunicorn, whose workers would otherwise outlive a killed master); every wait is bounded.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SETTINGS = "tests.integration.faults_web_settings"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return f"({path} unreadable)"


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return found[-1].parent


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's server refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A throwaway cluster in a temporary folder on a free loopback port, fsync off (commits are kept)."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="granted-faults-pg-"))
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.name = "granted"
        self.url = f"postgres://postgres@{HOST}:{self.port}/{self.name}"

    def _run(self, command: list[str], timeout: float) -> subprocess.CompletedProcess:
        result = subprocess.run(
            as_postgres(command), capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}\n"
                f"{tail(self.log)}"
            )
        return result

    def init(self) -> None:
        command = [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
        self._run([*command, "-E", "UTF8", "--locale=C", "--no-sync"], timeout=60)

    def start(self) -> None:
        # fsync off: only the server's crash is simulated, not the machine's. synchronous_commit stays on,
        # as in production: off, an immediate stop may lose a transaction the client saw committed.
        options = f"-p {self.port} -k {self.root} -c listen_addresses={HOST} -c fsync=off"
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        self._run([*command, "-w", "-t", "30", "-o", options, "start"], timeout=40)

    def stop(self, mode: str = "fast") -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "20", "stop"], 30)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/postgres"

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.url, connect_timeout=5, **kwargs)

    def restore_from(self, source_url: str) -> None:
        """Copy a database (schema and rows) from another server: pg_dump piped into pg_restore."""
        dump = [str(self.bin / "pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-d", source_url]
        restore = [str(self.bin / "pg_restore"), "--no-owner", "--no-privileges", "-d", self.url]
        with subprocess.Popen(dump, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as dumper:
            restored = subprocess.run(
                restore, stdin=dumper.stdout, capture_output=True, text=True, timeout=120, check=False
            )
            dumper.stdout.close()
            dumper.wait(timeout=30)
            errors = dumper.stderr.read().decode(errors="replace")
        if dumper.returncode != 0 or restored.returncode != 0:
            raise RuntimeError(f"pg_dump | pg_restore failed:\n{errors}\n{restored.stderr}")

    def remove(self) -> None:
        """Stop the cluster if it runs (by its data folder: pg_ctl signals its own postmaster) and
        delete the folder."""
        try:
            if self.running():
                try:
                    self.stop("fast")
                except (RuntimeError, subprocess.TimeoutExpired):
                    self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def web_environment(database_url: str, tmp: Path, secret_key: str, **extra: str) -> dict[str, str]:
    """Production's settings (DEBUG off, a secret key, one allowed host) on plain http over loopback;
    no broker (tasks run in the web process), no developer .env (TESTING=1). A restarted server gets
    the same ``secret_key``, or every session would end with the restart."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "REDIS_", "GRANTED_", "DATABASE_", "PYTEST_"))
    }
    (tmp / "static").mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "TESTING": "1",
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "VAR_DIR": str(tmp / "var"),
            "STORAGE_ROOT": str(tmp / "storage"),
            "STATIC_ROOT": str(tmp / "static"),
            "EMAIL_URL": "consolemail://",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "TRUSTED_PROXY_COUNT": "0",  # no proxy in front: the client's address is REMOTE_ADDR
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


class WebServer:
    """gunicorn with ``workers`` sync workers on a fixed loopback port; its log in ``log``."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2, port: int | None = None) -> None:
        self.env = env
        self.log = log
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"{HOST}:{self.port}", "--workers", str(self.workers)),
            *("--timeout", "60", "--graceful-timeout", "5"),
            # Django is imported once, in the master, before the workers fork (it takes a while: the
            # assignment code imports scikit-learn), so both workers are ready at the same moment.
            "--preload",
            *("--access-logfile", "-", "--error-logfile", "-"),
            "--no-control-socket",  # its default path is per user: servers started alongside would share it
        ]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_up(self, timeout: float = 90) -> float:
        """Seconds until the server answers /healthz (any status: the database may be down)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"gunicorn exited ({code}):\n{tail(self.log)}")
            try:
                # The first request waits for a worker to boot (imports) on a busy machine.
                requests.get(f"{self.url}/healthz", timeout=max(1.0, timeout - (time.monotonic() - started)))
                return time.monotonic() - started
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{tail(self.log)}")

    def kill(self) -> None:
        """kill -9 of the master and its workers (its process group), as when a container is killed."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        # Workers the master could not reap (it was killed) are in its group: make sure none is left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(page: str) -> str:
    found = CSRF_INPUT.search(page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(session: requests.Session, base: str, email: str, password: str) -> None:
    """Through the login form, as a browser does (GET for the CSRF token, POST, a redirect)."""
    form = session.get(f"{base}/accounts/login/", timeout=30)
    assert form.status_code == 200, form.text[-2000:]
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": csrf_token(form.text), "username": email, "password": password},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, f"signing in answered {answer.status_code}: {answer.text[-2000:]}"
    assert "sessionid" in session.cookies
