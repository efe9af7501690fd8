"""Counts for the run's summary: routes by kind, cells executed and the time they took."""

from collections import Counter

ROUTES: Counter = Counter()
SEEN: set = set()  # canary labels found in an answer to a role allowed to read them
CELLS: Counter = Counter()
SECONDS: Counter = Counter()
CPU: Counter = Counter()


def record(route, cells: int, seconds: float, cpu: float) -> None:
    ROUTES[route.kind] += 1
    CELLS[route.kind] += cells
    SECONDS[route.kind] += seconds
    CPU[route.kind] += cpu


def seen(labels) -> None:
    SEEN.update(labels)


def summary() -> str:
    if not CELLS:
        return ""
    parts = ", ".join(
        f"{kind} {ROUTES[kind]} routes / {CELLS[kind]} cells / {SECONDS[kind]:.1f} s"
        for kind in ("portal", "api", "admin")
        if ROUTES[kind]
    )
    total = sum(CELLS.values())
    seconds, cpu = sum(SECONDS.values()), sum(CPU.values())
    return f"authorisation matrix: {parts}; {total} cells in {seconds:.1f} s ({cpu:.1f} s of CPU)"
