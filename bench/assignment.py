"""Benchmark of the exact assignment optimiser (reviews.assignment.solver) on synthetic calls.

Usage: ``python bench/assignment.py --size small|medium|large|all`` prints one JSON object per size.

Each size runs in a fresh subprocess so sizes do not pollute each other's memory figures. Peak
memory is the process's peak resident set size (``VmHWM``) *during* ``solve``: the high-water mark
is reset through ``/proc/self/clear_refs`` right before the call, so the figure includes the
instance arrays that are resident (affinity, allowed) but not the generator's temporaries. Where
``clear_refs`` is unavailable the whole-process ``ru_maxrss`` is reported instead (``peak_method``).

Instances: topics with Zipf popularity, sparse topic mixes (1-3 per application, 1-4 per
reviewer), affinity = 0.9 * cosine + 0.1 * noise (lay reviewers 0.6 * cosine + 0.1 * noise), a
random 2-5 % conflict rate per application plus same-institution conflicts, a third of the
reviewers lay, k = 3, at least one lay reviewer per application. The LP optimum (small, medium) is
the LP relaxation solved by SciPy's HiGHS; the constraint matrix is totally unimodular, so the LP
optimum equals the integer optimum.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviews.assignment.solver import AssignmentProblem, count_violations, solve

SIZES = {
    # applications, reviewers, max load, topics
    "small": (200, 60, 12, 30),
    "medium": (2_000, 600, 12, 80),
    "large": (10_000, 2_500, 14, 150),
}
K, LAY_QUOTA, SEED = 3, 1, 20250601


def _topic_mix(rng, n, n_topics, popularity, max_topics):
    mix = np.zeros((n, n_topics))
    counts = rng.integers(1, max_topics + 1, n)
    for c in range(1, max_topics + 1):  # loop over a handful of mix sizes, not over items
        rows = np.nonzero(counts == c)[0]
        if not len(rows):
            continue
        # Gumbel top-c: c distinct topics per row, drawn by popularity, without a Python loop.
        keys = np.log(popularity)[None, :] - np.log(-np.log(rng.random((len(rows), n_topics))))
        picked = np.argpartition(-keys, c - 1, axis=1)[:, :c]
        mix[rows[:, None], picked] = rng.dirichlet(np.ones(c), len(rows))
    return mix / np.linalg.norm(mix, axis=1, keepdims=True)


def make_instance(size: str) -> AssignmentProblem:
    a_count, r_count, max_load, n_topics = SIZES[size]
    rng = np.random.default_rng(SEED)
    popularity = 1.0 / np.arange(1, n_topics + 1) ** 1.1
    apps = _topic_mix(rng, a_count, n_topics, popularity, 3)
    revs = _topic_mix(rng, r_count, n_topics, np.sqrt(popularity), 4)  # expertise is less skewed
    is_lay = rng.random(r_count) < 1 / 3
    n_inst = max(200, a_count // 10)  # about 1-2 % of pairs share an institution
    inst_pop = 1.0 / np.arange(1, n_inst + 1) ** 0.8
    inst_pop /= inst_pop.sum()
    app_inst = rng.choice(n_inst, a_count, p=inst_pop)
    rev_inst = rng.choice(n_inst, r_count, p=inst_pop)
    conflict_rate = rng.uniform(0.02, 0.05, a_count)
    affinity = np.empty((a_count, r_count))
    allowed = np.empty((a_count, r_count), bool)
    weight = np.where(is_lay, 0.6, 0.9)
    for start in range(0, a_count, 1000):  # chunks of rows keep the generator's memory low
        rows = slice(start, min(start + 1000, a_count))
        cos = apps[rows] @ revs.T
        noise = rng.random(cos.shape)
        affinity[rows] = np.clip(weight * cos + 0.1 * noise, 0.0, 1.0)
        allowed[rows] = (rng.random(cos.shape) >= conflict_rate[rows, None]) & (
            app_inst[rows, None] != rev_inst[None, :]
        )
    return AssignmentProblem(
        affinity=affinity, allowed=allowed, k=K, max_load=max_load, is_lay=is_lay, lay_quota=LAY_QUOTA
    )


def lp_optimum(p: AssignmentProblem) -> tuple[float, float]:
    """LP-relaxation optimum (= integer optimum) with HiGHS; returns (value, seconds)."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array, vstack

    started = time.perf_counter()
    a_idx, r_idx = np.nonzero(p.allowed)
    n, (a_count, r_count) = len(a_idx), p.shape
    cols = np.arange(n)
    by_app = csr_array((np.ones(n), (a_idx, cols)), shape=(a_count, n))
    by_rev = csr_array((np.ones(n), (r_idx, cols)), shape=(r_count, n))
    lay = p.is_lay[r_idx]
    by_lay = csr_array((-np.ones(lay.sum()), (a_idx[lay], cols[lay])), shape=(a_count, n))
    res = linprog(
        -p.affinity[a_idx, r_idx],
        A_ub=vstack([by_rev, by_lay, -by_rev]).tocsr(),
        b_ub=np.concatenate([p.max_load, np.full(a_count, -p.lay_quota), -p.min_load]),
        A_eq=by_app,
        b_eq=np.full(a_count, p.k),
        bounds=(0, 1),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"LP failed: {res.message}")
    return -res.fun, time.perf_counter() - started


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run(size: str) -> dict:
    problem = make_instance(size)
    a_count, r_count = problem.shape
    baseline_mb = _status_kb("VmRSS") / 1024
    exact_peak = _reset_peak()
    result = solve(problem)
    peak_mb = (
        _status_kb("VmHWM") / 1024
        if exact_peak
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    detail = count_violations(problem, result.pairs)
    out = {
        "size": size,
        "applications": a_count,
        "reviewers": r_count,
        "k": problem.k,
        "max_load": int(problem.max_load[0]),
        "lay_quota": problem.lay_quota,
        "lay_reviewers": int(problem.is_lay.sum()),
        "candidate_pairs": int(problem.allowed.sum()),
        "conflict_share": round(1 - problem.allowed.mean(), 4),
        "solve_seconds": round(result.solve_seconds, 3),
        "peak_mb": round(peak_mb, 1),
        "baseline_mb": round(baseline_mb, 1),
        "peak_method": "VmHWM reset before solve" if exact_peak else "ru_maxrss (whole process)",
        "total": round(result.total, 6),
        "lp_optimum": None,
        "gap": None,
        "worst_application": result.worst_application,
        "worst_affinity": round(result.worst_affinity, 6),
        "load_min": int(result.load.min()),
        "load_max": int(result.load.max()),
        "load_mean": round(float(result.load.mean()), 3),
        "violations": sum(detail.values()),
        "violation_detail": detail,
    }
    if size in ("small", "medium"):
        lp, lp_seconds = lp_optimum(problem)
        out.update(lp_optimum=round(lp, 6), gap=(lp - result.total) / lp, lp_seconds=round(lp_seconds, 3))
        fair = solve(problem, fairness=True)
        out.update(
            fair_worst_affinity=round(fair.worst_affinity, 6),
            fair_total=round(fair.total, 6),
            fairness_cost=round(fair.fairness_cost, 6),
            fair_seconds=round(fair.solve_seconds, 3),
            fair_violations=sum(count_violations(problem, fair.pairs).values()),
        )
    else:
        out["lp_note"] = "LP optimum computed for small and medium only (issue #4)"
    if size == "medium":
        out.update(pipeline_from_database())
    return out


def pipeline_from_database() -> dict:
    """The whole pipeline from the database (affinity, solve, saving the proposal), measured by
    bench/assignment_pipeline.py on a scratch SQLite database in a process of its own."""
    script = Path(__file__).with_name("assignment_pipeline.py")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "pipeline_seconds": figures["pipeline_seconds"],
        "pipeline_detail": {
            key: figures[key]
            for key in ("affinity_seconds", "solve_seconds", "save_seconds", "affinity_rows", "database")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=[*SIZES, "all"], default="all")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run(args.size)), flush=True)
        return
    sizes = list(SIZES) if args.size == "all" else [args.size]
    for size in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--size", size, "--worker"],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
        )
        print(done.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
