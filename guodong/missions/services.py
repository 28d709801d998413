"""Missions from dispatch to handover: the unit acknowledges or declines, reports progress and
records the handover receipt; returning, cancelling or declining releases the reservation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.audit import record_event, snapshot
from guodong.demands.choices import OPEN_MISSIONS, AllocationState, DemandStatus, MissionStatus
from guodong.demands.models import Allocation, Demand, Handover, Mission
from guodong.demands.services import locked_demand, settle_status
from guodong.registry.models import Holding

M = MissionStatus
# action: (statuses it may start from, status it leads to)
STEPS: dict[str, tuple[set[str], str]] = {
    "acknowledge": ({M.DISPATCHED}, M.ACKNOWLEDGED),
    "decline": ({M.DISPATCHED, M.ACKNOWLEDGED}, M.DECLINED),
    "progress": ({M.ACKNOWLEDGED, M.IN_PROGRESS}, M.IN_PROGRESS),
    "handover": ({M.ACKNOWLEDGED, M.IN_PROGRESS}, M.HANDED_OVER),
    "return": ({M.HANDED_OVER}, M.RETURNED),
    "cancel": (OPEN_MISSIONS, M.CANCELLED),
}
PERMISSION = {"return": "return", "cancel": "cancel"}  # others: "respond"


def _locked(acting_user: Any, mission: Mission, step: str) -> Mission:
    action = PERMISSION.get(step, "respond")
    current = (
        Mission.objects.visible_to(acting_user, action).select_for_update().filter(pk=mission.pk)
    ).first()
    if current is None:
        raise PermissionDenied(_("Only the responsible unit or the office may do this."))
    if current.status not in STEPS[step][0]:
        raise ValidationError(
            {"status": _("A mission that is “{status}” cannot take this step.").format(
                status=current.get_status_display()
            )}
        )  # fmt: skip
    return current


def allowed_steps(user: Any, mission: Mission) -> list[str]:
    return [
        step
        for step, (sources, _target) in STEPS.items()
        if mission.status in sources and Mission.permits(user, PERMISSION.get(step, "respond"))
    ]


def _finish(acting_user: Any, mission: Mission, step: str, before: dict, **fields: Any) -> Mission:
    for name, value in fields.items():
        setattr(mission, name, value)
    mission.status = STEPS[step][1]
    mission.save()
    record_event(acting_user, f"mission.{step}", mission, before=before, after=snapshot(mission))
    settle_status(acting_user, Demand.objects.select_for_update().get(pk=mission.demand_id))
    return mission


@transaction.atomic
def dispatch(acting_user: Any, demand: Demand) -> list[Mission]:
    """Send every mission not yet dispatched to its unit."""
    demand = locked_demand(acting_user, demand, "dispatch")
    pending = list(demand.missions.select_for_update().filter(status=M.PENDING))
    if not pending:
        raise ValidationError({"missions": _("There is no mission waiting to be dispatched.")})
    now = timezone.now()
    for mission in pending:
        before = snapshot(mission)
        mission.status, mission.dispatched_at = M.DISPATCHED, now
        mission.save(update_fields=["status", "dispatched_at", "updated_at"])
        record_event(
            acting_user, "mission.dispatch", mission, before=before, after=snapshot(mission)
        )
    if demand.status == DemandStatus.MATCHED:
        before = snapshot(demand)
        demand.status = DemandStatus.DISPATCHED
        demand.save(update_fields=["status", "updated_at"])
        record_event(acting_user, "demand.dispatch", demand, before=before, after=snapshot(demand))
    return pending


@transaction.atomic
def acknowledge(acting_user: Any, mission: Mission) -> Mission:
    mission = _locked(acting_user, mission, "acknowledge")
    return _finish(acting_user, mission, "acknowledge", snapshot(mission),
                   acknowledged_at=timezone.now())  # fmt: skip


@transaction.atomic
def decline(acting_user: Any, mission: Mission, reason: str) -> Mission:
    """The unit cannot do it: the reservation is released and the quantity goes back to
    matching, which will not ask this unit again for this demand."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    mission = _locked(acting_user, mission, "decline")
    before = snapshot(mission)
    _release(mission, AllocationState.DECLINED)
    return _finish(acting_user, mission, "decline", before, decline_reason=reason.strip())


@transaction.atomic
def report_progress(acting_user: Any, mission: Mission, note: str) -> Mission:
    if not note.strip():
        raise ValidationError({"note": _("Say what has been done.")})
    mission = _locked(acting_user, mission, "progress")
    return _finish(acting_user, mission, "progress", snapshot(mission), progress_note=note.strip())


