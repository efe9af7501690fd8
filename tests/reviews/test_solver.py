"""The assignment optimiser against an exact MILP (HiGHS) on many small random instances.

Pure numpy/scipy tests: no database is touched.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, vstack

from reviews.assignment.solver import (
    AssignmentProblem,
    InfeasibleAssignment,
    check_feasibility,
    count_violations,
    solve,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def milp_optimum(p: AssignmentProblem) -> float | None:
    """Exact integer optimum of the same problem, or None when it is infeasible."""
    a_count, r_count = p.shape
    if (~p.allowed[p.pinned[:, 0], p.pinned[:, 1]]).any():
        return None
    n = a_count * r_count
    if n == 0:
        return 0.0 if (p.k == 0 or a_count == 0) and (p.min_load == 0).all() else None
    apps, revs = np.divmod(np.arange(n), r_count)
    ones = np.ones(n)
    by_app = coo_array((ones, (apps, np.arange(n))), shape=(a_count, n))
    by_lay = coo_array((p.is_lay[revs].astype(float), (apps, np.arange(n))), shape=(a_count, n))
    by_rev = coo_array((ones, (revs, np.arange(n))), shape=(r_count, n))
    lower = np.zeros((a_count, r_count))
    lower[p.pinned[:, 0], p.pinned[:, 1]] = 1
    res = milp(
        c=-p.affinity.ravel(),
        integrality=np.ones(n),
        bounds=Bounds(lower.ravel(), p.allowed.ravel().astype(float)),
        constraints=LinearConstraint(
            vstack([by_app, by_lay, by_rev]).tocsr(),
            np.concatenate([np.full(a_count, p.k), np.full(a_count, p.lay_quota), p.min_load]),
            np.concatenate([np.full(a_count, p.k), np.full(a_count, np.inf), p.max_load]),
        ),
    )
    return -res.fun if res.status == 0 else None


@st.composite
def problems(draw, *, with_pins=True):
    a_count = draw(st.integers(1, 6))
    r_count = draw(st.integers(1, 6))
    k = draw(st.integers(0, min(3, r_count)))
    values = st.floats(0, 1) if draw(st.booleans()) else st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
    affinity = np.array(draw(st.lists(values, min_size=a_count * r_count, max_size=a_count * r_count)))
    conflict_rate = draw(st.sampled_from([0.0, 0.1, 0.3]))
    allowed = (
        np.array(draw(st.lists(st.floats(0, 1), min_size=a_count * r_count, max_size=a_count * r_count)))
        >= conflict_rate
    )
    forbidden = np.zeros(a_count * r_count, bool)  # forbidden pairs are removed exactly like conflicts
    forbidden[draw(st.lists(st.integers(0, a_count * r_count - 1), max_size=2))] = True
    allowed &= ~forbidden
    is_lay = np.array(draw(st.lists(st.booleans(), min_size=r_count, max_size=r_count)))
    low = draw(st.sampled_from([0, (a_count + 1) // 2, a_count]))  # mostly generous, sometimes tight
    max_load = np.array(draw(st.lists(st.integers(low, a_count), min_size=r_count, max_size=r_count)))
    min_load = None
    if draw(st.booleans()):
        min_load = np.array(draw(st.lists(st.integers(0, 2), min_size=r_count, max_size=r_count)))
        min_load = np.minimum(min_load, max_load)
    pins = []
    if with_pins and draw(st.booleans()):
        cells = st.tuples(st.integers(0, a_count - 1), st.integers(0, r_count - 1))
        pins = draw(st.lists(cells, max_size=3))
    return AssignmentProblem(
        affinity=affinity.reshape(a_count, r_count),
        allowed=allowed.reshape(a_count, r_count),
        k=k,
        max_load=max_load,
        min_load=min_load,
        is_lay=is_lay,
        lay_quota=draw(st.integers(0, min(1, k))),
        pinned=np.array(pins, dtype=np.int64).reshape(-1, 2),
    )


def assert_valid(p: AssignmentProblem, result) -> None:
    assert count_violations(p, result.pairs) == dict.fromkeys(count_violations(p, result.pairs), 0)
    assert len(result.pairs) == p.shape[0] * p.k
    assert result.total == pytest.approx(p.affinity[result.pairs[:, 0], result.pairs[:, 1]].sum())
    assert np.array_equal(result.load, np.bincount(result.pairs[:, 1], minlength=p.shape[1]))
    order = np.lexsort((result.pairs[:, 1], result.pairs[:, 0]))
    assert np.array_equal(order, np.arange(len(result.pairs)))


@SETTINGS
@given(problems())
def test_matches_exact_milp(p):
    optimum = milp_optimum(p)
    if optimum is None:
        with pytest.raises(InfeasibleAssignment) as info:
            solve(p)
        assert info.value.causes
        assert all(isinstance(c, str) and c for c in info.value.causes)
        assert check_feasibility(p)
        return
    assert check_feasibility(p) == []
    result = solve(p)
    assert_valid(p, result)
    # The optimiser maximises affinities rounded to 1e-6: within that resolution of the optimum.
    assert result.total == pytest.approx(optimum, abs=1e-6 * len(result.pairs) + 1e-7)
    assert result.worst_affinity == pytest.approx(result.per_application.min())


@SETTINGS
@given(problems())
def test_deterministic(p):
    if check_feasibility(p):
        return
    first = solve(p)
    again = solve(p)
    fresh = solve(
        AssignmentProblem(
            affinity=p.affinity.copy(),
            allowed=p.allowed.copy(),
            k=p.k,
            max_load=p.max_load.copy(),
            min_load=p.min_load.copy(),
            is_lay=p.is_lay.copy(),
            lay_quota=p.lay_quota,
            pinned=p.pinned[::-1].copy(),  # pin order does not matter
        )
    )
    assert np.array_equal(first.pairs, again.pairs)
    assert np.array_equal(first.pairs, fresh.pairs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_fairness_mode(p):
    if check_feasibility(p):
        return
    plain = solve(p)
    fair = solve(p, fairness=True)
    assert_valid(p, fair)
    assert fair.worst_affinity >= plain.worst_affinity - 1e-9
    assert fair.total <= plain.total + 1e-6 * len(plain.pairs) + 1e-9
    assert fair.plain_total == pytest.approx(plain.total)
    assert fair.fairness_cost == pytest.approx(plain.total - fair.total)


def test_ties_are_broken_the_same_way_every_time():
    p = AssignmentProblem(np.full((8, 8), 0.5), np.ones((8, 8), bool), k=2, max_load=2)
    runs = {solve(p).pairs.tobytes() for _ in range(5)}
    assert len(runs) == 1


def test_extra_lay_reviewers_still_count():
    # Both lay reviewers are the best; quota 1 must not stop the optimiser from taking two.
    p = AssignmentProblem(
        affinity=np.array([[0.9, 0.8, 0.1]]),
        allowed=np.ones((1, 3), bool),
        k=2,
        max_load=1,
        is_lay=np.array([True, True, False]),
        lay_quota=1,
    )
    assert solve(p).pairs.tolist() == [[0, 0], [0, 1]]


def test_lay_quota_beats_affinity():
    p = AssignmentProblem(
        affinity=np.array([[0.9, 0.8, 0.1]]),
        allowed=np.ones((1, 3), bool),
        k=2,
        max_load=1,
        is_lay=np.array([False, False, True]),
        lay_quota=1,
    )
    assert solve(p).pairs.tolist() == [[0, 0], [0, 2]]


def test_pins_and_minimum_loads_are_honoured():
    affinity = np.array([[0.9, 0.1, 0.5], [0.9, 0.2, 0.5]])
    p = AssignmentProblem(
        affinity, np.ones((2, 3), bool), k=1, max_load=2, min_load=[0, 1, 0], pinned=[[0, 2]]
    )
    result = solve(p)
    assert result.pairs.tolist() == [[0, 2], [1, 1]]
    assert result.total == pytest.approx(0.7)
    assert result.worst_application == 1


def test_fairness_raises_the_worst_application_and_reports_its_cost():
    # Reviewer 0 is everyone's favourite but can take one application.
    affinity = np.array([[1.0, 0.9], [0.6, 0.0]])
    p = AssignmentProblem(affinity, np.ones((2, 2), bool), k=1, max_load=1)
    plain = solve(p)
    fair = solve(p, fairness=True)
    assert plain.pairs.tolist() == [[0, 0], [1, 1]] or plain.total >= 1.0
    assert fair.worst_affinity >= plain.worst_affinity
    assert fair.fairness_cost == pytest.approx(plain.total - fair.total)


def _base(**overrides):
    kwargs = {
        "affinity": np.full((4, 4), 0.5),
        "allowed": np.ones((4, 4), bool),
        "k": 2,
        "max_load": 2,
        "is_lay": np.array([True, False, False, False]),
        "lay_quota": 0,
    }
    kwargs.update(overrides)
    return AssignmentProblem(**kwargs)


def _conflicted(rows, cols):
    allowed = np.ones((4, 4), bool)
    allowed[np.ix_(rows, cols)] = False
    return allowed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lay_quota": 3}, "The lay quota (3) exceeds the 2 reviewers each application gets"),
        ({"min_load": [3, 0, 0, 0]}, "Reviewer 0 has minimum load 3 above maximum load 2"),
        (
            {"allowed": _conflicted([1], [3]), "pinned": [[1, 3]]},
            "Pinned pair (1, 3) is a conflict or forbidden",
        ),
        ({"pinned": [[0, 2], [1, 2], [2, 2]]}, "Reviewer 2 is pinned to 3 applications but can take 2"),
        ({"k": 1, "pinned": [[0, 1], [0, 2]]}, "Application 0 is pinned to 2 reviewers but takes 1"),
        (
            {"lay_quota": 1, "pinned": [[2, 1], [2, 3]], "max_load": 3},
            "Application 2 has 2 pinned non-lay reviewers, leaving no room for the 1 lay reviewer it needs",
        ),
        (
            {"allowed": _conflicted([3], [0, 1, 2])},
            "Application 3 has only 1 eligible reviewer; 2 are needed",
        ),
        ({"allowed": _conflicted([3], [0, 1, 2, 3])}, "Application 3 has no eligible reviewer; 2 are needed"),
        (
            {"allowed": _conflicted([1], [0]), "lay_quota": 1},
            "Application 1 has no eligible lay reviewer; 1 is needed",
        ),
        ({"max_load": 1}, "Total reviewer capacity 4 is below the 8 reviews needed"),
        ({"lay_quota": 1}, "Lay reviewers can take 2 reviews in total but 4 lay reviews are needed"),
        ({"min_load": 2, "k": 1}, "Minimum loads add up to 8 but only 4 reviews are needed"),
        (
            {"allowed": _conflicted([0, 1, 2], [3]), "min_load": [0, 0, 0, 2]},
            "Reviewer 3 must take at least 2 applications but is eligible for only 1",
        ),
        (
            {"allowed": _conflicted([0, 1], [2, 3]), "max_load": [1, 1, 4, 4]},
            "Applications 0, 1 need 4 reviews between them but their eligible reviewers "
            "can provide at most 2 once every other application is served",
        ),
    ],
)
def test_infeasibility_messages(overrides, message):
    p = _base(**overrides)
    assert milp_optimum(p) is None
    assert message in check_feasibility(p)
    with pytest.raises(InfeasibleAssignment) as info:
        solve(p)
    assert message in info.value.causes


def test_minimum_loads_that_cannot_be_placed_name_the_reviewers():
    # Reviewers 0 and 1 both need one application, but only application 0 (k=1) is open to them.
    allowed = np.array([[True, True, False], [False, False, True]])
    p = AssignmentProblem(np.full((2, 3), 0.5), allowed, k=1, max_load=1, min_load=[1, 1, 0])
    causes = check_feasibility(p)
    assert (
        "Reviewers 0, 1 cannot all reach their minimum loads with the applications they are eligible for"
        in causes
    )
    with pytest.raises(InfeasibleAssignment):
        solve(p)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"affinity": np.full((2, 2), 1.5)},
        {"allowed": np.ones((3, 2), bool)},
        {"max_load": -1},
        {"pinned": [[5, 0]]},
        {"is_lay": [True]},
    ],
)
def test_invalid_input_is_rejected(kwargs):
    base = {"affinity": np.full((2, 2), 0.5), "allowed": np.ones((2, 2), bool), "k": 1, "max_load": 1}
    with pytest.raises(ValueError):  # noqa: PT011 - several messages
        AssignmentProblem(**(base | kwargs))
