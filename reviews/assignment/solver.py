"""Exact reviewer assignment: maximise total affinity as a min-cost flow (OR-Tools).

Pure numpy / OR-Tools; the Django layer converts its models into an :class:`AssignmentProblem`.
Constraints: exactly ``k`` reviewers per application, at least ``lay_quota`` of them lay, each
reviewer between ``min_load`` and ``max_load`` applications, disallowed pairs (conflicts, forbidden)
never used, pinned pairs always used. The network, the lay split, minimum loads, pins and the
tie-break are described (with the exactness argument) in :mod:`reviews.assignment.network`;
``docs/adr/0001-assignment-solver.md`` records the decision and measured figures.
"""

import time
from dataclasses import dataclass

import numpy as np

from reviews.assignment import network
from reviews.assignment.network import AFFINITY_SCALE

__all__ = [
    "AssignmentProblem",
    "AssignmentResult",
    "InfeasibleAssignment",
    "check_feasibility",
    "count_violations",
    "solve",
]

_LIST_LIMIT = 20  # per kind of cause, further items are summarised
_FAIR_ROUNDS = 6  # re-weighting rounds in fairness mode


class InfeasibleAssignment(Exception):
    """No assignment satisfies the constraints; ``causes`` says why, in plain words."""

    def __init__(self, causes: list[str]):
        self.causes = list(causes)
        super().__init__("; ".join(self.causes))


@dataclass
class AssignmentProblem:
    """Input of :func:`solve`. ``A`` applications (rows) by ``R`` reviewers (columns).

    ``max_load`` and ``min_load`` accept a scalar for "the same for everyone".
    ``pinned`` holds (application_index, reviewer_index) rows that must be in the assignment.
    """

    affinity: np.ndarray  # float (A, R) in [0, 1]
    allowed: np.ndarray  # bool (A, R); False = conflict or forbidden
    k: int
    max_load: np.ndarray  # int (R,)
    min_load: np.ndarray | None = None  # int (R,), default zeros
    is_lay: np.ndarray | None = None  # bool (R,), default all False
    lay_quota: int = 0
    pinned: np.ndarray | None = None  # int (P, 2)

    def __post_init__(self):
        self.affinity = np.asarray(self.affinity, dtype=np.float64)
        if self.affinity.ndim != 2:
            raise ValueError("affinity must be a 2-D array (applications x reviewers)")
        a_count, r_count = self.affinity.shape
        if (
            not np.all(np.isfinite(self.affinity))
            or self.affinity.min(initial=0) < 0
            or (self.affinity.max(initial=0) > 1)
        ):
            raise ValueError("affinity must be finite and within [0, 1]")
        self.allowed = np.asarray(self.allowed, dtype=bool)
        if self.allowed.shape != (a_count, r_count):
            raise ValueError("allowed must have the shape of affinity")
        self.k, self.lay_quota = int(self.k), int(self.lay_quota)
        if self.k < 0 or self.lay_quota < 0:
            raise ValueError("k and lay_quota must be non-negative")
        self.max_load = _per_reviewer(self.max_load, r_count, "max_load")
        self.min_load = _per_reviewer(0 if self.min_load is None else self.min_load, r_count, "min_load")
        lay = np.zeros(r_count, bool) if self.is_lay is None else np.asarray(self.is_lay, dtype=bool)
        if lay.shape != (r_count,):
            raise ValueError("is_lay must have one entry per reviewer")
        self.is_lay = lay
        pins = np.zeros((0, 2), np.int64) if self.pinned is None else np.asarray(self.pinned, np.int64)
        pins = pins.reshape(-1, 2)
        if len(pins) and (pins.min() < 0 or pins[:, 0].max() >= a_count or pins[:, 1].max() >= r_count):
            raise ValueError("pinned pairs must index existing applications and reviewers")
        self.pinned = np.unique(pins, axis=0)  # sorted, duplicates dropped

    @property
    def shape(self) -> tuple[int, int]:
        return self.affinity.shape


def _per_reviewer(value, r_count: int, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=np.int64), (r_count,)).copy()
    if arr.min(initial=0) < 0:
        raise ValueError(f"{name} must be non-negative")
    return arr


