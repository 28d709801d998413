"""Certified-optimal allocation of supply points to demand lines by minimum-cost flow.

Costs are great-circle metres (integers), plus an optional per-unit penalty of a supply point
(for example a stale holding); quantities are integers (the caller scales decimals). A line that
cannot be served takes "unmet" units at a cost above any distance, so unmet quantity appears only
where no eligible supply is left.

`Rules` add what a real demand needs: which supply classes (type × readiness, say) each line
accepts, and nested groups with caps (owner inside township inside county: burden caps and the
reserve floors a division keeps back are both caps on a group).

The exact pruned method (DESIGN.md §5): each line first sees only its nearest eligible supply
points whose quantities add up to `cover` times its quantity; the flow is solved on that small
graph; then shortest-path potentials of the residual graph prove optimality over *all* eligible
arcs: an arc left out with a negative reduced cost is added and the flow solved again, until none
is left. See docs/adr/0005-matching-certificate.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

EARTH_RADIUS_M = 6_371_000.0
MAX_ROUNDS = 30
# The cost of one unmet unit: above any possible distance (half the earth is about 2e7 m) plus
# any sensible penalty.
UNMET_COST = 10**9


@dataclass(frozen=True)
class Points:
    """Columnar points with integer quantities: supply (holdings) or demand (lines)."""

    lat: np.ndarray
    lon: np.ndarray
    quantity: np.ndarray

    def __post_init__(self) -> None:
        sizes = {len(self.lat), len(self.lon), len(self.quantity)}
        if len(sizes) != 1:
            raise ValueError("lat, lon and quantity must have the same length")
        if len(self.quantity) and int(np.min(self.quantity)) < 0:
            raise ValueError("quantities cannot be negative")

    def __len__(self) -> int:
        return len(self.quantity)

    def unit_vectors(self) -> np.ndarray:
        lat, lon = np.radians(self.lat), np.radians(self.lon)
        return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


@dataclass(frozen=True)
class Group:
    """One level of capped groups: a group id per supply point (-1: none) and a cap per id."""

    member: np.ndarray
    cap: np.ndarray


@dataclass(frozen=True)
class Rules:
    """Eligibility, caps and penalties. The default: any supply serves any line, no caps."""

    supply_class: np.ndarray | None = None  # a class id per supply point
    line_classes: Sequence[np.ndarray] | None = None  # per line: the classes it accepts
    groups: Sequence[Group] = ()  # outermost first; each group lies inside one outer group
    penalty: np.ndarray | None = None  # non-negative extra cost per unit, per supply point


@dataclass
class Result:
    supply_index: np.ndarray  # one entry per allocation
    demand_index: np.ndarray
    quantity: np.ndarray
    distance_m: np.ndarray
    unmet: np.ndarray  # per demand line
    cost: int  # (metres + penalty) x units over allocations; unmet excluded
    rounds: int = 1
    arcs: int = 0
    considered: list[np.ndarray] = field(default_factory=list)  # per line: supply indices seen


def distances_m(supply: Points, index: np.ndarray, demand: Points, line: int) -> np.ndarray:
    """Integer great-circle metres from supply points `index` to one demand line."""
    lat1, lon1 = np.radians(supply.lat[index]), np.radians(supply.lon[index])
    lat2, lon2 = np.radians(demand.lat[line]), np.radians(demand.lon[line])
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    metres: np.ndarray = np.rint(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))))
    return metres.astype(np.int64)


class _Problem:
    """Supply, demand and rules with what every method needs precomputed."""

    def __init__(self, supply: Points, demand: Points, rules: Rules | None) -> None:
        rules = rules or Rules()
        self.supply, self.demand, self.groups = supply, demand, tuple(rules.groups)
        n = len(supply)
        klass = rules.supply_class if rules.supply_class is not None else np.zeros(n, np.int64)
        self.penalty = (
            rules.penalty.astype(np.int64) if rules.penalty is not None else np.zeros(n, np.int64)
        )
        if len(self.penalty) and int(self.penalty.min()) < 0:
            raise ValueError("penalties cannot be negative")
        # A point whose group has no room left can never be used: treat it as empty.
        usable = supply.quantity.astype(np.int64).copy()
        for group in self.groups:
            inside = group.member >= 0
            usable[inside] = np.minimum(usable[inside], group.cap[group.member[inside]])
        self.usable = usable
        self.line_classes = (
            [np.atleast_1d(c) for c in rules.line_classes]
            if rules.line_classes is not None
            else [np.zeros(1, np.int64)] * len(demand)
        )
        if len(self.line_classes) != len(demand):
            raise ValueError("one list of accepted classes per demand line")
        self.klass = klass
        order = np.argsort(klass, kind="stable")
        classes, starts = np.unique(klass[order], return_index=True)
        parts = np.split(order, starts[1:]) if len(order) else []
        self.members = {int(c): part for c, part in zip(classes, parts, strict=True)}

    def eligible(self, line: int) -> np.ndarray:
        parts = [self.members.get(int(c), np.empty(0, np.int64)) for c in self.line_classes[line]]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def accepts(self, line: int, index: np.ndarray) -> np.ndarray:
        return np.isin(self.klass[index], self.line_classes[line])


class _Trees:
    """One k-d tree per supply class, on 3-D unit vectors."""

    def __init__(self, problem: _Problem) -> None:
        vectors = problem.supply.unit_vectors()
        self.problem = problem
        self.trees = {c: (cKDTree(vectors[idx]), idx) for c, idx in problem.members.items()}

    def _of(self, line: int) -> list[tuple[cKDTree, np.ndarray]]:
        return [self.trees[int(c)] for c in self.problem.line_classes[line] if int(c) in self.trees]

    def nearest_covering(self, line: int, cover: float) -> np.ndarray:
        """Nearest eligible points whose usable quantities add up to `cover` x the line's."""
        problem = self.problem
        target = cover * float(problem.demand.quantity[line])
        point = _line_vector(problem.demand, line)
        trees = self._of(line)
        if not trees:
            return np.empty(0, np.int64)
        k = 16
        while True:
            found_d, found_i = [], []
            for tree, idx in trees:
                distance, local = tree.query(point, k=min(k, len(idx)))
                found_d.append(np.atleast_1d(distance))
                found_i.append(idx[np.atleast_1d(local)])
            distance, index = np.concatenate(found_d), np.concatenate(found_i)
            order = np.argsort(distance, kind="stable")
            index = index[order]
            enough = np.searchsorted(np.cumsum(problem.usable[index]), target)
            if enough < len(index) or all(k >= len(idx) for _, idx in trees):
                return index[: enough + 1]
            k *= 4

    def within(self, line: int, chord: float) -> np.ndarray:
        point = _line_vector(self.problem.demand, line)
        found = [
            idx[np.array(tree.query_ball_point(point, chord), dtype=np.int64)]
            for tree, idx in self._of(line)
        ]
        return np.concatenate(found) if found else np.empty(0, np.int64)


