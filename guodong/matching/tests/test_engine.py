"""Properties of the allocation engine on random instances, against an independent LP optimum."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from guodong.matching.engine import UNMET_COST as UNMET
from guodong.matching.engine import Group, Points, Rules, distances_m, greedy, solve, solve_full


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
    fun: float = result.fun
    return round(fun)


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


def lp_with_rules(supply: Points, demand: Points, rules: Rules) -> int:
    """The same problem with eligibility, nested group caps and penalties, solved by HiGHS."""
    n, m = len(supply), len(demand)
    d = np.stack([distances_m(supply, np.arange(n), demand, j) for j in range(m)], axis=1)
    assert rules.penalty is not None
    d = d + rules.penalty[:, None]
    costs = np.concatenate([d.ravel(), np.full(m, UNMET)])
    assert rules.supply_class is not None and rules.line_classes is not None
    eligible = np.stack([np.isin(rules.supply_class, rules.line_classes[j]) for j in range(m)], 1)
    upper = np.concatenate([np.where(eligible.ravel(), np.inf, 0), np.full(m, np.inf)])
    rows: list[np.ndarray] = []
    bounds: list[int] = []
    for s in range(n):
        row = np.zeros(n * m + m)
        row[s * m : (s + 1) * m] = 1
        rows.append(row)
        bounds.append(int(supply.quantity[s]))
    for group in rules.groups:
        for g, cap in enumerate(group.cap):
            row = np.zeros(n * m + m)
            for member in np.flatnonzero(group.member == g):
                row[member * m : (member + 1) * m] = 1
            rows.append(row)
            bounds.append(int(cap))
    demand_rows = np.zeros((m, n * m + m))
    for j in range(m):
        demand_rows[j, j : n * m : m] = 1
        demand_rows[j, n * m + j] = 1
    result = linprog(
        costs, A_ub=np.array(rows), b_ub=np.array(bounds), A_eq=demand_rows, b_eq=demand.quantity,
        bounds=list(zip(np.zeros(n * m + m), upper, strict=True)), method="highs",
    )  # fmt: skip
    assert result.status == 0
    fun: float = result.fun
    return round(fun)


@st.composite
def ruled_instances(draw: st.DrawFn) -> tuple[Points, Points, Rules]:
    supply, demand = draw(instances())
    n, m = len(supply), len(demand)
    klass = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    accepts = [
        np.array(sorted(draw(st.sets(st.integers(0, 2), min_size=1, max_size=3)))) for _ in range(m)
    ]
    township = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    owner = township * 2 + np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    caps = st.lists(st.integers(0, 20), min_size=1, max_size=1)
    township_cap = np.array([draw(caps)[0] for _ in range(3)])
    owner_cap = np.array([draw(caps)[0] for _ in range(6)])
    penalty = np.array(draw(st.lists(st.sampled_from([0, 0, 3000, 40000]), min_size=n, max_size=n)))
    rules = Rules(
        supply_class=klass, line_classes=accepts, penalty=penalty,
        groups=(Group(township, township_cap), Group(owner, owner_cap)),
    )  # fmt: skip
    return supply, demand, rules


@settings(max_examples=80, deadline=None)
@given(ruled_instances(), st.sampled_from([0.1, 2.0]))
def test_eligibility_caps_and_penalties_keep_the_lp_optimum(instance, cover):
    supply, demand, rules = instance
    result = solve(supply, demand, cover=cover, rules=rules)
    taken = np.bincount(result.supply_index, weights=result.quantity, minlength=len(supply))
    assert np.all(taken <= supply.quantity), "no holding over-allocated"
    for group in rules.groups:
        drawn = np.bincount(group.member[result.supply_index], weights=result.quantity,
                            minlength=len(group.cap))  # fmt: skip
        assert np.all(drawn <= group.cap), "no group over its cap"
    for s, j in zip(result.supply_index, result.demand_index, strict=True):
        assert rules.supply_class[s] in rules.line_classes[j], "only accepted classes serve"
    assert result.cost + UNMET * int(result.unmet.sum()) == lp_with_rules(supply, demand, rules)
    full = solve_full(supply, demand, rules=rules)
    assert full.cost + UNMET * int(full.unmet.sum()) == result.cost + UNMET * int(
        result.unmet.sum()
    )


def test_groups_that_do_not_nest_are_refused():
    supply = Points(np.array([30.7, 30.8]), np.array([120.7, 120.8]), np.array([5, 5]))
    demand = Points(np.array([30.75]), np.array([120.75]), np.array([4]))
    rules = Rules(groups=(Group(np.array([0, 1]), np.array([9, 9])),
                          Group(np.array([0, 0]), np.array([9]))))  # fmt: skip
    with pytest.raises(ValueError, match="nest"):
        solve_full(supply, demand, rules=rules)