@dataclass
class AssignmentResult:
    pairs: np.ndarray  # int (n, 2) of (application, reviewer), sorted
    total: float  # total affinity of the assignment
    per_application: np.ndarray  # (A,) affinity sum per application
    worst_application: int  # lowest per-application sum; lowest index on ties; -1 if no application
    worst_affinity: float
    load: np.ndarray  # (R,) applications per reviewer
    solve_seconds: float
    fairness_cost: float | None = None  # plain optimum total - this total (fairness mode only)
    plain_total: float | None = None
    plain_worst_affinity: float | None = None
    min_pair_affinity: float | None = None  # fairness mode: the pair threshold that was imposed


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _listed(indices: np.ndarray, render) -> list[str]:
    out = [render(int(i)) for i in indices[:_LIST_LIMIT]]
    if len(indices) > _LIST_LIMIT:
        out.append(f"... and {len(indices) - _LIST_LIMIT} more like the above")
    return out


def _count_causes(problem: AssignmentProblem) -> list[str]:
    """Necessary conditions, all vectorised counts."""
    p = problem
    a_count, _ = p.shape
    k, n_lay = p.k, p.lay_quota
    causes: list[str] = []
    if n_lay > k:
        causes.append(f"The lay quota ({n_lay}) exceeds the {k} reviewers each application gets")
    bad = np.nonzero(p.min_load > p.max_load)[0]
    causes += _listed(
        bad, lambda r: f"Reviewer {r} has minimum load {p.min_load[r]} above maximum load {p.max_load[r]}"
    )
    pins = p.pinned
    pin_ok = p.allowed[pins[:, 0], pins[:, 1]]
    causes += _listed(
        np.nonzero(~pin_ok)[0],
        lambda i: f"Pinned pair ({pins[i, 0]}, {pins[i, 1]}) is a conflict or forbidden",
    )
    pin_rev = np.bincount(pins[:, 1], minlength=p.shape[1])
    causes += _listed(
        np.nonzero(pin_rev > p.max_load)[0],
        lambda r: f"Reviewer {r} is pinned to {pin_rev[r]} applications but can take {p.max_load[r]}",
    )
    pin_app = np.bincount(pins[:, 0], minlength=a_count)
    causes += _listed(
        np.nonzero(pin_app > k)[0],
        lambda a: f"Application {a} is pinned to {pin_app[a]} reviewers but takes {k}",
    )
    pin_nonlay = np.bincount(pins[:, 0], weights=~p.is_lay[pins[:, 1]], minlength=a_count).astype(int)
    causes += _listed(
        np.nonzero((pin_nonlay > k - n_lay) & (pin_app <= k))[0],
        lambda a: (
            f"Application {a} has {pin_nonlay[a]} pinned non-lay reviewers, leaving no room for "
            f"the {_plural(n_lay, 'lay reviewer')} it needs"
        ),
    )
    eligible = p.allowed.sum(axis=1)
    causes += _listed(
        np.nonzero(eligible < k)[0],
        lambda a: (
            f"Application {a} has "
            + (
                "no eligible reviewer"
                if eligible[a] == 0
                else f"only {_plural(eligible[a], 'eligible reviewer')}"
            )
            + f"; {k} are needed"
        ),
    )
    eligible_lay = (p.allowed & p.is_lay[None, :]).sum(axis=1)
    causes += _listed(
        np.nonzero((eligible_lay < n_lay) & (eligible >= k))[0],
        lambda a: (
            f"Application {a} has "
            + ("no eligible lay reviewer" if eligible_lay[a] == 0 else f"only {eligible_lay[a]} eligible lay")
            + f"; {n_lay} {'is' if n_lay == 1 else 'are'} needed"
        ),
    )
    needed = a_count * k
    capacity = int(p.max_load.sum())
    if capacity < needed:
        causes.append(f"Total reviewer capacity {capacity} is below the {needed} reviews needed")
    lay_capacity = int(p.max_load[p.is_lay].sum())
    if lay_capacity < a_count * n_lay:
        causes.append(
            f"Lay reviewers can take {lay_capacity} reviews in total "
            f"but {a_count * n_lay} lay reviews are needed"
        )
    min_total = int(p.min_load.sum())
    if min_total > needed:
        causes.append(f"Minimum loads add up to {min_total} but only {needed} reviews are needed")
    rev_eligible = p.allowed.sum(axis=0)
    causes += _listed(
        np.nonzero(rev_eligible < p.min_load)[0],
        lambda r: (
            f"Reviewer {r} must take at least {p.min_load[r]} applications but is eligible for "
            f"only {rev_eligible[r]}"
        ),
    )
    return causes


