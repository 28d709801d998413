"""Demands in and answers out as EDXL-RM: RequestResource / RequisitionResource become a demand;
the platform answers with CommitResource and reports handovers as
ReportResourceDeploymentStatus."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.demands.choices import ACTIVE_ALLOCATIONS, AllocationState, Source
from guodong.demands.edxl.codec import (
    INBOUND,
    Message,
    ResourceInfo,
    Schedule,
    read,
    validate,
    write,
)
from guodong.demands.models import Allocation, Demand, Mission
from guodong.demands.services import create_demand
from guodong.divisions.geo import county_code_at
from guodong.divisions.models import Division
from guodong.registry.models import ResourceType
from guodong.registry.models.catalogue import URN_PREFIX

ARRIVALS = ("RequestedArrival", "EstimatedArrival")


def _resource_type(item: ResourceInfo) -> ResourceType | None:
    value = item.type_value or item.name
    if value.lower().startswith(URN_PREFIX):
        return ResourceType.objects.filter(code__iexact=value[len(URN_PREFIX) :]).first()
    return ResourceType.objects.filter(name=value, retired_in__isnull=True).first()


def _quantity(item: ResourceInfo) -> int | None:
    raw = item.amount if item.amount is not None else item.quantity_text
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else None


def _line(number: int, item: ResourceInfo, errors: dict[str, list[str]]) -> dict[str, Any]:
    def fail(field: str, reason: str) -> None:
        errors.setdefault(field, []).append(
            _("Resource {n} ({id}): {reason}").format(n=number, id=item.element_id, reason=reason)
        )

    resource_type = _resource_type(item)
    if resource_type is None:
        fail("resource_type", _("unknown resource type “{value}”").format(
            value=item.type_value or item.name or "—"))  # fmt: skip
    quantity = _quantity(item)
    if quantity is None:
        fail("quantity", _("the quantity must be a whole number"))
    arrival = next((s for s in item.schedules if s.kind in ARRIVALS), None)
    if arrival is None or arrival.when is None:
        fail("report_by", _("give a RequestedArrival time"))
    if arrival is None or arrival.lat is None:
        fail("latitude", _("give the destination as a point (TargetArea)"))
        return {}
    code = county_code_at(arrival.lat, arrival.lon)
    area = Division.objects.filter(code=code, effective_to__isnull=True).first() if code else None
    return {
        "resource_type": resource_type, "quantity": quantity, "report_by": arrival.when,
        "latitude": arrival.lat, "longitude": arrival.lon, "destination_division": area,
        "destination": arrival.place or (area.name if area else ""),
        "requirements": "\n".join(
            part for part in (item.requirements, item.function, item.instructions) if part
        ),
        "edxl_element_id": item.element_id,
    }  # fmt: skip


def import_message(
    acting_user: Any, data: bytes, *, division: Division, is_exercise: bool = False
) -> Demand:
    """A validated RequestResource or RequisitionResource becomes one demand, or nothing."""
    message = read(validate(data))
    if message.kind not in INBOUND:
        raise ValidationError(
            {"message": _("Only RequestResource and RequisitionResource create a demand.")}
        )
    if Demand.objects.filter(edxl_message_id=message.message_id).exists():
        raise ValidationError(
            {"message": _("Message {id} was already received.").format(id=message.message_id)}
        )
    errors: dict[str, list[str]] = {}
    lines = [_line(n, item, errors) for n, item in enumerate(message.resources, 1)]
    if errors:
        raise ValidationError(errors)
    requester = next((d for role, d in message.contacts if role == "Requester" and d), "")
    return create_demand(acting_user, {
        "title": message.incident or _("EDXL-RM demand {id}").format(id=message.message_id),
        "requester": requester or message.contacts[0][1] or message.message_id,
        "incident": message.incident or message.incident_id, "division": division,
        "is_exercise": is_exercise, "edxl_message_id": message.message_id,
    }, lines, source=Source.EDXL)  # fmt: skip


def _base(demand: Demand, kind: str, suffix: str) -> Message:
    origin = demand.edxl_message_id or f"urn:guodong:demand:{demand.code}"
    return Message(
        kind=kind, message_id=f"urn:guodong:demand:{demand.code}:{suffix}",
        sent=timezone.localtime().replace(microsecond=0), originating_id=origin,
        preceding_id=origin, incident=demand.incident or demand.title,
        contacts=[("Sender", str(demand.division.name) + "国防动员办公室")],
    )  # fmt: skip


def commit_message(demand: Demand) -> bytes:
    """What the platform commits per line: Accept with the reserved quantity, or Decline."""
    message = _base(demand, "CommitResource", f"commit:{timezone.now():%Y%m%d%H%M%S}")
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
    message = _base(mission.demand, "ReportResourceDeploymentStatus", f"handover:{mission.code}")
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
