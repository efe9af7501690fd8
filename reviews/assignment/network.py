"""The min-cost-flow network behind :func:`reviews.assignment.solver.solve`.

Nodes (``A`` applications, ``R`` reviewers)::

    0                      source
    1 .. R                 reviewer r          -> node 1 + r
    R+1 .. R+A             application a, main -> node 1 + R + a
    R+A+1 .. R+2A          application a, lay  -> node 1 + R + A + a   (only when lay_quota > 0)

Pinned pairs are pre-assigned and taken out of the network: application ``a`` then still needs
``k_left[a] = k - pins(a)`` reviews, of which ``lay_left[a] = max(0, N - lay pins(a))`` lay; reviewer
``r`` keeps ``max_left[r] = max_load[r] - pins(r)`` and ``min_left[r] = max(0, min_load[r] - pins(r))``.

Arcs (all capacity/costs integral):

* reviewer -> application, one per allowed, unpinned pair, capacity 1, cost ``-P*T + h`` (below).
  Lay reviewers point at the application's lay node, the others at its main node.
* source -> reviewer, capacity ``max_left - min_left``; reviewer ``r`` itself supplies ``min_left[r]``,
  the source supplies the rest, ``D - sum(min_left)`` with ``D = sum(k_left)``. A reviewer node has
  no other way out than its application arcs, so its load is ``min_left + inflow`` in
  ``[min_left, max_left]`` and supplies balance demands exactly -- no slack node is needed.
* lay node -> main node, capacity ``k_left - lay_left``; the lay node demands ``lay_left`` and the
  main node ``k_left - lay_left``. With ``f`` units on that arc the application gets
  ``lay_left + f`` lay and ``k_left - lay_left - f`` non-lay reviewers: exactly ``k_left`` in total
  with at least ``lay_left`` lay (``f >= 0``), and every split with ``>= lay_left`` lay is reachable
  (``0 <= f <= k_left - lay_left``). So the network encodes "exactly k, at least N lay" exactly.

Costs and the tie-break. ``P = round(affinity * 1e6)`` (the affinity on a 1e-6 grid) and ``h(a, r)``
is a fixed pseudo-random key in ``[0, t_max)`` (a splitmix64 hash of ``a * R + r``). Every feasible
flow uses exactly ``D`` pair arcs, so its key sum ``H`` lies in ``[0, D * (t_max - 1)]``; we pick
``T = D * (t_max - 1) + 1 > H``. If assignment X has a larger grid total than Y then
``P(X) >= P(Y) + 1`` and ``cost(X) = -T P(X) + H(X) <= -T P(Y) - T + H(X) < -T P(Y) + H(Y) = cost(Y)``
because ``H(X) - H(Y) < T``. Hence the minimum-cost flow maximises the grid total first (the
perturbation never changes which totals are optimal) and, among equal totals, minimises the key
sum: the documented tie-break. The pseudo-random keys make a remaining tie (equal total *and* equal
key sum) very unlikely; should one happen, OR-Tools is still deterministic on our fixed arc order,
so the same input always gives the same assignment. ``t_max`` is as large as OR-Tools' cost range
allows (``|cost| * (nodes + 1) < 2**61``); when that leaves no room, keys are switched off.
"""

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

AFFINITY_SCALE = 10**6
_COST_LIMIT = 2**61
_MAX_TIE_KEY = 2**20
_CHUNK = 1 << 21  # pair arcs handed to OR-Tools per call


@dataclass
class Requirements:
    """What is left to assign once pinned pairs are taken out."""

    k_left: np.ndarray  # (A,)
    lay_left: np.ndarray  # (A,)
    max_left: np.ndarray  # (R,)
    min_left: np.ndarray  # (R,)


@dataclass
class Network:
    """Pair arcs come first (arc i <-> pair i), then source and lay arcs (``extra_*``).

    Pair arcs are generated chunk by chunk from ``app_idx`` / ``rev_idx`` so that no full-length
    temporary (heads, capacities, costs) is ever held besides OR-Tools' own copy.
    """

    n_nodes: int
    use_lay: bool
    app_idx: np.ndarray  # (n_pairs,) int32, application of pair arc i
    rev_idx: np.ndarray  # (n_pairs,) int32, reviewer of pair arc i
    is_lay: np.ndarray  # (R,) bool
    extra_tails: np.ndarray
    extra_heads: np.ndarray
    extra_caps: np.ndarray
    supplies: np.ndarray  # (n_nodes,)
    demand: int  # D, the flow carried by pair arcs
    n_apps: int
    n_revs: int

    @property
    def n_pairs(self) -> int:
        return len(self.app_idx)

    def chunks(self):
        for lo in range(0, self.n_pairs, _CHUNK):
            yield lo, min(lo + _CHUNK, self.n_pairs)

    def pair_arcs(self, lo: int, hi: int):
        """(tails, heads, capacities) of pair arcs ``lo:hi``."""
        rev = self.rev_idx[lo:hi]
        heads = self.app_idx[lo:hi] + np.int32(1 + self.n_revs)
        if self.use_lay:
            heads[self.is_lay[rev]] += self.n_apps  # lay reviewers feed the lay node
        return rev + np.int32(1), heads, np.ones(hi - lo, np.int64)


