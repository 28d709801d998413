"""The matching adapter: from a demand's open quantities to a certified-optimal allocation
(candidates, rules, the engine), explained (guodong.matching.explain); approving it reserves the
quantities and groups them into missions (guodong.missions.services).

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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.accounts.models import User
from guodong.core.actors import Actor
from guodong.core.audit import record_event, snapshot
from guodong.core.scope import SEPARATOR, within
from guodong.core.services import lock_visible, recording
from guodong.demands.choices import MATCHABLE, DemandStatus, StalePolicy
from guodong.demands.models import Demand, DemandLine, ReserveFloor
from guodong.demands.services import advance
from guodong.divisions.choices import DivisionLevel
from guodong.matching.engine import Group, Points, Result, Rules, solve
from guodong.matching.explain import explain
from guodong.matching.snapshot import READINESS, SNAPSHOT, Columns, freshness_masks, path_mask
from guodong.missions.choices import MissionStatus
from guodong.missions.models import Allocation, MatchingRun, Mission
from guodong.missions.services import (
    create_missions,
    ledger_field,
    open_quantities,
    reserve,
)
from guodong.registry.choices import CatalogueLevel, Readiness
from guodong.registry.models import Holding, ResourceType

NOT_READY = READINESS[Readiness.NOT_READY]
UNCAPPED = 2**40


def accepted_types(line: DemandLine) -> list[int]:
    """Type ids a line accepts: its type (and, if substitutes are acceptable, the same kind's
    types at least as capable), or a kind's types at the minimum capability level or better;
    a name that resolved to several types (EDXL-RM intake) accepts those, as the analyst left
    them."""
    if line.candidate_types:
        return sorted(line.candidate_types)
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


@dataclass
class Candidates:
    """The holdings a demand may draw on, as columns aligned with the engine's supply points."""

    position: np.ndarray  # rows of the snapshot
    usable: np.ndarray  # whole units free for this ledger
    stale: np.ndarray
    excluded: dict[str, np.ndarray]  # reason -> rows of accepted type left out


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
    field = ledger_field(demand.is_exercise)
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

    groups: tuple[Group, ...] = (
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
def run_matching(acting_user: Actor, demand: Demand) -> MatchingRun:
    """Compute (not yet reserve) the optimal allocation of the demand's open quantities.

    Events: "matchingrun.supersede" for each earlier run not approved, then
    "matchingrun.create" (the run with its proposed allocations)."""
    if not isinstance(acting_user, User):
        raise PermissionDenied(_("Your role may not perform this action."))
    demand = lock_visible(acting_user, demand, "match")
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
    earlier = MatchingRun.objects.select_for_update().filter(
        demand=demand, approved_at__isnull=True, superseded=False
    )
    for old in earlier:
        with recording(acting_user, "matchingrun.supersede", old):
            old.superseded = True
    run = MatchingRun.objects.create(
        demand=demand, created_by=acting_user, cost_m=result.cost, rounds=result.rounds,
        arcs=result.arcs, candidates=len(found.position), elapsed_ms=0.0,
        explanation=explain(demand, columns, found, (supply, wanted), rules, result, lines,
                            accepted),
    )  # fmt: skip
    _store_proposals(run, demand, columns, found, result, lines)
    run.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    run.save(update_fields=["elapsed_ms"])
    record_event(acting_user, "matchingrun.create", run, before=None, after=snapshot(run))
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


@transaction.atomic
def approve_matching(acting_user: Actor, run: MatchingRun) -> list[Mission]:
    """Reserve the proposed quantities and group them by responsible unit into missions.

    Refused, with nothing reserved, when a holding changed since the matching or another office
    reserved it meanwhile (row locks here, the check constraint on the table underneath).
    Events: "holding.reserve" per holding, "mission.create" per mission, "matchingrun.approve"
    (the run with its allocations, now reserved and in their missions) and, when the demand
    becomes matched, "demand.approve_matching"."""
    demand = lock_visible(acting_user, run.demand, "approve")
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    if run.approved_at or run.superseded:
        raise ValidationError({"matching": _("This matching was replaced or already approved.")})
    if demand.status not in MATCHABLE:
        raise ValidationError({"status": _("This demand can no longer be matched.")})
    proposals = list(run.allocations.select_related("line").order_by("holding_id", "id"))
    if not proposals:
        raise ValidationError({"matching": _("This matching allocates nothing.")})
    remaining = open_quantities(demand)
    wanted: dict[int, int] = defaultdict(int)
    for allocation in proposals:
        wanted[allocation.line_id] += allocation.quantity
    if any(quantity > remaining.get(line_id, 0) for line_id, quantity in wanted.items()):
        raise ValidationError(
            {"matching": _("The demand changed since this matching: match again.")}
        )
    before = snapshot(run)
    reserve(acting_user, demand, proposals)
    missions = create_missions(acting_user, demand, proposals)
    run.approved_at = timezone.now()
    run.approved_by = acting_user if isinstance(acting_user, User) else None
    run.save(update_fields=["approved_at", "approved_by"])
    record_event(acting_user, "matchingrun.approve", run, before=before, after=snapshot(run))
    if demand.status == DemandStatus.APPROVED:
        advance(acting_user, demand, DemandStatus.MATCHED, "approve_matching")
    return missions