@transaction.atomic
def record_handover(
    acting_user: Any,
    mission: Mission,
    *,
    received_by: str,
    received_at: dt.datetime,
    condition: str,
    quantities: Mapping[int, int],
    notes: str = "",
) -> Handover:
    """The receipt: who received how much of each item, when and in what state. What is handed
    over leaves the holding (the exercise ledger leaves real holdings untouched)."""
    mission = _locked(acting_user, mission, "handover")
    errors: dict[str, list[str]] = {}
    if not received_by.strip():
        errors["received_by"] = [_("Name who received the resources.")]
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        errors["received_at"] = [_("The handover time is in the future.")]
    items = list(mission.allocations.select_related("holding__type", "line").filter(
        state=AllocationState.RESERVED
    ))  # fmt: skip
    unknown = set(quantities) - {a.pk for a in items}
    if unknown:
        errors["quantities"] = [_("Item {id} is not part of this mission.").format(id=min(unknown))]
    for item in items:
        handed = quantities.get(item.pk, item.quantity)
        if handed < 0 or handed > item.quantity:
            errors.setdefault("quantities", []).append(
                _("{type}: {n} handed over, but {allocated} were allocated.").format(
                    type=item.holding.type.name, n=handed, allocated=item.quantity
                )
            )
    if errors:
        raise ValidationError(errors)
    before = snapshot(mission)
    for item in items:
        handed = quantities.get(item.pk, item.quantity)
        _move(acting_user, item, -handed, "holding.requisition")
        item.handed_quantity, item.state = handed, AllocationState.HANDED_OVER
        item.save(update_fields=["handed_quantity", "state"])
    receipt = Handover.objects.create(
        mission=mission, received_by=received_by.strip(), received_at=received_at,
        condition=condition.strip(), notes=notes.strip(), recorded_by=acting_user,
    )  # fmt: skip
    _finish(acting_user, mission, "handover", before)
    return receipt


@transaction.atomic
def return_mission(acting_user: Any, mission: Mission) -> Mission:
    """Demobilization: what was handed over goes back to its holdings."""
    mission = _locked(acting_user, mission, "return")
    before = snapshot(mission)
    for item in mission.allocations.filter(state=AllocationState.HANDED_OVER):
        _move(acting_user, item, item.handed_quantity or 0, "holding.return", release=False)
        item.state = AllocationState.RETURNED
        item.save(update_fields=["state"])
    return _finish(acting_user, mission, "return", before)


@transaction.atomic
def cancel_mission(acting_user: Any, mission: Mission, reason: str) -> Mission:
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    mission = _locked(acting_user, mission, "cancel")
    before = snapshot(mission)
    _release(mission, AllocationState.RELEASED)
    return _finish(acting_user, mission, "cancel", before, decline_reason=reason.strip())


def end_all_missions(acting_user: Any, demand: Demand, reason: str) -> None:
    """A rejected or cancelled demand releases every open mission and proposal."""
    for mission in demand.missions.select_for_update().filter(status__in=OPEN_MISSIONS):
        before = snapshot(mission)
        _release(mission, AllocationState.RELEASED)
        mission.status, mission.decline_reason = M.CANCELLED, reason
        mission.save(update_fields=["status", "decline_reason", "updated_at"])
        record_event(acting_user, "mission.cancel", mission, before=before, after=snapshot(mission))
    Allocation.objects.filter(line__demand=demand, state=AllocationState.PROPOSED).update(
        state=AllocationState.DISCARDED
    )


def _ledger(allocation: Allocation) -> str:
    return "quantity_reserved_exercise" if allocation.is_exercise else "quantity_reserved"


def _release(mission: Mission, state: str) -> None:
    for item in mission.allocations.filter(state=AllocationState.RESERVED):
        field = _ledger(item)
        Holding.objects.filter(pk=item.holding_id).update(**{field: F(field) - item.quantity})
        item.state = state
        item.save(update_fields=["state"])


def _move(
    acting_user: Any, item: Allocation, delta: int, action: str, *, release: bool = True
) -> None:
    """Release the item's reservation and, on the real ledger, move `delta` units in or out
    of the holding (an event, so the snapshot and the history follow)."""
    holding = Holding.objects.select_for_update().get(pk=item.holding_id)
    field = _ledger(item)
    if release:
        setattr(holding, field, getattr(holding, field) - item.quantity)
    if item.is_exercise or not delta:
        holding.save(update_fields=[field])
        return
    before = snapshot(holding)
    holding.quantity_available += delta
    holding.quantity_total += delta
    holding.save()
    record_event(acting_user, action, holding, before=before, after=snapshot(holding))
