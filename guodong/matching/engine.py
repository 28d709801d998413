"""Certified-optimal allocation of supply points to demand lines by minimum-cost flow.

One call handles one resource type. Costs are great-circle metres (integers); quantities are
integers (the caller scales decimals). A line that cannot be served takes "unmet" units at a cost
above any distance, so unmet quantity appears only where no supply is left.

The exact pruned method (DESIGN.md §5): each line first sees only its nearest supply points
whose quantities add up to `cover` times its quantity; the flow is solved on that small graph;
then shortest-path potentials of the residual graph prove optimality over *all* arcs: an arc left
out with a negative reduced cost is added and the flow solved again, until none is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_000.0
MAX_ROUNDS = 30


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


@dataclass
class Result:
    supply_index: np.ndarray  # one entry per allocation
    demand_index: np.ndarray
    quantity: np.ndarray
    distance_m: np.ndarray
    unmet: np.ndarray  # per demand line
    cost: int  # metres x units over allocations (unmet excluded)
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
    return np.rint(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))).astype(np.int64)


# The cost of one unmet unit: above any possible distance (half the earth is about 2e7 m).
UNMET_COST = 10**8


class _Graph:
    """The pruned network: S → supply → line → T, plus S → line "unmet" arcs."""

    def __init__(self, supply: Points, demand: Points) -> None:
        self.supply, self.demand = supply, demand
        self.pairs: dict[int, set[int]] = {j: set() for j in range(len(demand))}

    def add(self, line: int, supply_indices: np.ndarray) -> int:
        before = len(self.pairs[line])
        self.pairs[line].update(int(i) for i in supply_indices)
        return len(self.pairs[line]) - before

    def solve(self, unmet_cost: int) -> tuple[dict, np.ndarray, np.ndarray]:
        supply, demand = self.supply, self.demand
        used = sorted({i for members in self.pairs.values() for i in members})
        node_of = {s: 1 + n for n, s in enumerate(used)}
        line_node = 1 + len(used) + np.arange(len(demand))
        sink = 1 + len(used) + len(demand)
        tails, heads, caps, costs = [], [], [], []
        total = int(demand.quantity.sum())
        for s in used:
            (
                tails.append(0),
                heads.append(node_of[s]),
                caps.append(int(supply.quantity[s])),
                costs.append(0),
            )
        arc_pairs = []
        for j, members in self.pairs.items():
            if not members:
                continue
            index = np.fromiter(members, np.int64)
            distance = distances_m(supply, index, demand, j)
            for s, d in zip(index.tolist(), distance.tolist(), strict=True):
                (
                    tails.append(node_of[s]),
                    heads.append(int(line_node[j])),
                    caps.append(total),
                    costs.append(d),
                )
                arc_pairs.append((s, j, d))
        for j in range(len(demand)):
            q = int(demand.quantity[j])
            (
                tails.append(0),
                heads.append(int(line_node[j])),
                caps.append(q),
                costs.append(unmet_cost),
            )
            tails.append(int(line_node[j])), heads.append(sink), caps.append(q), costs.append(0)
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails), np.array(heads), np.array(caps), np.array(costs)
        )
        supplies = np.zeros(sink + 1, np.int64)
        supplies[0], supplies[sink] = total, -total
        flow.set_nodes_supplies(np.arange(sink + 1), supplies)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        flows = flow.flows(np.arange(flow.num_arcs()))
        potentials = _potentials(
            sink + 1, np.array(tails), np.array(heads), np.array(caps), np.array(costs), flows
        )
        self.node_of, self.line_node = node_of, line_node
        return {"arc_pairs": arc_pairs}, flows, potentials


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
    return distance  # fmt: skip


def _nearest_covering(
    tree: cKDTree, supply: Points, demand: Points, line: int, cover: float
) -> np.ndarray:
    """Nearest supply points whose quantities add up to `cover` x the line's quantity."""
    target = cover * float(demand.quantity[line])
    point = Points(
        demand.lat[line : line + 1], demand.lon[line : line + 1], demand.quantity[line : line + 1]
    )
    k = min(len(supply), 16)
    while True:
        _, index = tree.query(point.unit_vectors()[0], k=k)
        index = np.atleast_1d(index)
        cumulative = np.cumsum(supply.quantity[index])
        enough = np.searchsorted(cumulative, target)
        if enough < len(index) or k == len(supply):
            return index[: enough + 1]
        k = min(len(supply), k * 4)