def requirements(problem) -> Requirements:
    a_count, r_count = problem.affinity.shape
    pins = problem.pinned
    pin_app = np.bincount(pins[:, 0], minlength=a_count)
    pin_lay = np.bincount(pins[:, 0], weights=problem.is_lay[pins[:, 1]], minlength=a_count).astype(np.int64)
    pin_rev = np.bincount(pins[:, 1], minlength=r_count)
    return Requirements(
        k_left=problem.k - pin_app,
        lay_left=np.maximum(problem.lay_quota - pin_lay, 0),
        max_left=problem.max_load - pin_rev,
        min_left=np.maximum(problem.min_load - pin_rev, 0),
    )


def grid_affinity(affinity: np.ndarray) -> np.ndarray:
    """Affinity on the 1e-6 integer grid the optimiser maximises."""
    return np.rint(affinity * AFFINITY_SCALE).astype(np.int64)


def tie_keys(app_idx: np.ndarray, rev_idx: np.ndarray, n_revs: int, t_max: int) -> np.ndarray:
    """splitmix64 of ``a * R + r + 1`` reduced to ``[0, t_max)``: depends on the indices only."""
    x = app_idx.astype(np.uint64) * np.uint64(n_revs) + rev_idx.astype(np.uint64) + np.uint64(1)
    x *= np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x % np.uint64(t_max)).astype(np.int64)


def build(problem, req: Requirements, pair_mask: np.ndarray) -> Network:
    """The network; ``pair_mask`` (A, R) marks the pairs that may be used (pins excluded)."""
    a_count, r_count = problem.affinity.shape
    use_lay = problem.lay_quota > 0
    n_nodes = 1 + r_count + a_count * (2 if use_lay else 1)
    # Row-major nonzero = pairs sorted by (a, r): a fixed arc order. Indices fit in int32.
    flat = np.flatnonzero(pair_mask)
    app_idx, rev_idx = np.divmod(flat, r_count)
    del flat
    main = (1 + r_count + np.arange(a_count)).astype(np.int32)
    extra_t = [np.zeros(r_count, np.int32)]
    extra_h = [np.arange(1, r_count + 1, dtype=np.int32)]
    extra_c = [req.max_left - req.min_left]
    supplies = np.zeros(n_nodes, np.int64)
    demand = int(req.k_left.sum())
    supplies[0] = demand - int(req.min_left.sum())
    supplies[1 : r_count + 1] = req.min_left
    if use_lay:
        extra_t.append(main + a_count)
        extra_h.append(main)
        extra_c.append(req.k_left - req.lay_left)
        supplies[main] = -(req.k_left - req.lay_left)
        supplies[main + a_count] = -req.lay_left
    else:
        supplies[main] = -req.k_left
    return Network(
        n_nodes=n_nodes,
        use_lay=use_lay,
        app_idx=app_idx.astype(np.int32),
        rev_idx=rev_idx.astype(np.int32),
        is_lay=problem.is_lay,
        extra_tails=np.concatenate(extra_t),
        extra_heads=np.concatenate(extra_h),
        extra_caps=np.concatenate(extra_c).astype(np.int64),
        supplies=supplies,
        demand=demand,
        n_apps=a_count,
        n_revs=r_count,
    )


