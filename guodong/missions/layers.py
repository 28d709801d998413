"""The map's demand layer: open demands' destinations and the flows from allocated holdings."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from guodong.core.actors import Actor
from guodong.demands.choices import ENDED
from guodong.demands.models import Demand
from guodong.missions.choices import ACTIVE_ALLOCATIONS, AllocationState
from guodong.missions.models import Allocation, Mission

MAX_DEMANDS = 50


def demand_layer(user: Actor) -> list[dict[str, Any]]:
    """Per open demand line: where it must go and, per allocation (reserved, handed over, or
    proposed by the latest matching not yet approved), where it comes from."""
    demands = list(
        Demand.objects.visible_to(user)
        .exclude(status__in=ENDED)
        .order_by("-created_at")[:MAX_DEMANDS]
    )
    active = Q(line__demand__in=demands, state__in=ACTIVE_ALLOCATIONS)
    if Demand.narrows_view(user):
        # A member unit is shown the flows of its own missions only, never a proposal.
        drawn = active & Q(mission__in=Mission.objects.visible_to(user))
    else:
        proposed_runs = [
            run.pk
            for demand in demands
            for run in demand.matchings.filter(superseded=False, approved_at__isnull=True)[:1]
        ]
        drawn = active | Q(matching__in=proposed_runs)
    allocations = (
        Allocation.objects.filter(drawn).exclude(holding__latitude=None).select_related("holding")
    )
    flows: dict[int, list[dict[str, Any]]] = {}
    for a in allocations:
        flows.setdefault(a.line_id, []).append({
            "lat": a.holding.latitude, "lon": a.holding.longitude, "quantity": a.quantity,
            "owner": a.holding.owner_name, "state": a.state,
            "proposed": a.state == AllocationState.PROPOSED,
        })  # fmt: skip
    layer = []
    for demand in demands:
        for line in demand.lines.select_related("resource_type"):
            layer.append({
                "demand": demand.code, "title": demand.title, "url": demand.get_absolute_url(),
                "exercise": demand.is_exercise, "status": demand.get_status_display(),
                "line": line.number, "type": line.resource_type.name,
                "unit": line.resource_type.unit, "quantity": line.quantity,
                "destination": line.destination, "lat": line.latitude, "lon": line.longitude,
                "flows": flows.get(line.pk, []),
            })  # fmt: skip
    return layer
