"""From a demand's open quantities to a certified-optimal allocation, explained; approving it
reserves the quantities and groups them into missions.

Candidates come from the in-memory holdings snapshot (guodong.matching.snapshot), kept current from
the event log, so a matching reads only the few rows that carry reservations.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.audit import record_event, snapshot
from guodong.core.scope import SEPARATOR, within
from guodong.demands.choices import (
    ACTIVE_ALLOCATIONS,
    MATCHABLE,
    AllocationState,
    DemandStatus,
    MissionStatus,
    StalePolicy,
)
from guodong.demands.models import (
    Allocation,
    Demand,
    DemandLine,
    MatchingRun,
    Mission,
    ReserveFloor,
)
from guodong.demands.services import locked_demand
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.matching.snapshot import READINESS, SNAPSHOT, Columns, freshness_masks, path_mask
from guodong.matching.engine import Group, Points, Result, Rules, distances_m, solve
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel, Readiness
from guodong.registry.models import Holding, ResourceType

NOT_READY = READINESS[Readiness.NOT_READY]
UNCAPPED = 2**40
ALTERNATIVES_SHOWN = 5


def accepted_types(line: DemandLine) -> list[int]:
    """Type ids a line accepts: its type (and, if substitutes are acceptable, the same kind's
    types at least as capable), or a kind's types at the minimum capability level or better."""
    asked = line.resource_type
    kind = asked if asked.level == CatalogueLevel.KIND else None
    if kind is None and not line.substitutes_ok:
        return [asked.pk]
    kind_id = kind.pk if kind else asked.parent_id
    level = line.min_capability if kind else asked.capability_level
    types = ResourceType.objects.filter(
        parent_id=kind_id, level=CatalogueLevel.TYPE, retired_in__isnull=True
    )
    if level:
        types = types.filter(capability_level__lte=level)
    return sorted({*types.values_list("pk", flat=True), *([] if kind else [asked.pk])})


def open_quantities(demand: Demand) -> dict[int, int]:
    """Per line id: quantity not yet covered by a reservation or a handover."""
    covered = dict(
        Allocation.objects.filter(line__demand=demand, state__in=ACTIVE_ALLOCATIONS)
        .values("line")
        .annotate(total=Sum("quantity"))
        .values_list("line", "total")
    )
    return {line.pk: line.quantity - covered.get(line.pk, 0) for line in demand.lines.all()}


@dataclass
class Candidates:
    """The holdings a demand may draw on, as columns aligned with the engine's supply points."""

    position: np.ndarray  # rows of the snapshot
    usable: np.ndarray  # whole units free for this ledger
    stale: np.ndarray
    excluded: dict[str, np.ndarray]  # reason -> rows of accepted type left out


def _ledger_field(demand: Demand) -> str:
    return "quantity_reserved_exercise" if demand.is_exercise else "quantity_reserved"


def _declined_owners(demand: Demand, columns: Columns) -> set[int]:
    """Owner keys (as in the snapshot) whose units declined a mission of this demand."""
    keys: set[int] = set()
    names = {name: i for i, name in enumerate(columns.owner_names)}
    for unit_id, name in demand.missions.filter(status=MissionStatus.DECLINED).values_list(
        "unit_id", "owner_name"
    ):
        if unit_id:
            keys.add(unit_id)
        elif name in names:
            keys.add(-1 - names[name])
    return keys


def candidates(
    demand: Demand, columns: Columns, types: np.ndarray, worst_readiness: int
) -> Candidates:
    base = columns.alive & np.isin(columns.type, types) & path_mask(columns, demand.division_path)
    reserved = np.zeros(len(columns.ids))
    field = _ledger_field(demand)
    booked = list(
        Holding.objects.filter(
            within("division_path", demand.division_path), **{f"{field}__gt": 0}
        ).values_list("pk", field)
    )
    if booked:
        rows = SNAPSHOT.positions([pk for pk, _q in booked])
        ok = rows >= 0
        reserved[rows[ok]] = np.array([float(q) for _pk, q in booked])[ok]
    free = np.floor(columns.available - reserved).astype(np.int64)
    _fresh, stale = freshness_masks(columns)
    excluded = {
        "not_ready": base & (columns.readiness == NOT_READY),
        "readiness": base
        & (columns.readiness > worst_readiness)
        & (columns.readiness != NOT_READY),
        "no_point": base & np.isnan(columns.lat),
        "reserved": base & (free <= 0) & (columns.available >= 1),
        "declined": base & np.isin(columns.owner, list(_declined_owners(demand, columns))),
    }
    if demand.stale_policy == StalePolicy.EXCLUDE:
        excluded["stale"] = base & stale
    keep = base & (free > 0)
    for mask in excluded.values():
        keep &= ~mask
    position = np.flatnonzero(keep)
    return Candidates(
        position, free[position], stale[position],
        {reason: np.flatnonzero(mask) for reason, mask in excluded.items()},
    )  # fmt: skip


