"""Demands in and answers out as EDXL-RM: RequestResource / RequisitionResource become a demand;
the platform answers with CommitResource and reports handovers as
ReportResourceDeploymentStatus."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.actors import Actor
from guodong.core.services import require_permission
from guodong.demands.choices import Source
from guodong.demands.edxl.codec import (
    INBOUND,
    Message,
    ResourceInfo,
    read,
    validate,
)
from guodong.demands.models import MAX_QUANTITY, Demand
from guodong.demands.services import create_demand, line_errors
from guodong.divisions.geo import county_code_at
from guodong.divisions.models import Division
from guodong.registry.models.catalogue import NameMatch
from guodong.registry.names import Catalogue, Resolution

ARRIVALS = ("RequestedArrival", "EstimatedArrival")
Errors = dict[str, list[str]]

# An incident written like this is an exercise (演练, 演习, “EXERCISE”), as is a message whose
# EDXL-DE envelope says Exercise or Test: a real request never reserves holdings by mistake.
EXERCISE_MARKS = ("演练", "演习", "exercise")
EXERCISE_STATUSES = ("exercise", "test")


def is_exercise_message(message: Message) -> bool:
    """Whether the message itself says it is an exercise (no separate switch needed)."""
    if message.distribution_status.lower() in EXERCISE_STATUSES:
        return True
    text = f"{message.incident_id} {message.incident}".lower()
    return any(mark in text for mark in EXERCISE_MARKS)


def _quantity(item: ResourceInfo, fail: Callable[[str, str], None]) -> int | None:
    """The whole, positive quantity of a line, or None after saying what is wrong with it."""
    raw = item.amount if item.amount is not None else item.quantity_text
    shown = f"{raw:g}" if isinstance(raw, float) else str(raw or "—")
    try:
        value = float(raw) if raw not in (None, "") else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if math.isnan(value):
        fail("quantity", _("the quantity “{value}” is not a number").format(value=shown))
    elif value < 0:
        fail("quantity", _("the quantity {value} is negative").format(value=shown))
    elif value == 0:
        fail("quantity", _("the quantity must be greater than zero"))
    elif value > MAX_QUANTITY:
        fail("quantity", _("the quantity {value} is larger than {max}").format(
            value=shown, max=MAX_QUANTITY))  # fmt: skip
    elif not value.is_integer():
        fail("quantity", _("the quantity {value} must be a whole number").format(value=shown))
    else:
        return int(value)
    return None


def _line(
    acting_user: Actor, catalogue: Catalogue, number: int, item: ResourceInfo, errors: Errors
) -> tuple[dict[str, Any], Resolution]:
    """The demand line an item asks for and how its name resolved; problems go to `errors`."""

    said: set[str] = set()

    def fail(field: str, reason: str) -> None:
        said.add(field)
        errors.setdefault(field, []).append(
            _("Resource {n} ({id}): {reason}").format(n=number, id=item.element_id, reason=reason)
        )

    found = catalogue.resolve(item.type_value, item.name)
    line: dict[str, Any] = {
        "resource_type": found.line_type, "edxl_element_id": item.element_id[:100],
        # The words the office used; a line sent by our own URN has nothing to interpret.
        "requested_name": (item.name if found.match == NameMatch.URN else found.written)[:200],
        "name_match": found.match or "",
        "candidate_types": found.candidate_ids, "substitutes_ok": len(found.types) > 1,
        "requirements": "\n".join(
            part for part in (item.requirements, item.function, item.instructions) if part
        ),
    }  # fmt: skip
    line["quantity"] = _quantity(item, fail)
    arrival = next((s for s in item.schedules if s.kind in ARRIVALS), None)
    if arrival is None or arrival.when is None:
        fail("report_by", _("give a RequestedArrival time"))
    else:
        line["report_by"] = arrival.when
    if arrival is None or arrival.lat is None or arrival.lon is None:
        fail("latitude", _("give the destination as a point (TargetArea)"))
        return line, found
    code = county_code_at(arrival.lat, arrival.lon)
    area = Division.objects.filter(code=code, effective_to__isnull=True).first() if code else None
    if code and (area is None or not Division.objects.visible_to(acting_user).filter(pk=area.pk)):
        # As the JSON API: a destination area the submitter cannot see is not theirs to ask for.
        place = area.name if area else f"({arrival.lat}, {arrival.lon})"
        reason = _("the destination {place} is outside your jurisdiction").format(place=place)
        fail("destination_division", reason)
    line.update({
        "latitude": arrival.lat, "longitude": arrival.lon, "destination_division": area,
        "destination": (arrival.place or (area.name if area else ""))[:200],
    })  # fmt: skip
    # The platform's own line checks (time in the past, point outside China, a retired type…)
    # under this message's numbering; what was said above in EDXL terms is not repeated, nor is
    # an unknown name, which import_message reports itself.
    for field, message in line_errors(number, line).items():
        if field not in said and (field != "resource_type" or found.resolved):
            errors.setdefault(field, []).append(message)
    return line, found


def unresolved_line_text(line: Mapping[str, Any]) -> str:
    """What is said of a line whose name matched nothing (Demand.unresolved_lines item)."""
    return _("Resource {n} ({id}): no catalogue type is called “{value}”").format(
        n=line["number"], id=line["element_id"], value=line["name"] or "—"
    )


def import_message(
    acting_user: Actor, data: bytes, *, division: Division, is_exercise: bool = False
) -> Demand:
    """A validated RequestResource or RequisitionResource becomes one demand, or nothing.

    Each resource name resolves through the catalogue (URN, code, name, synonyms, kinds; see
    registry.names); several acceptable types stay on the line for the analyst to narrow. A name
    that resolves to nothing does not sink the message: the demand is made of the other lines
    and the unresolved ones are kept on it (Demand.unresolved_lines) for the analyst. Any other
    problem, or no line resolved at all, refuses the message naming every problem by line.
    """
    require_permission(acting_user, "demands.submit")
    message = read(validate(data))
    if message.kind not in INBOUND:
        raise ValidationError(
            {"message": _("Only RequestResource and RequisitionResource create a demand.")}
        )
    if Demand.objects.filter(edxl_message_id=message.message_id).exists():
        raise ValidationError(
            {"message": _("Message {id} was already received.").format(id=message.message_id)}
        )
    catalogue = Catalogue()
    errors: Errors = {}
    lines: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    unknown: list[str] = []
    for number, item in enumerate(message.resources, 1):
        line, found = _line(acting_user, catalogue, number, item, errors)
        if found.resolved:
            lines.append(line)
            continue
        unresolved.append({
            "number": number, "element_id": item.element_id, "name": found.written,
            "quantity": line.get("quantity"),
        })  # fmt: skip
        unknown.append(unresolved_line_text(unresolved[-1]))
    if errors or not lines:
        # Refused whole: every problem named, the unknown names with them.
        raise ValidationError({**({"resource_type": unknown} if unknown else {}), **errors})
    requester = next((d for role, d in message.contacts if role == "Requester" and d), "")
    fallback = message.contacts[0][1] if message.contacts else ""
    return create_demand(acting_user, {
        "title": (message.incident or _("EDXL-RM demand {id}").format(id=message.message_id))[:200],
        "requester": (requester or fallback or message.message_id)[:100],
        "incident": (message.incident or message.incident_id)[:200], "division": division,
        "is_exercise": is_exercise or is_exercise_message(message),
        "edxl_message_id": message.message_id, "unresolved_lines": unresolved,
    }, lines, source=Source.EDXL)  # fmt: skip


def outbound_message(demand: Demand, kind: str, suffix: str) -> Message:
    """The header of a message the platform sends about `demand` (its resources are added by
    the caller: `guodong.missions.edxl`)."""
    origin = demand.edxl_message_id or f"urn:guodong:demand:{demand.code}"
    return Message(
        kind=kind, message_id=f"urn:guodong:demand:{demand.code}:{suffix}",
        sent=timezone.localtime().replace(microsecond=0), originating_id=origin,
        preceding_id=origin, incident=demand.incident or demand.title,
        contacts=[("Sender", _("{division} national defence mobilization office").format(
            division=demand.division.name))],
    )  # fmt: skip