def _pair_mask(problem: AssignmentProblem, threshold: int | None = None, grid=None) -> np.ndarray:
    mask = problem.allowed.copy()
    if threshold is not None:
        mask &= grid >= threshold
    mask[problem.pinned[:, 0], problem.pinned[:, 1]] = False  # pre-assigned, not in the network
    return mask


def check_feasibility(problem: AssignmentProblem) -> list[str]:
    """Human-readable reasons why no assignment exists; empty when one does.

    Cheap counts first; when they all pass, a max flow over the network decides, and its minimum cut
    names the applications (or reviewers with minimum loads) that cannot be served together.
    """
    causes = _count_causes(problem)
    if causes:
        return causes
    req = network.requirements(problem)
    net = network.build(problem, req, _pair_mask(problem))
    return network.flow_causes(net, req)


def _optimise(problem: AssignmentProblem, req, mask: np.ndarray, affinity: np.ndarray):
    """Optimal pairs over the pairs in ``mask`` plus the pins; None if infeasible."""
    net = network.build(problem, req, mask)
    if net.demand == 0 and net.supplies[0] == 0:
        chosen = np.zeros(net.n_pairs, bool)
    else:
        status, flows = network.min_cost_flow_solve(net, affinity)
        if status == "BAD_COST_RANGE":  # keys did not fit: exact without the tie-break keys
            status, flows = network.min_cost_flow_solve(net, affinity, tie_break=False)
        if status in ("INFEASIBLE", "UNBALANCED"):
            return None, net
        if flows is None:
            raise RuntimeError(f"min-cost flow failed: {status}")
        chosen = flows > 0
    pairs = np.concatenate(
        [problem.pinned, np.stack([net.app_idx[chosen], net.rev_idx[chosen]], axis=1).astype(np.int64)]
    )
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))], net


def _result(problem: AssignmentProblem, pairs: np.ndarray, seconds: float) -> AssignmentResult:
    a_count, r_count = problem.shape
    weights = problem.affinity[pairs[:, 0], pairs[:, 1]]
    per_app = np.bincount(pairs[:, 0], weights=weights, minlength=a_count)
    worst = int(np.argmin(per_app)) if a_count else -1
    return AssignmentResult(
        pairs=pairs,
        total=float(weights.sum()),
        per_application=per_app,
        worst_application=worst,
        worst_affinity=float(per_app[worst]) if a_count else 0.0,
        load=np.bincount(pairs[:, 1], minlength=r_count),
        solve_seconds=seconds,
    )


def solve(problem: AssignmentProblem, *, fairness: bool = False) -> AssignmentResult:
    """Maximum-affinity assignment; raises :class:`InfeasibleAssignment` naming the causes.

    With ``fairness=True`` the worst-served application is raised first (see :func:`_fair`) and the
    result reports ``fairness_cost`` = plain optimum total - fair total (never negative).
    """
    started = time.perf_counter()
    causes = _count_causes(problem)
    if causes:
        raise InfeasibleAssignment(causes)
    req = network.requirements(problem)
    pairs, net = _optimise(problem, req, _pair_mask(problem), problem.affinity)
    if pairs is None:
        raise InfeasibleAssignment(network.flow_causes(net, req))
    del net
    result = _result(problem, pairs, 0.0)
    if fairness:
        result = _fair(problem, req, result)
    result.solve_seconds = time.perf_counter() - started
    return result