def _line_vector(demand: Points, line: int) -> np.ndarray:
    one = slice(line, line + 1)
    vector: np.ndarray = Points(
        demand.lat[one], demand.lon[one], demand.quantity[one]
    ).unit_vectors()[0]
    return vector


class _Graph:
    """The network: S → groups → supply → line → T, plus S → line "unmet" arcs."""

    def __init__(self, problem: _Problem) -> None:
        self.problem = problem
        self.pairs: list[np.ndarray] = [np.empty(0, np.int64) for _ in problem.demand.quantity]

    def add(self, line: int, supply_indices: np.ndarray) -> int:
        new = np.setdiff1d(supply_indices, self.pairs[line])
        new = new[self.problem.usable[new] > 0]
        if len(new):
            self.pairs[line] = np.union1d(self.pairs[line], new)
        return len(new)

    def solve(self) -> tuple[np.ndarray, np.ndarray]:
        """Solve the flow; return the flow on each (supply, line) pair arc and node potentials."""
        problem = self.problem
        supply, demand = problem.supply, problem.demand
        self.used = used = np.unique(np.concatenate([*self.pairs, np.empty(0, np.int64)]))
        tails: list[np.ndarray] = []
        heads: list[np.ndarray] = []
        caps: list[np.ndarray] = []
        parent = np.zeros(len(used), np.int64)  # node feeding each used supply point (0: S)
        next_node = 1
        self.group_nodes: list[dict[int, int]] = []
        for group in problem.groups:
            member = group.member[used]
            inside = member >= 0
            ids, inverse = np.unique(member[inside], return_inverse=True)
            links = np.unique(np.column_stack([inverse, parent[inside]]), axis=0)
            if len(links) != len(ids):
                raise ValueError("groups must nest: a group lies inside one outer group")
            nodes = next_node + np.arange(len(ids))
            tails.append(links[:, 1])
            heads.append(nodes)
            caps.append(group.cap[ids])
            parent[inside] = nodes[inverse]
            self.group_nodes.append(dict(zip(ids.tolist(), nodes.tolist(), strict=True)))
            next_node += len(ids)
        group_arcs = sum(len(t) for t in tails)
        supply_node = next_node + np.arange(len(used))
        line_node = next_node + len(used) + np.arange(len(demand))
        sink = int(line_node[-1]) + 1
        self.supply_node, self.line_node = supply_node, line_node
        total = int(demand.quantity.sum())
        pair_s = np.concatenate(self.pairs) if used.size else np.empty(0, np.int64)
        pair_j = np.repeat(np.arange(len(demand)), [len(p) for p in self.pairs])
        pair_d = (
            np.concatenate([distances_m(supply, p, demand, j) for j, p in enumerate(self.pairs)])
            if used.size
            else np.empty(0, np.int64)
        )
        self.pair_s, self.pair_j, self.pair_d = pair_s, pair_j, pair_d
        q = demand.quantity.astype(np.int64)
        tail = np.concatenate([
            *tails, parent, supply_node[np.searchsorted(used, pair_s)],
            np.zeros(len(demand), np.int64), line_node,
        ])  # fmt: skip
        head = np.concatenate([
            *heads, supply_node, line_node[pair_j], line_node,
            np.full(len(demand), sink),
        ])  # fmt: skip
        cap = np.concatenate([
            *caps, problem.usable[used], np.full(len(pair_s), total), q, q,
        ])  # fmt: skip
        cost = np.concatenate([
            np.zeros(group_arcs + len(used), np.int64), pair_d + problem.penalty[pair_s],
            np.full(len(demand), UNMET_COST), np.zeros(len(demand), np.int64),
        ])  # fmt: skip
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
        supplies = np.zeros(sink + 1, np.int64)
        supplies[0], supplies[sink] = total, -total
        flow.set_nodes_supplies(np.arange(sink + 1), supplies)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        flows = flow.flows(np.arange(flow.num_arcs()))
        start = group_arcs + len(used)
        self.arc_count = len(pair_s)
        self.arrays = (tail, head, cap, cost, flows, sink + 1)
        return flows[start : start + len(pair_s)], flows

    def potentials(self) -> np.ndarray:
        tail, head, cap, cost, flows, nodes = self.arrays
        return _potentials(nodes, tail, head, cap, cost, flows)