def solve(supply: Points, demand: Points, *, cover: float = 2.0) -> Result:
    """The optimal allocation, proved over every supply point, solving only a pruned graph."""
    if len(supply) == 0 or len(demand) == 0:
        return _empty(supply, demand)
    tree = cKDTree(supply.unit_vectors())
    graph = _graph_with(supply, demand, lambda j: _nearest_covering(tree, supply, demand, j, cover))
    for rounds in range(1, MAX_ROUNDS + 1):
        info, flows, potentials = graph.solve(UNMET_COST)
        added = _add_violations(graph, tree, potentials)
        if not added:
            return _result(graph, info, flows, rounds)
    raise RuntimeError("no optimality certificate after the maximum number of rounds")


def solve_full(supply: Points, demand: Points) -> Result:
    """Baseline: every supply point may serve every line."""
    if len(supply) == 0 or len(demand) == 0:
        return _empty(supply, demand)
    everyone = np.arange(len(supply))
    graph = _graph_with(supply, demand, lambda _j: everyone)
    info, flows, _potentials = graph.solve(UNMET_COST)
    return _result(graph, info, flows, 1)


def greedy(supply: Points, demand: Points) -> Result:
    """Baseline: each line in turn takes from its nearest supply points. Not optimal."""
    left = supply.quantity.astype(np.int64).copy()
    rows: list[tuple[int, int, int, int]] = []
    unmet = demand.quantity.astype(np.int64).copy()
    everyone = np.arange(len(supply))
    for j in range(len(demand)):
        distance = distances_m(supply, everyone, demand, j)
        for s in np.argsort(distance, kind="stable"):
            if unmet[j] == 0:
                break
            take = int(min(left[s], unmet[j]))
            if take:
                rows.append((int(s), j, take, int(distance[s])))
                left[s] -= take
                unmet[j] -= take
    return _from_rows(rows, unmet)


def _graph_with(supply: Points, demand: Points, candidates: object) -> _Graph:
    graph = _Graph(supply, demand)
    for j in range(len(demand)):
        graph.add(j, candidates(j))
    return graph


def _add_violations(graph: _Graph, tree: cKDTree, potentials: np.ndarray) -> int:
    """Add every left-out arc with a negative reduced cost d(s, j) + π(s) − π(j) < 0."""
    supply, demand = graph.supply, graph.demand
    in_graph = np.array(sorted(graph.node_of), dtype=np.int64)
    pi_supply = (
        potentials[[graph.node_of[s] for s in in_graph.tolist()]] if len(in_graph) else np.array([])
    )
    added = 0
    for j in range(len(demand)):
        pi_line = potentials[int(graph.line_node[j])]
        if not np.isfinite(pi_line):
            continue
        # Supply points outside the graph sit at potential 0 (their only arc is S → s).
        angle = min(np.pi, max(0.0, pi_line) / EARTH_RADIUS_M)
        chord = 2 * np.sin(angle / 2)
        point = Points(demand.lat[j : j + 1], demand.lon[j : j + 1], demand.quantity[j : j + 1])
        near = np.array(
            tree.query_ball_point(point.unit_vectors()[0], chord + 1e-12), dtype=np.int64
        )
        if len(near):
            outside = near[~np.isin(near, in_graph)]
            outside = outside[supply.quantity[outside] > 0]
            if len(outside):
                close = outside[distances_m(supply, outside, demand, j) < pi_line]
                added += graph.add(j, close)
        if len(in_graph):
            reduced = distances_m(supply, in_graph, demand, j) + pi_supply - pi_line
            missing = in_graph[(reduced < 0) & ~np.isin(in_graph, list(graph.pairs[j]))]
            added += graph.add(j, missing)
    return added


def _result(graph: _Graph, info: dict, flows: np.ndarray, rounds: int) -> Result:
    offset = len(graph.node_of)
    arc_flows = flows[offset : offset + len(info["arc_pairs"])]
    rows = [
        (s, j, int(f), d)
        for (s, j, d), f in zip(info["arc_pairs"], arc_flows.tolist(), strict=True)
        if f
    ]
    served = np.zeros(len(graph.demand), np.int64)
    for _s, j, f, _d in rows:
        served[j] += f
    result = _from_rows(rows, graph.demand.quantity.astype(np.int64) - served)
    result.rounds, result.arcs = rounds, len(info["arc_pairs"])
    result.considered = [
        np.fromiter(sorted(graph.pairs[j]), np.int64) for j in range(len(graph.demand))
    ]
    return result


def _from_rows(rows: list[tuple[int, int, int, int]], unmet: np.ndarray) -> Result:
    array = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return Result(
        supply_index=array[:, 0], demand_index=array[:, 1], quantity=array[:, 2],
        distance_m=array[:, 3], unmet=unmet, cost=int((array[:, 2] * array[:, 3]).sum()),
    )  # fmt: skip


def _empty(supply: Points, demand: Points) -> Result:
    return _from_rows([], demand.quantity.astype(np.int64).copy())
