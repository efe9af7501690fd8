"""Real processes for the fault tests, each started and stopped by its pid: a private ``redis-server``,
Celery workers (killed with SIGKILL when a test says so), the test process' Celery app pointed at
another broker for a while, and what the workers left behind (e-mail files, stored PDFs)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import redis

from tests.integration.conftest import worker_database_url

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "artifacts" / "faults"
WORKER_START_SECONDS = 150  # imports scikit-learn and SciPy: ~5 s idle, over a minute on a busy machine
# What Django's file-based e-mail backend writes after each message.
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.2) -> float:
    """Poll ``predicate`` until it is true; the seconds it took. Fails the test after ``timeout``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_path(name: str) -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / f"{name}.log"


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class RedisServer:
    """A private Redis on a free loopback port, without persistence: stopped means its data is gone."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory, self.port = directory, port or free_port()
        self.process: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory), "--daemonize", "no"]
        with log_path(f"redis-{self.port}").open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        try:
            wait_until(lambda: self._answers(client), timeout=10, what=f"redis-server on port {self.port}")
        finally:
            client.close()
        return self

    def _answers(self, client: redis.Redis) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server exited with {self.process.returncode}")
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        """Stop it at once (SIGKILL), as a crash would."""
        if self.process is not None:
            _stop(self.process, signal.SIGKILL)


class Worker:
    """A Celery worker process (``--pool=solo`` unless told) on the test database and the given broker."""

    def __init__(
        self, name: str, *, broker_url: str, env: dict[str, str], queue: str, module: str = ""
    ) -> None:
        self.name, self.broker_url, self.queue = name, broker_url, queue
        self.node = f"{name}-{os.getpid()}@{socket.gethostname()}"
        self.env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE": queue,
            "TESTING": "1",
            "DEBUG": "1",
            "CONN_MAX_AGE": "0",  # no connection left open when the test database is dropped
            **env,
        }
        self.module = module  # a module run with -m instead of celery's own (see faults_poison_worker)
        self.log = log_path(name)
        self.process: subprocess.Popen | None = None

    def start(self, *, pool: str = "solo", concurrency: int = 1) -> "Worker":
        args = ["worker", f"--pool={pool}", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        args += ["-Q", self.queue, "-n", self.node, "--loglevel=INFO"]
        if pool == "prefork":
            args.append(f"--concurrency={concurrency}")
        if self.module:
            command = [sys.executable, "-m", self.module, *args]
        else:
            command = [sys.executable, "-m", "celery", "-A", "config", *args]
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self, app) -> float:
        """Seconds until it answers a ping (``app`` must be on the worker's broker)."""

        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"Worker {self.name} exited with {self.process.returncode}:\n{self.text()}"
                )
            return bool(app.control.ping(destination=[self.node], timeout=1))

        return wait_until(answers, timeout=WORKER_START_SECONDS, what=f"worker {self.name} to answer a ping")

    def kill(self) -> None:
        """kill -9, by pid: no warm shutdown, nothing acknowledged or given back."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Processes:
    """Every process a test starts, stopped in the fixture's teardown (also when the test fails)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Worker | RedisServer] = []

    def worker(self, name: str, **kwargs) -> Worker:
        worker = Worker(name, **kwargs)
        self.started.append(worker)
        return worker

    def redis(self, port: int | None = None) -> RedisServer:
        server = RedisServer(self.tmp_path / f"redis-{len(self.started)}", port)
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for process in reversed(self.started):
            try:
                process.stop() if isinstance(process, Worker) else process.kill()
            except Exception as exc:  # keep stopping the others
                print(f"Could not stop {process}: {exc}", file=sys.stderr)


def reset_broker_connections(app) -> None:
    """Close and forget the pooled broker connections and producers (kombu keeps its pools in a
    registry by URL: closing one without clearing it leaves a closed pool to the next user), so the
    next publish connects anew."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(app, url: str):
    """Point this process' Celery app at ``url`` for a while (publishing and control), then back.
    Celery reads CELERY_BROKER_URL from the environment before its own setting: both change."""
    previous, previous_env = app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    reset_broker_connections(app)
    app.conf.broker_url = os.environ["CELERY_BROKER_URL"] = url
    try:
        target = app.connection_for_write()
        assert f"redis://{target.hostname}:{target.port}/" in url, target.as_uri()
        yield
    finally:
        reset_broker_connections(app)
        app.conf.broker_url = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env


def mails(outbox: Path) -> list[Message]:
    """Every e-mail the file-based backend wrote into ``outbox`` (one file may hold several)."""
    messages = []
    for path in sorted(outbox.iterdir()):
        for chunk in path.read_bytes().split(MAIL_SEPARATOR):
            if chunk.strip():
                messages.append(message_from_bytes(chunk))
    return messages


def stored_files(root: Path) -> list[str]:
    """The letters' PDFs in storage, as names relative to the storage root."""
    folder = root / "letters"
    return (
        sorted(str(p.relative_to(root)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    )


def unacked(url: str, queue: str) -> dict[str, dict]:
    """The messages of ``queue`` delivered but not acknowledged (kombu's Redis ``unacked`` hash), by
    delivery tag: their headers (task name, ``argsrepr``)."""
    client = redis.Redis.from_url(url)
    try:
        found = {}
        for tag, raw in client.hgetall("unacked").items():
            message, _exchange, routing_key = json.loads(raw)
            if routing_key == queue:
                found[tag.decode()] = message["headers"]
        return found
    finally:
        client.close()


def queue_length(url: str, queue: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return client.llen(queue)
    finally:
        client.close()


def restore_unacked(url: str, tag: str) -> None:
    """Put one unacknowledged message back on its queue, as kombu does once the visibility timeout
    has passed (``QoS.restore_by_tag``) — only this one: others' in the same database are left alone."""
    from kombu import Connection

    with Connection(url) as connection:
        connection.default_channel.qos.restore_by_tag(tag)
