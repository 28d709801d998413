"""Why a matching came out as it did: per line, what was used, the alternatives seen and why
they were not used, what was left out before matching, and suggestions for an unmet quantity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext as _

from guodong.demands.models import Demand, DemandLine
from guodong.divisions.models import Division
from guodong.matching.engine import Points, Result, Rules, distances_m
from guodong.matching.snapshot import Columns, path_mask
from guodong.orgs.choices import OrganizationKind
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import ResourceType

if TYPE_CHECKING:
    from guodong.matching.services import Candidates

ALTERNATIVES_SHOWN = 5


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
    assert rules.supply_class is not None and rules.line_classes is not None  # set by rules_for
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
        names = _(", ").join(neighbours.order_by("code").values_list("name", flat=True)[:8])
        if names:
            result.append(_("Ask neighbouring jurisdictions: {names}").format(names=names))
        office = (
            Organization.objects.filter(
                division_id=division.parent_id, kind=OrganizationKind.OFFICE
            )
            .values_list("name", flat=True)
            .first()
        )
        result.append(
            _("Escalate to the level above: {office}").format(
                office=office or (division.parent.name if division.parent else "")
            )
        )
    return result