def _potentials(
    nodes: int,
    tails: np.ndarray,
    heads: np.ndarray,
    caps: np.ndarray,
    costs: np.ndarray,
    flows: np.ndarray,
) -> np.ndarray:
    """Shortest residual-path distances from the source (Bellman–Ford, vectorized). At an
    optimum the residual graph has no negative cycle, so this converges within `nodes` passes."""
    forward = flows < caps
    backward = flows > 0
    u = np.concatenate([tails[forward], heads[backward]])
    v = np.concatenate([heads[forward], tails[backward]])
    w = np.concatenate([costs[forward], -costs[backward]]).astype(np.float64)
    distance = np.full(nodes, np.inf)
    distance[0] = 0.0
    for _ in range(nodes):
        candidate = distance[u] + w
        updated = distance.copy()
        np.minimum.at(updated, v, candidate)
        if np.array_equal(updated, distance):
            break
        distance = updated
    return distance


def _entry_potential(graph: _Graph, potentials: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The potential a supply point outside the graph would have once added: that of the deepest
    group node of its chain already in the graph (a new arc below it is uncapped and free), or
    the source's (0). Infinite when that node cannot pass more flow."""
    result = np.zeros(len(index))
    for group, nodes in zip(graph.problem.groups, graph.group_nodes, strict=True):
        if not nodes:
            continue
        ids = np.fromiter(nodes, np.int64, len(nodes))
        node_potentials = potentials[np.fromiter(nodes.values(), np.int64, len(nodes))]
        order = np.argsort(ids)
        ids, node_potentials = ids[order], node_potentials[order]
        member = group.member[index]
        position = np.minimum(np.searchsorted(ids, member), len(ids) - 1)
        present = ids[position] == member
        result[present] = node_potentials[position[present]]
    return result


def solve(
    supply: Points, demand: Points, *, cover: float = 2.0, rules: Rules | None = None
) -> Result:
    """The optimal allocation, proved over every eligible supply point, solving a pruned graph."""
    problem = _Problem(supply, demand, rules)
    if len(supply) == 0 or len(demand) == 0:
        return _empty(demand)
    trees = _Trees(problem)
    graph = _graph_with(problem, lambda j: trees.nearest_covering(j, cover))
    for rounds in range(1, MAX_ROUNDS + 1):
        pair_flows, _ = graph.solve()
        if not _add_violations(graph, trees, graph.potentials()):
            return _result(graph, pair_flows, rounds)
    raise RuntimeError("no optimality certificate after the maximum number of rounds")


def solve_full(supply: Points, demand: Points, *, rules: Rules | None = None) -> Result:
    """Baseline: every eligible supply point may serve every line."""
    problem = _Problem(supply, demand, rules)
    if len(supply) == 0 or len(demand) == 0:
        return _empty(demand)
    graph = _graph_with(problem, problem.eligible)
    pair_flows, _ = graph.solve()
    return _result(graph, pair_flows, 1)


def greedy(supply: Points, demand: Points, *, rules: Rules | None = None) -> Result:
    """Baseline: each line in turn takes from its nearest eligible points. Not optimal."""
    problem = _Problem(supply, demand, rules)
    left = problem.usable.copy()
    room = [group.cap.astype(np.int64).copy() for group in problem.groups]
    rows: list[tuple[int, int, int, int]] = []
    unmet = demand.quantity.astype(np.int64).copy()
    for j in range(len(demand)):
        index = problem.eligible(j)
        distance = distances_m(supply, index, demand, j)
        for k in np.argsort(distance, kind="stable"):
            if unmet[j] == 0:
                break
            s = int(index[k])
            take = int(min(left[s], unmet[j]))
            for group, free in zip(problem.groups, room, strict=True):
                if group.member[s] >= 0:
                    take = min(take, int(free[group.member[s]]))
            if take > 0:
                rows.append((s, j, take, int(distance[k])))
                left[s] -= take
                unmet[j] -= take
                for group, free in zip(problem.groups, room, strict=True):
                    if group.member[s] >= 0:
                        free[group.member[s]] -= take
    return _from_rows(rows, unmet, problem.penalty)


def _graph_with(problem: _Problem, candidates: Callable[[int], np.ndarray]) -> _Graph:
    graph = _Graph(problem)
    for j in range(len(problem.demand)):
        graph.add(j, candidates(j))
    return graph


def _add_violations(graph: _Graph, trees: _Trees, potentials: np.ndarray) -> int:
    """Add every left-out eligible arc with a negative reduced cost
    d(s, j) + penalty(s) + π(s) − π(j) < 0."""
    problem = graph.problem
    supply, demand = problem.supply, problem.demand
    in_graph = graph.used
    in_mask = np.zeros(len(supply), bool)
    in_mask[in_graph] = True
    pi_supply = potentials[graph.supply_node] if len(in_graph) else np.empty(0)
    group_potentials = [potentials[n] for nodes in graph.group_nodes for n in nodes.values()]
    floor = min([0.0, *[p for p in group_potentials if np.isfinite(p)]])
    added = 0
    for j in range(len(demand)):
        pi_line = potentials[int(graph.line_node[j])]
        if not np.isfinite(pi_line) or pi_line - floor <= 0:
            continue
        # Only points nearer than π(j) − floor can have a negative reduced cost.
        angle = min(np.pi, (pi_line - floor) / EARTH_RADIUS_M)
        near = trees.within(j, 2 * np.sin(angle / 2) + 1e-12)
        outside = near[~in_mask[near] & (problem.usable[near] > 0)]
        if len(outside):
            reduced = (
                distances_m(supply, outside, demand, j)
                + problem.penalty[outside]
                + _entry_potential(graph, potentials, outside)
                - pi_line
            )
            added += graph.add(j, outside[reduced < 0])
        if len(in_graph):
            ok = problem.accepts(j, in_graph) & ~np.isin(in_graph, graph.pairs[j])
            candidates = in_graph[ok]
            reduced = (
                distances_m(supply, candidates, demand, j)
                + problem.penalty[candidates]
                + pi_supply[ok]
                - pi_line
            )
            added += graph.add(j, candidates[reduced < 0])
    return added


def _result(graph: _Graph, pair_flows: np.ndarray, rounds: int) -> Result:
    problem = graph.problem
    used = pair_flows > 0
    s, j, f, d = graph.pair_s[used], graph.pair_j[used], pair_flows[used], graph.pair_d[used]
    served = np.bincount(j, weights=f, minlength=len(problem.demand)).astype(np.int64)
    rows = list(zip(s.tolist(), j.tolist(), f.tolist(), d.tolist(), strict=True))
    result = _from_rows(rows, problem.demand.quantity.astype(np.int64) - served, problem.penalty)
    result.rounds, result.arcs = rounds, graph.arc_count
    result.considered = list(graph.pairs)
    return result


def _from_rows(
    rows: list[tuple[int, int, int, int]], unmet: np.ndarray, penalty: np.ndarray
) -> Result:
    array = np.array(rows, dtype=np.int64).reshape(-1, 4)
    unit_cost = array[:, 3] + (penalty[array[:, 0]] if len(array) else 0)
    return Result(
        supply_index=array[:, 0], demand_index=array[:, 1], quantity=array[:, 2],
        distance_m=array[:, 3], unmet=unmet, cost=int((array[:, 2] * unit_cost).sum()),
    )  # fmt: skip


def _empty(demand: Points) -> Result:
    return _from_rows([], demand.quantity.astype(np.int64).copy(), np.zeros(0, np.int64))
