"""Outbound EDXL-RM 1.0 messages about what the platform committed and handed over.

They read allocations and missions, so they live here rather than in `demands.edxl` (which reads
and writes demands only, above this app: DESIGN.md §3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.demands.edxl.codec import ResourceInfo, Schedule, write
from guodong.demands.edxl.exchange import outbound_message
from guodong.demands.models import Demand
from guodong.missions.choices import ACTIVE_ALLOCATIONS, AllocationState
from guodong.missions.models import Allocation, Mission
from guodong.registry.models.catalogue import URN_PREFIX


def commit_message(demand: Demand) -> bytes:
    """What the platform commits per line: Accept with the reserved quantity, or Decline."""
    message = outbound_message(demand, "CommitResource", f"commit:{timezone.now():%Y%m%d%H%M%S}")
    committed = dict(
        Allocation.objects.filter(line__demand=demand, state__in=ACTIVE_ALLOCATIONS)
        .values("line").annotate(total=Sum("quantity")).values_list("line", "total")
    )  # fmt: skip
    for line in demand.lines.select_related("resource_type"):
        quantity = committed.get(line.pk, 0)
        number = line.edxl_element_id or str(line.number)
        message.resources.append(ResourceInfo(
            element_id=number, preceding_element_id=number,
            response="Accept" if quantity else "Decline",
            name=line.resource_type.name, type_list=URN_PREFIX.rstrip(":"),
            type_value=line.resource_type.urn, amount=float(quantity) if quantity else None,
            schedules=[Schedule("Committed", timezone.localtime(line.report_by),
                                line.destination, line.latitude, line.longitude)],
        ))  # fmt: skip
    return write(message)


def deployment_report(mission: Mission) -> bytes:
    """The handover of one mission as ReportResourceDeploymentStatus."""
    handover = getattr(mission, "handover", None)
    if handover is None:
        raise ValidationError({"mission": _("This mission has not been handed over yet.")})
    message = outbound_message(
        mission.demand, "ReportResourceDeploymentStatus", f"handover:{mission.code}"
    )
    message.contacts.append(("Owner", mission.owner_name))
    for item in mission.allocations.select_related("line", "holding__type").filter(
        state__in=[AllocationState.HANDED_OVER, AllocationState.RETURNED]
    ):
        line = item.line
        message.resources.append(ResourceInfo(
            element_id=line.edxl_element_id or str(line.number), response="Accept",
            name=item.holding.type.name, type_list=URN_PREFIX.rstrip(":"),
            type_value=item.holding.type.urn, amount=float(item.handed_quantity or 0),
            deployment_status="Handed over", description=handover.condition,
            schedules=[Schedule("ActualArrival", timezone.localtime(handover.received_at),
                                line.destination, line.latitude, line.longitude)],
        ))  # fmt: skip
    return write(message)
