"""Measuring for the load benchmark (``bench/load.py``): ``wrk`` runs and the CPU the server spends."""

import json
import os
import resource
import shutil
import subprocess
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class WrkError(RuntimeError):
    """wrk is missing or failed."""


def admin_connection(pg_url: str):
    """A connection to the server's maintenance database ``postgres`` (create, drop, watch)."""
    return psycopg.connect(pg_url.rstrip("/") + "/postgres", autocommit=True, connect_timeout=5)


# --- CPU accounting -----------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU of this script's finished subprocesses so far: wrk's, measured around each run."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _children(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


class CpuProbe:
    """CPU spent by the gunicorn workers and by the PostgreSQL backends serving the benchmark's
    database: per request, it does not depend on what else runs on the machine as throughput does."""

    def __init__(self, server: subprocess.Popen, pg_url: str, database: str):
        self.server, self.pg_url, self.database = server, pg_url, database

    def snapshot(self) -> dict[str, dict[int, float]]:
        with admin_connection(self.pg_url) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database])
            backends = [pid for (pid,) in rows]
        return {
            "web": {pid: _cpu_seconds(pid) for pid in _children(self.server.pid)},
            "db": {pid: _cpu_seconds(pid) for pid in backends},
        }

    def spent(self, before: dict) -> dict[str, float]:
        """Seconds of CPU since ``before`` (a backend closed in between takes its share with it)."""
        after = self.snapshot()
        return {
            kind: sum(max(0.0, cpu - before[kind].get(pid, 0.0)) for pid, cpu in after[kind].items())
            for kind in after
        }


# --- wrk ----------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        subprocess.run(["bash", str(ROOT / ".ci" / "apt-ensure"), "wrk"], check=True, timeout=600)
    path = shutil.which("wrk")
    if not path:
        raise WrkError("wrk is not installed (apt-get install wrk)")
    return path


def run_wrk(wrk: str, port: int, path: str, cookies: dict[str, str], *, seconds: float, clients: int) -> dict:
    command = [
        *(wrk, "--threads", "1", "--connections", str(clients), "--duration", f"{seconds:g}s"),
        *("--timeout", "10s", "--script", str(ROOT / "bench" / "load.lua")),
        *("--header", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())),
        f"http://{HOST}:{port}{path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise WrkError(f"wrk failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return json.loads(line.removeprefix("WRK_JSON "))