def _fair(problem, req, plain: AssignmentResult) -> AssignmentResult:
    """Fairness mode: raise the worst-served application, then maximise the total.

    Maximising the minimum *per-application sum* exactly is NP-hard (3-partition reduces to it), so
    we use the exact, polynomial bottleneck version: the largest threshold tau such that every
    application can still be given its reviewers from pairs with affinity >= tau (binary search over
    the distinct affinities, each step a max flow), then the maximum-total assignment among those
    pairs. The midpoint threshold between the plain optimum's weakest pair and tau is tried as well,
    and the plain optimum itself stays a candidate; the candidate with the best worst-served
    application (ties: higher total) wins. Hence worst-served >= plain and total <= plain always.
    Pinned pairs are exempt from the threshold.
    """
    pinned = np.zeros(problem.shape, bool)
    pinned[problem.pinned[:, 0], problem.pinned[:, 1]] = True
    free = ~pinned[plain.pairs[:, 0], plain.pairs[:, 1]]
    best = plain
    best_tau = None
    if free.any():
        grid = network.grid_affinity(problem.affinity)
        lo_val = int(grid[plain.pairs[free, 0], plain.pairs[free, 1]].min())
        cand = grid[problem.allowed & ~pinned]
        values = np.unique(cand[cand >= lo_val])
        lo, hi = 0, len(values) - 1  # values[lo] is feasible (the plain optimum uses only pairs >= it)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            net = network.build(problem, req, _pair_mask(problem, int(values[mid]), grid))
            if network.is_feasible(net):
                lo = mid
            else:
                hi = mid - 1
            del net
        for idx in sorted({lo, lo // 2} - {0}, reverse=True):
            pairs, _ = _optimise(problem, req, _pair_mask(problem, int(values[idx]), grid), problem.affinity)
            cand_result = _result(problem, pairs, 0.0)
            if _fairer(cand_result, best):
                best, best_tau = cand_result, values[idx]
    # Re-weighting rounds: double the weight of the applications that hold the minimum down and
    # maximise the weighted total (a Lagrangian-style heuristic for the per-application sums).
    weight = np.ones(problem.shape[0])
    latest = best
    mask = _pair_mask(problem)
    for _ in range(_FAIR_ROUNDS):
        weight[latest.per_application <= best.worst_affinity + 1e-9] *= 2.0
        scaled = (weight / weight.max())[:, None]
        pairs, _ = _optimise(problem, req, mask, problem.affinity * scaled)
        latest = _result(problem, pairs, 0.0)
        if _fairer(latest, best):
            best, best_tau = latest, None
    best.plain_total = plain.total
    best.plain_worst_affinity = plain.worst_affinity
    best.fairness_cost = plain.total - best.total
    best.min_pair_affinity = None if best_tau is None else float(best_tau) / AFFINITY_SCALE
    return best


def _fairer(a: AssignmentResult, b: AssignmentResult) -> bool:
    return (round(a.worst_affinity, 9), round(a.total, 9)) > (round(b.worst_affinity, 9), round(b.total, 9))


def count_violations(problem: AssignmentProblem, pairs: np.ndarray) -> dict[str, int]:
    """Independent check of an assignment: number of violations of each constraint."""
    a_count, r_count = problem.shape
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    per_app = np.bincount(pairs[:, 0], minlength=a_count)
    load = np.bincount(pairs[:, 1], minlength=r_count)
    lay = np.bincount(pairs[:, 0], weights=problem.is_lay[pairs[:, 1]], minlength=a_count)
    present = np.zeros(problem.shape, bool)
    present[pairs[:, 0], pairs[:, 1]] = True
    return {
        "duplicates": int(len(pairs) - len(np.unique(pairs, axis=0))),
        "reviewers_per_application": int((per_app != problem.k).sum()),
        "max_load": int((load > problem.max_load).sum()),
        "min_load": int((load < problem.min_load).sum()),
        "lay_quota": int((lay < problem.lay_quota).sum()),
        "conflicts": int((~problem.allowed[pairs[:, 0], pairs[:, 1]]).sum()),
        "pins": int((~present[problem.pinned[:, 0], problem.pinned[:, 1]]).sum()),
    }
