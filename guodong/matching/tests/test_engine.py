"""Properties of the allocation engine on random instances, against an independent LP optimum."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from guodong.matching.engine import UNMET_COST as UNMET
from guodong.matching.engine import Points, distances_m, greedy, solve, solve_full


def lp_optimum(supply: Points, demand: Points) -> int:
    """The same problem as a linear program solved by SciPy's HiGHS (an independent solver)."""
    n, m = len(supply), len(demand)
    d = np.stack([distances_m(supply, np.arange(n), demand, j) for j in range(m)], axis=1)
    costs = np.concatenate([d.ravel(), np.full(m, UNMET)])
    supply_rows = np.zeros((n, n * m + m))
    for s in range(n):
        supply_rows[s, s * m : (s + 1) * m] = 1
    demand_rows = np.zeros((m, n * m + m))
    for j in range(m):
        demand_rows[j, j : n * m : m] = 1
        demand_rows[j, n * m + j] = 1
    result = linprog(
        costs, A_ub=supply_rows, b_ub=supply.quantity, A_eq=demand_rows, b_eq=demand.quantity,
        bounds=(0, None), method="highs",
    )  # fmt: skip
    assert result.status == 0
    return round(result.fun)


def instances() -> st.SearchStrategy:
    def points(size: st.SearchStrategy, low: int, high: int) -> st.SearchStrategy:
        return size.flatmap(
            lambda k: st.tuples(
                st.lists(st.floats(30.4, 31.0), min_size=k, max_size=k),
                st.lists(st.floats(120.3, 121.2), min_size=k, max_size=k),
                st.lists(st.integers(low, high), min_size=k, max_size=k),
            ).map(lambda t: Points(np.array(t[0]), np.array(t[1]), np.array(t[2], dtype=np.int64)))
        )

    return st.tuples(points(st.integers(1, 14), 0, 9), points(st.integers(1, 5), 1, 15))


@settings(max_examples=60, deadline=None)
@given(instances(), st.sampled_from([0.1, 0.5, 2.0]))
def test_allocation_is_feasible_and_as_cheap_as_the_lp_optimum(instance, cover):
    supply, demand = instance
    result = solve(supply, demand, cover=cover)
    taken = np.bincount(result.supply_index, weights=result.quantity, minlength=len(supply))
    assert np.all(taken <= supply.quantity), "no holding over-allocated"
    served = np.bincount(result.demand_index, weights=result.quantity, minlength=len(demand))
    assert np.array_equal(served + result.unmet, demand.quantity)
    shortfall = max(0, int(demand.quantity.sum()) - int(supply.quantity.sum()))
    assert int(result.unmet.sum()) == shortfall, "unmet only where no supply is left"
    assert result.cost + UNMET * int(result.unmet.sum()) == lp_optimum(supply, demand)


@settings(max_examples=30, deadline=None)
@given(instances())
def test_greedy_is_never_better_and_the_full_graph_agrees(instance):
    supply, demand = instance
    exact, full = solve(supply, demand), solve_full(supply, demand)
    assert exact.cost == full.cost
    quick = greedy(supply, demand)
    assert int(quick.unmet.sum()) >= int(exact.unmet.sum())
    if int(quick.unmet.sum()) == int(exact.unmet.sum()):
        assert quick.cost >= exact.cost


def test_the_certificate_adds_arcs_the_pruning_left_out():
    # Line 0 is nearest to the only large supply; line 1 sits between it and a far small one.
    supply = Points(
        np.array([30.70, 30.90, 30.50]), np.array([120.70, 120.90, 120.50]), np.array([10, 10, 10])
    )
    demand = Points(np.array([30.71, 30.69]), np.array([120.71, 120.69]), np.array([10, 10]))
    pruned_only = solve(supply, demand, cover=0.1)
    assert pruned_only.rounds > 1
    assert pruned_only.cost == solve_full(supply, demand).cost
    assert int(pruned_only.unmet.sum()) == 0


def test_a_large_instance_matches_the_full_graph_with_far_fewer_arcs():
    rng = np.random.default_rng(7)
    supply = Points(
        30.4 + rng.random(3000) * 0.7, 120.3 + rng.random(3000) * 0.9, rng.integers(0, 8, 3000)
    )
    demand = Points(
        30.4 + rng.random(25) * 0.7, 120.3 + rng.random(25) * 0.9, rng.integers(5, 80, 25)
    )
    exact, full = solve(supply, demand), solve_full(supply, demand)
    assert exact.cost == full.cost
    assert exact.arcs < full.arcs / 20


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same length"):
        Points(np.array([30.0]), np.array([120.0, 121.0]), np.array([1]))
    with pytest.raises(ValueError, match="negative"):
        Points(np.array([30.0]), np.array([120.0]), np.array([-1]))


def test_nothing_to_allocate():
    demand = Points(np.array([30.7]), np.array([120.7]), np.array([5]))
    empty = Points(np.array([]), np.array([]), np.array([], dtype=np.int64))
    assert solve(empty, demand).unmet.tolist() == [5]