def _division_keys(columns: Columns, position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """County and area (township) division ids of snapshot rows."""
    county = np.zeros(len(columns.paths), np.int64)
    area = np.zeros(len(columns.paths), np.int64)
    for i, path in enumerate(columns.paths):
        parts = [int(p) for p in path.strip(SEPARATOR).split(SEPARATOR) if p]
        county[i] = parts[2] if len(parts) > 2 else parts[-1]
        # Holdings placed at county level form their own area (negative: never a floor's key).
        area[i] = parts[3] if len(parts) > 3 else -county[i]
    rows = columns.path[position]
    return county[rows], area[rows]


def _floors(demand: Demand, type_ids: np.ndarray) -> tuple[dict[tuple[int, int], int], set[int]]:
    """(division id, type id) -> quantity kept back, for floors inside or above the scope; and
    the divisions at city level or above, whose floors cap a type as a whole."""
    floors, top = {}, set()
    for division_id, type_id, quantity, level, path in ReserveFloor.objects.filter(
        resource_type_id__in=type_ids.tolist()
    ).values_list(
        "division_id", "resource_type_id", "quantity", "division__level", "division__path"
    ):
        if path.startswith(demand.division_path) or demand.division_path.startswith(path):
            floors[(division_id, type_id)] = quantity
            if level <= DivisionLevel.CITY:
                top.add(division_id)
    return floors, top


def _group(keys: np.ndarray, usable: np.ndarray, cap_of: Any) -> Group:
    """One level of groups from per-point keys; `cap_of(key_row, total)` gives each cap."""
    unique, member = np.unique(keys, axis=0, return_inverse=True)
    member = member.reshape(-1)
    totals = np.bincount(member, weights=usable, minlength=len(unique)).astype(np.int64)
    caps = np.array([cap_of(tuple(row), int(t)) for row, t in zip(unique, totals, strict=True)])
    return Group(member.astype(np.int64), caps.astype(np.int64).reshape(-1))


def rules_for(demand: Demand, columns: Columns, found: Candidates, lines: list[DemandLine],
              accepted: list[list[int]], open_qty: list[int]) -> Rules:  # fmt: skip
    rows = found.position
    types = columns.type[rows].astype(np.int64)
    readiness = columns.readiness[rows].astype(np.int64)
    county, area = _division_keys(columns, rows)
    owner = columns.owner[rows]
    demanded: dict[int, int] = defaultdict(int)
    for type_ids, quantity in zip(accepted, open_qty, strict=True):
        for type_id in type_ids:
            demanded[type_id] += quantity
    floors, top = _floors(demand, np.unique(types))

    def floor_cap(division: int, type_id: int, total: int) -> int:
        kept = floors.get((division, type_id))
        return UNCAPPED if kept is None else max(0, total - kept)

    def share(percent: int | None, type_id: int) -> int:
        return UNCAPPED if not percent else math.ceil(percent * demanded[type_id] / 100)

    def area_cap(key: tuple[int, int], total: int) -> int:
        return min(floor_cap(key[1], key[0], total), share(demand.township_cap_percent, key[0]))

    groups = (
        _group(types[:, None], found.usable,
               lambda k, t: min([floor_cap(d, k[0], t) for d in top] or [UNCAPPED])),
        _group(np.column_stack([types, county]), found.usable,
               lambda k, t: floor_cap(k[1], k[0], t)),
        _group(np.column_stack([types, area]), found.usable,
               area_cap),
        _group(np.column_stack([types, area, owner]), found.usable,
               lambda k, t: share(demand.owner_cap_percent, k[0])),
    )  # fmt: skip
    # A level whose groups are all uncapped constrains nothing: leave it out of the network.
    groups = tuple(group for group in groups if bool((group.cap < UNCAPPED).any()))
    penalty = np.zeros(len(rows), np.int64)
    if demand.stale_policy == StalePolicy.PENALIZE:
        penalty[found.stale] = demand.stale_penalty_km * 1000
    line_classes = [
        np.array([t * 4 + r for t in type_ids for r in range(READINESS[line.readiness] + 1)])
        for line, type_ids in zip(lines, accepted, strict=True)
    ]
    return Rules(supply_class=types * 4 + readiness, line_classes=line_classes, groups=groups,
                 penalty=penalty)  # fmt: skip


@transaction.atomic
def run_matching(acting_user: Any, demand: Demand) -> MatchingRun:
    """Compute (not yet reserve) the optimal allocation of the demand's open quantities."""
    demand = locked_demand(acting_user, demand, "match")
    if demand.status not in MATCHABLE:
        raise ValidationError(
            {"status": _("Approve the demand before matching it (it is “{status}”).").format(
                status=demand.get_status_display()
            )}
        )  # fmt: skip
    started = time.perf_counter()
    lines = list(demand.lines.select_related("resource_type"))
    remaining = open_quantities(demand)
    lines = [line for line in lines if remaining[line.pk] > 0]
    if not lines:
        raise ValidationError({"lines": _("Every line is already covered.")})
    accepted = [accepted_types(line) for line in lines]
    open_qty = [remaining[line.pk] for line in lines]
    columns = SNAPSHOT.current()
    all_types = np.array(sorted({t for ts in accepted for t in ts}), np.int64)
    worst = max(READINESS[line.readiness] for line in lines)
    found = candidates(demand, columns, all_types, worst)
    rules = rules_for(demand, columns, found, lines, accepted, open_qty)
    supply = Points(columns.lat[found.position], columns.lon[found.position], found.usable)
    wanted = Points(
        np.array([line.latitude for line in lines]), np.array([line.longitude for line in lines]),
        np.array(open_qty, np.int64),
    )  # fmt: skip
    result = solve(supply, wanted, rules=rules)
    MatchingRun.objects.filter(demand=demand, approved_at__isnull=True).update(superseded=True)
    run = MatchingRun.objects.create(
        demand=demand, created_by=acting_user, cost_m=result.cost, rounds=result.rounds,
        arcs=result.arcs, candidates=len(found.position), elapsed_ms=0.0,
        explanation=explain(demand, columns, found, (supply, wanted), rules, result, lines,
                            accepted),
    )  # fmt: skip
    _store_proposals(run, demand, columns, found, result, lines)
    run.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    run.save(update_fields=["elapsed_ms"])
    record_event(acting_user, "demand.match", demand, before=None, after={
        "matching": run.pk, "cost_m": run.cost_m, "allocations": len(result.quantity),
        "unmet": int(result.unmet.sum()),
    })  # fmt: skip
    return run


def _store_proposals(run: MatchingRun, demand: Demand, columns: Columns, found: Candidates,
                     result: Result, lines: list[DemandLine]) -> None:  # fmt: skip
    pks = columns.ids[found.position[result.supply_index]].tolist()
    versions = dict(Holding.objects.filter(pk__in=pks).values_list("pk", "updated_at"))
    Allocation.objects.bulk_create(
        Allocation(
            matching=run, line=lines[j], holding_id=pk, quantity=q, distance_m=d,
            stale=bool(found.stale[s]), holding_version=versions[pk],
            is_exercise=demand.is_exercise,
        )
        for pk, s, j, q, d in zip(
            pks, result.supply_index.tolist(), result.demand_index.tolist(),
            result.quantity.tolist(), result.distance_m.tolist(), strict=True,
        )
    )  # fmt: skip


def explain(demand: Demand, columns: Columns, found: Candidates, points: tuple[Points, Points],
            rules: Rules, result: Result, lines: list[DemandLine],
            accepted: list[list[int]]) -> dict[str, Any]:  # fmt: skip
    """Per line: what was used, the alternatives seen and why they were not used, what was
    left out before matching, and suggestions for any unmet quantity."""
    taken = np.bincount(result.supply_index, weights=result.quantity, minlength=len(found.usable))
    group_room = []
    for group in rules.groups:
        drawn = np.bincount(group.member[result.supply_index], weights=result.quantity,
                            minlength=len(group.cap))  # fmt: skip
        group_room.append(group.cap - drawn)
    capped = np.zeros(len(found.usable), bool)
    for group, room in zip(rules.groups, group_room, strict=True):
        capped |= room[group.member] <= 0
    explanation: dict[str, Any] = {}
    for j, line in enumerate(lines):
        used = set(result.supply_index[result.demand_index == j].tolist())
        seen = np.array([s for s in result.considered[j].tolist() if s not in used], np.int64)
        metres = distances_m(points[0], seen, points[1], j)
        order = np.argsort(metres, kind="stable")[:ALTERNATIVES_SHOWN]
        alternatives = []
        for s, distance in zip(seen[order].tolist(), metres[order].tolist(), strict=True):
            if taken[s] >= found.usable[s]:
                reason = _("used for other lines")
            elif capped[s]:
                reason = _("burden cap or reserve floor reached")
            elif found.stale[s] and rules.penalty is not None and rules.penalty[s]:
                reason = _("stale: used only after fresh holdings")
            else:
                reason = _("farther than those used")
            row = int(found.position[s])
            alternatives.append(
                {"holding": int(columns.ids[row]), "distance_km": round(distance / 1000, 1),
                 "reason": reason}
            )  # fmt: skip
        excluded = {
            reason: int(np.isin(columns.type[rows], accepted[j]).sum())
            for reason, rows in found.excluded.items()
        }
        unmet = int(result.unmet[j])
        explanation[str(line.pk)] = {
            "unmet": unmet,
            "reason": _unmet_reason(rules, found, j, taken, capped) if unmet else "",
            "alternatives": alternatives,
            "excluded": {k: v for k, v in excluded.items() if v},
            "suggestions": suggestions(demand, columns, found, line, accepted[j]) if unmet else [],
        }
    return explanation


def _unmet_reason(
    rules: Rules, found: Candidates, line: int, taken: np.ndarray, capped: np.ndarray
) -> str:
    """Why a line is short: nothing eligible, the caps and floors, or too little left."""
    accepted = np.isin(rules.supply_class, rules.line_classes[line])
    if not accepted.any():
        return _("No eligible holding in the jurisdiction.")
    untaken = accepted & (taken < found.usable)
    if untaken.any() and capped[untaken].all():
        return _("The rest is held back by burden caps or reserve floors.")
    return _("Only {n} eligible units are free in the jurisdiction.").format(
        n=int(found.usable[accepted].sum())
    )


def suggestions(demand: Demand, columns: Columns, found: Candidates, line: DemandLine,
                accepted: list[int]) -> list[str]:  # fmt: skip
    """Where an unmet quantity might still come from: substitutes, neighbours, the level above."""
    result = []
    kind_id = line.resource_type.parent_id if line.resource_type.level == CatalogueLevel.TYPE else (
        line.resource_type.pk
    )  # fmt: skip
    siblings = ResourceType.objects.filter(parent_id=kind_id, level=CatalogueLevel.TYPE).exclude(
        pk__in=accepted
    )
    in_scope = columns.alive & path_mask(columns, demand.division_path)
    for other in siblings:
        free = int(np.floor(columns.available[in_scope & (columns.type == other.pk)]).sum())
        if free:
            result.append(
                _("Substitute: {type} — {n} {unit} available in the jurisdiction").format(
                    type=other.name, n=free, unit=other.unit
                )
            )
    division = demand.division
    if division.parent_id:
        neighbours = Division.objects.filter(parent_id=division.parent_id).exclude(pk=division.pk)
        names = "、".join(neighbours.order_by("code").values_list("name", flat=True)[:8])
        if names:
            result.append(_("Ask neighbouring jurisdictions: {names}").format(names=names))
        office = (
            Organization.objects.filter(division_id=division.parent_id, kind="office")
            .values_list("name", flat=True)
            .first()
        )
        result.append(
            _("Escalate to the level above: {office}").format(office=office or division.parent.name)
        )
    return result


@transaction.atomic
def approve_matching(acting_user: Any, run: MatchingRun) -> list[Mission]:
    """Reserve the proposed quantities and group them by responsible unit into missions.

    Refused, with nothing reserved, when a holding changed since the matching or another office
    reserved it meanwhile (row locks here, the check constraint on the table underneath)."""
    demand = locked_demand(acting_user, run.demand, "approve")
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    if run.approved_at or run.superseded:
        raise ValidationError({"matching": _("This matching was replaced or already approved.")})
    if demand.status not in MATCHABLE:
        raise ValidationError({"status": _("This demand can no longer be matched.")})
    proposals = list(run.allocations.select_related("line").order_by("holding_id", "id"))
    if not proposals:
        raise ValidationError({"matching": _("This matching allocates nothing.")})
    remaining = open_quantities(demand)
    for line_id, quantity in _sum_by(proposals, "line_id").items():
        if quantity > remaining.get(line_id, 0):
            raise ValidationError(
                {"matching": _("The demand changed since this matching: match again.")}
            )
    _reserve(demand, proposals)
    missions = _missions_for(demand, proposals)
    run.approved_at, run.approved_by = timezone.now(), acting_user
    run.save(update_fields=["approved_at", "approved_by"])
    before = snapshot(demand)
    if demand.status == DemandStatus.APPROVED:
        demand.status = DemandStatus.MATCHED
        demand.save(update_fields=["status", "updated_at"])
    record_event(acting_user, "demand.approve_matching", demand, before=before, after={
        **snapshot(demand), "matching": run.pk, "missions": [m.code for m in missions],
        "reserved": {str(pk): q for pk, q in _sum_by(proposals, "holding_id").items()},
    })  # fmt: skip
    return missions


def _sum_by(allocations: list[Allocation], attribute: str) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        totals[getattr(allocation, attribute)] += allocation.quantity
    return totals


def _reserve(demand: Demand, proposals: list[Allocation]) -> None:
    field = _ledger_field(demand)
    wanted = _sum_by(proposals, "holding_id")
    version = {a.holding_id: a.holding_version for a in proposals}
    locked = {
        h.pk: h
        for h in Holding.objects.select_for_update()
        .filter(pk__in=list(wanted))
        .order_by("pk")
        .only("updated_at", "merged_into", "quantity_available", field, "owner_name")
    }
    problems = []
    for pk, quantity in wanted.items():
        holding = locked.get(pk)
        if holding is None or holding.merged_into_id or holding.updated_at != version[pk]:
            problems.append(
                _("“{holding}” changed after the matching").format(holding=holding or pk)
            )
        elif getattr(holding, field) + quantity > holding.quantity_available:
            problems.append(
                _("“{holding}”: {free} left unreserved, {n} wanted").format(
                    holding=holding, free=holding.quantity_available - getattr(holding, field),
                    n=quantity,
                )
            )  # fmt: skip
    if problems:
        raise ValidationError(
            {"matching": [*problems[:5], _("Nothing was reserved: match again.")]}
        )
    quote = connection.ops.quote_name
    table, column = quote(Holding._meta.db_table), quote(Holding._meta.get_field(field).column)
    statement = f"UPDATE {table} SET {column} = {column} + %s WHERE id = %s"  # noqa: S608
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(statement, [(q, pk) for pk, q in wanted.items()])
    except IntegrityError as error:  # the table's check constraint: never over-booked
        raise ValidationError(
            {"matching": _("Another office reserved these holdings meanwhile: match again.")}
        ) from error


def _missions_for(demand: Demand, proposals: list[Allocation]) -> list[Mission]:
    holdings = {
        h.pk: h
        for h in Holding.objects.filter(pk__in={a.holding_id for a in proposals}).only(
            "pk", "owner_id", "owner_name", "division_path"
        )
    }
    groups: dict[tuple[int | None, str], list[Allocation]] = defaultdict(list)
    for allocation in proposals:
        holding = holdings[allocation.holding_id]
        key = (holding.owner_id, "" if holding.owner_id else holding.owner_name)
        groups[key].append(allocation)
    # The contact of each mission is its first holding's: decrypt only those phones.
    firsts = [items[0].holding_id for items in groups.values()]
    contacts = {
        h.pk: (h.contact_name, h.contact_phone)
        for h in Holding.objects.filter(pk__in=firsts).only("contact_name", "contact_phone")
    }
    count = demand.missions.count()
    missions = []
    ordered = sorted(groups.items(), key=lambda group: (group[0][0] or 0, group[0][1]))
    for n, ((unit_id, _name), items) in enumerate(ordered, count + 1):
        first = holdings[items[0].holding_id]
        mission = Mission.objects.create(
            code=f"{demand.code}-R{n:02d}", demand=demand, unit_id=unit_id,
            owner_name=first.owner_name, contact_name=contacts[first.pk][0],
            contact_phone=contacts[first.pk][1], is_exercise=demand.is_exercise,
            division_path=_common_path([holdings[a.holding_id].division_path for a in items]),
            report_by=min(a.line.report_by for a in items), status=MissionStatus.PENDING,
        )  # fmt: skip
        missions.append(mission)
        Allocation.objects.filter(pk__in=[a.pk for a in items]).update(
            mission=mission, state=AllocationState.RESERVED
        )
    return missions


def _common_path(paths: list[str]) -> str:
    """The deepest division path containing all of `paths`."""
    split = [p.strip(SEPARATOR).split(SEPARATOR) for p in paths]
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return SEPARATOR + SEPARATOR.join(common) + SEPARATOR