def cost_scale(net: Network, *, tie_break: bool = True) -> tuple[int, int]:
    """``(T, t_max)`` of the module docstring; ``t_max = 1`` switches the tie-break keys off."""
    d = max(net.demand, 1)
    t_cap = _COST_LIMIT // (net.n_nodes + 1) // (AFFINITY_SCALE + 1)
    t_max = min((t_cap - 1) // d + 1, _MAX_TIE_KEY) if tie_break and t_cap > d else 1
    return (d * (t_max - 1) + 1, t_max) if t_max > 1 else (1, 1)


def min_cost_flow_solve(net: Network, affinity: np.ndarray, *, tie_break: bool = True):
    """Run OR-Tools with costs ``-P*T + h``; return (status name, flows on the pair arcs or None)."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    scale, t_max = cost_scale(net, tie_break=tie_break)
    for lo, hi in net.chunks():
        a, r = net.app_idx[lo:hi], net.rev_idx[lo:hi]
        costs = -grid_affinity(affinity[a, r]) * scale
        if t_max > 1:
            costs += tie_keys(a, r, net.n_revs, t_max)
        smcf.add_arcs_with_capacity_and_unit_cost(*net.pair_arcs(lo, hi), costs)
    zero = np.zeros(len(net.extra_tails), np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(net.extra_tails, net.extra_heads, net.extra_caps, zero)
    smcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), net.supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        return status.name, None
    return "OPTIMAL", smcf.flows(np.arange(net.n_pairs, dtype=np.int32))


def _max_flow(net: Network):
    """Max flow from a super source (feeding supplies) to a super sink (taking demands)."""
    s_star, t_star = net.n_nodes, net.n_nodes + 1
    pos = np.nonzero(net.supplies > 0)[0].astype(np.int32)
    neg = np.nonzero(net.supplies < 0)[0].astype(np.int32)
    smf = max_flow.SimpleMaxFlow()
    for lo, hi in net.chunks():
        smf.add_arcs_with_capacity(*net.pair_arcs(lo, hi))
    tails = np.concatenate([net.extra_tails, np.full(len(pos), s_star, np.int32), neg])
    heads = np.concatenate([net.extra_heads, pos, np.full(len(neg), t_star, np.int32)])
    caps = np.concatenate([net.extra_caps, net.supplies[pos], -net.supplies[neg]])
    smf.add_arcs_with_capacity(tails, heads, caps)
    status = smf.solve(s_star, t_star)
    if status != smf.OPTIMAL:  # pragma: no cover - only on overflow
        raise RuntimeError(f"max flow failed: {status.name}")
    return smf, pos, neg


def is_feasible(net: Network) -> bool:
    smf, _, _ = _max_flow(net)
    return smf.optimal_flow() == int(net.supplies[net.supplies > 0].sum())


def _names(indices: np.ndarray, limit: int = 12) -> str:
    shown = ", ".join(str(int(i)) for i in indices[:limit])
    return shown + (f" and {len(indices) - limit} more" if len(indices) > limit else "")


def flow_causes(net: Network, req: Requirements) -> list[str]:
    """Explain an infeasible network through a minimum cut of its max flow."""
    smf, pos, neg = _max_flow(net)
    total = int(net.supplies[net.supplies > 0].sum())
    shortfall = total - smf.optimal_flow()
    if shortfall <= 0:
        return []
    source_side = np.zeros(net.n_nodes + 2, bool)
    source_side[np.asarray(smf.get_source_side_min_cut(), dtype=np.int64)] = True
    a_count, r_count = net.n_apps, net.n_revs
    first_app = 1 + r_count
    causes = []
    sink_side = np.zeros(net.n_nodes + 2, bool)
    sink_side[np.asarray(smf.get_sink_side_min_cut(), dtype=np.int64)] = True
    # Demand nodes that can still reach the sink form the smallest Hall-violating set: all unserved
    # demand lies there and whatever reaches them crosses a minimum cut.
    cut_nodes = neg[sink_side[neg]]
    if len(cut_nodes):
        apps = np.unique((cut_nodes - first_app) % a_count)
        need = int(-net.supplies[cut_nodes].sum())
        is_lay_node = cut_nodes >= first_app + a_count
        lay_need = int(-net.supplies[cut_nodes[is_lay_node]].sum())
        what, who = "reviews", "reviewers"
        if is_lay_node.all():
            what, who = "lay reviews", "lay reviewers"
        elif lay_need:
            what = f"reviews ({lay_need} of them from lay reviewers)"
        causes.append(
            f"Applications {_names(apps)} need {need} {what} between them but their eligible {who} "
            f"can provide at most {need - shortfall} once every other application is served"
        )
    # Reviewers whose minimum load cannot be placed can still be reached from the source.
    revs = pos[(pos >= 1) & (pos <= r_count)]
    stuck = revs[source_side[revs]] - 1
    stuck = stuck[req.min_left[stuck] > 0]
    if len(stuck) and not source_side[0]:
        causes.append(
            f"Reviewers {_names(stuck)} cannot all reach their minimum loads with the applications "
            "they are eligible for"
        )
    if not causes:
        causes.append(f"Only {total - shortfall} of the {total} required reviews can be placed")
    return causes
