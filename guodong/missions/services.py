"""Every write of missions: reserving holdings for an approved matching and grouping them into
missions, dispatch, the unit's answers, the handover receipt, the return, and the releases that
declining, cancelling or ending a demand make.

Events (each before/after is the full row, a mission with its items under "_children"):
"mission.create|dispatch|acknowledge|decline|progress|handover|return|cancel" on the mission,
"handover.create" on the receipt, "holding.reserve|release|requisition|return" on the holding
whose ledger or quantity changed, "matchingrun.discard" on a matching whose proposals lapsed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.accounts.models import User
from guodong.core.actors import Actor
from guodong.core.audit import record_event, snapshot
from guodong.core.scope import SEPARATOR
from guodong.core.services import lock_visible, recording
from guodong.demands.choices import DemandStatus
from guodong.demands.models import Demand
from guodong.demands.services import advance
from guodong.missions.choices import (
    ACTIVE_ALLOCATIONS,
    OPEN_MISSIONS,
    AllocationState,
    MissionStatus,
)
from guodong.missions.models import Allocation, Handover, MatchingRun, Mission
from guodong.registry.models import Holding

M = MissionStatus
# action: (statuses it may start from, status it leads to)
STEPS: dict[str, tuple[set[MissionStatus], MissionStatus]] = {
    "acknowledge": ({M.DISPATCHED}, M.ACKNOWLEDGED),
    "decline": ({M.DISPATCHED, M.ACKNOWLEDGED}, M.DECLINED),
    "progress": ({M.ACKNOWLEDGED, M.IN_PROGRESS}, M.IN_PROGRESS),
    "handover": ({M.ACKNOWLEDGED, M.IN_PROGRESS}, M.HANDED_OVER),
    "return": ({M.HANDED_OVER}, M.RETURNED),
    "cancel": (OPEN_MISSIONS, M.CANCELLED),
}
PERMISSION = {"return": "return", "cancel": "cancel"}  # others: "respond"


def ledger_field(is_exercise: bool) -> str:
    """The holding column an allocation books: exercises reserve in their own ledger."""
    return "quantity_reserved_exercise" if is_exercise else "quantity_reserved"


def open_quantities(demand: Demand) -> dict[int, int]:
    """Per line id: quantity not yet covered by a reservation or a handover."""
    covered = dict(
        Allocation.objects.filter(line__demand=demand, state__in=ACTIVE_ALLOCATIONS)
        .values("line")
        .annotate(total=Sum("quantity"))
        .values_list("line", "total")
    )
    return {line.pk: line.quantity - covered.get(line.pk, 0) for line in demand.lines.all()}


def may_see_contact(user: Actor, mission: Mission) -> bool:
    """The mission's own unit, and the office that handles it, read the contact phone in full:
    they are the ones who must call it to carry the mission out. Anyone else reads it masked."""
    if not Mission.objects.visible_to(user).filter(pk=mission.pk).exists():
        return False
    own_unit = mission.unit_id is not None and user.organization_id == mission.unit_id
    return own_unit or Mission.permits(user, "dispatch")


@transaction.atomic
def reveal_contact(acting_user: Actor, mission: Mission) -> str:
    """The contact phone in clear for who may see it ("mission.reveal" names the field, never
    the value; the event changes no row, so a replay passes it by)."""
    if not may_see_contact(acting_user, mission):
        raise PermissionDenied(_("Your role may not perform this action."))
    record_event(
        acting_user, "mission.reveal", mission, before=None,
        after={"revealed": ["contact_phone"]},
    )  # fmt: skip
    return str(mission.contact_phone)


def allowed_steps(user: Actor, mission: Mission) -> list[str]:
    return [
        step
        for step, (sources, _target) in STEPS.items()
        if mission.status in sources and Mission.permits(user, PERMISSION.get(step, "respond"))
    ]


def _locked(acting_user: Actor, mission: Mission, step: str) -> Mission:
    try:
        current = lock_visible(acting_user, mission, PERMISSION.get(step, "respond"))
    except PermissionDenied as error:
        raise PermissionDenied(_("Only the responsible unit or the office may do this.")) from error
    if current.status not in STEPS[step][0]:
        raise ValidationError(
            {"status": _("A mission that is “{status}” cannot take this step.").format(
                status=current.get_status_display()
            )}
        )  # fmt: skip
    return current


def _settle(acting_user: Actor, mission: Mission) -> None:
    """Derive the demand's in progress / handed over from its missions."""
    demand = Demand.objects.select_for_update().get(pk=mission.demand_id)
    states = set(demand.missions.values_list("status", flat=True))
    active = states - {M.DECLINED, M.CANCELLED}
    target = DemandStatus(demand.status)
    if active and active <= {M.HANDED_OVER, M.RETURNED}:
        target = DemandStatus.HANDED_OVER
    elif active & {M.ACKNOWLEDGED, M.IN_PROGRESS, M.HANDED_OVER}:
        target = DemandStatus.IN_PROGRESS
    advance(acting_user, demand, target, "progress")


def _step(acting_user: Actor, mission: Mission, step: str, **fields: object) -> Mission:
    """Record one step of a mission already locked, changed inside the caller's block."""
    with recording(acting_user, f"mission.{step}", mission):
        for name, value in fields.items():
            setattr(mission, name, value)
        mission.status = STEPS[step][1]
    _settle(acting_user, mission)
    return mission


@transaction.atomic
def dispatch(acting_user: Actor, demand: Demand) -> list[Mission]:
    """Send every mission not yet dispatched to its unit."""
    demand = lock_visible(acting_user, demand, "dispatch")
    pending = list(demand.missions.select_for_update().filter(status=M.PENDING))
    if not pending:
        raise ValidationError({"missions": _("There is no mission waiting to be dispatched.")})
    now = timezone.now()
    for mission in pending:
        with recording(acting_user, "mission.dispatch", mission):
            mission.status, mission.dispatched_at = M.DISPATCHED, now
    if demand.status == DemandStatus.MATCHED:
        advance(acting_user, demand, DemandStatus.DISPATCHED, "dispatch")
    return pending


def _end_with_reason(
    acting_user: Actor, mission: Mission, step: str, reason: str, released_as: AllocationState
) -> Mission:
    """Decline or cancel: the reservation is released and the mission ends, with its reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    mission = _locked(acting_user, mission, step)
    with recording(acting_user, f"mission.{step}", mission):
        _release(acting_user, mission, released_as)
        ended = M.DECLINED if step == "decline" else M.CANCELLED
        mission.status, mission.decline_reason = ended, reason.strip()
    _settle(acting_user, mission)
    return mission


@transaction.atomic
def acknowledge(acting_user: Actor, mission: Mission) -> Mission:
    mission = _locked(acting_user, mission, "acknowledge")
    return _step(acting_user, mission, "acknowledge", acknowledged_at=timezone.now())


@transaction.atomic
def decline(acting_user: Actor, mission: Mission, reason: str) -> Mission:
    """The unit cannot do it: the reservation is released and the quantity goes back to
    matching, which will not ask this unit again for this demand."""
    return _end_with_reason(acting_user, mission, "decline", reason, AllocationState.DECLINED)


@transaction.atomic
def report_progress(acting_user: Actor, mission: Mission, note: str) -> Mission:
    if not note.strip():
        raise ValidationError({"note": _("Say what has been done.")})
    mission = _locked(acting_user, mission, "progress")
    return _step(acting_user, mission, "progress", progress_note=note.strip())


@transaction.atomic
def record_handover(
    acting_user: Actor,
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
    if not isinstance(acting_user, User):
        errors.setdefault("received_by", []).append(_("A person records the handover."))
    if errors:
        raise ValidationError(errors)
    assert isinstance(acting_user, User)  # for the type checker: refused above otherwise
    with recording(acting_user, "mission.handover", mission):
        for item in items:
            handed = quantities.get(item.pk, item.quantity)
            _move(acting_user, item, -handed, "holding.requisition")
            item.handed_quantity, item.state = handed, AllocationState.HANDED_OVER
            item.save(update_fields=["handed_quantity", "state"])
        mission.status = M.HANDED_OVER
    receipt = Handover(
        mission=mission, received_by=received_by.strip(), received_at=received_at,
        condition=condition.strip(), notes=notes.strip(), recorded_by=acting_user,
    )  # fmt: skip
    receipt.full_clean()
    receipt.save()
    record_event(acting_user, "handover.create", receipt, before=None, after=snapshot(receipt))
    _settle(acting_user, mission)
    return receipt


@transaction.atomic
def return_mission(acting_user: Actor, mission: Mission) -> Mission:
    """Demobilization: what was handed over goes back to its holdings."""
    mission = _locked(acting_user, mission, "return")
    with recording(acting_user, "mission.return", mission):
        for item in mission.allocations.filter(state=AllocationState.HANDED_OVER):
            _move(acting_user, item, item.handed_quantity or 0, "holding.return", release=False)
            item.state = AllocationState.RETURNED
            item.save(update_fields=["state"])
        mission.status = M.RETURNED
    _settle(acting_user, mission)
    return mission


@transaction.atomic
def cancel_mission(acting_user: Actor, mission: Mission, reason: str) -> Mission:
    return _end_with_reason(acting_user, mission, "cancel", reason, AllocationState.RELEASED)


def end_all_missions(acting_user: Actor, demand: Demand, reason: str) -> None:
    """A rejected or cancelled demand releases every open mission and discards every proposal
    (inside the demand's transaction)."""
    for mission in demand.missions.select_for_update().filter(status__in=OPEN_MISSIONS):
        with recording(acting_user, "mission.cancel", mission):
            _release(acting_user, mission, AllocationState.RELEASED)
            mission.status, mission.decline_reason = M.CANCELLED, reason
    # The demand is locked by the caller: its matchings cannot change meanwhile.
    lapsed = Allocation.objects.filter(line__demand=demand, state=AllocationState.PROPOSED)
    for run in MatchingRun.objects.filter(pk__in=lapsed.values("matching_id")):
        with recording(acting_user, "matchingrun.discard", run, save=False):
            run.allocations.filter(state=AllocationState.PROPOSED).update(
                state=AllocationState.DISCARDED
            )


def reserve(acting_user: Actor, demand: Demand, proposals: list[Allocation]) -> None:
    """Book the proposed quantities on their holdings ("holding.reserve" per holding), refused
    whole when a holding changed since the matching or has too little left unreserved.

    The locks make the check and the booking one step; the table's check constraint is the
    last guard (an exercise books its own ledger, which never blocks a real reservation)."""
    field = ledger_field(demand.is_exercise)
    wanted = _sum_by(proposals, "holding_id")
    version = {a.holding_id: a.holding_version for a in proposals}
    locked = {
        h.pk: h
        for h in Holding.objects.select_for_update().filter(pk__in=list(wanted)).order_by("pk")
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
    try:
        with transaction.atomic():
            for pk, quantity in wanted.items():
                holding = locked[pk]
                before = snapshot(holding)
                setattr(holding, field, getattr(holding, field) + quantity)
                # Only the ledger column: the holding's version (updated_at) stays, so other
                # proposals on it remain approvable.
                holding.save(update_fields=[field])
                record_event(
                    acting_user, "holding.reserve", holding, before=before, after=snapshot(holding)
                )
    except IntegrityError as error:  # the table's check constraint: never over-booked
        raise ValidationError(
            {"matching": _("Another office reserved these holdings meanwhile: match again.")}
        ) from error


def create_missions(
    acting_user: Actor, demand: Demand, proposals: Iterable[Allocation]
) -> list[Mission]:
    """Group reserved proposals by responsible unit into missions ("mission.create", each with
    its items)."""
    proposals = list(proposals)
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
            division_path=common_path([holdings[a.holding_id].division_path for a in items]),
            report_by=min(a.line.report_by for a in items), status=M.PENDING,
        )  # fmt: skip
        Allocation.objects.filter(pk__in=[a.pk for a in items]).update(
            mission=mission, state=AllocationState.RESERVED
        )
        record_event(acting_user, "mission.create", mission, before=None, after=snapshot(mission))
        missions.append(mission)
    return missions


def _sum_by(allocations: list[Allocation], attribute: str) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        totals[getattr(allocation, attribute)] += allocation.quantity
    return totals


def common_path(paths: list[str]) -> str:
    """The deepest division path containing all of `paths`."""
    split = [p.strip(SEPARATOR).split(SEPARATOR) for p in paths]
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return SEPARATOR + SEPARATOR.join(common) + SEPARATOR


def _release(acting_user: Actor, mission: Mission, state: AllocationState) -> None:
    """Give back the reservations of a mission's reserved items ("holding.release" per
    holding) and mark the items `state`."""
    for item in mission.allocations.filter(state=AllocationState.RESERVED).order_by("holding_id"):
        _move(acting_user, item, 0, "holding.release")
        item.state = state
        item.save(update_fields=["state"])


def _move(
    acting_user: Actor, item: Allocation, delta: int, action: str, *, release: bool = True
) -> None:
    """Release the item's reservation and, on the real ledger, move `delta` units in or out of
    the holding; one event with the holding before and after, so the availability snapshot
    and the history follow (an exercise moves nothing but its own ledger)."""
    holding = Holding.objects.select_for_update().get(pk=item.holding_id)
    field = ledger_field(item.is_exercise)
    before = snapshot(holding)
    if release:
        setattr(holding, field, getattr(holding, field) - item.quantity)
    moves = bool(delta) and not item.is_exercise
    if moves:
        holding.quantity_available += delta
        holding.quantity_total += delta
        holding.save()
    elif release:
        holding.save(update_fields=[field])
    else:
        return
    if not moves and action != "holding.release":
        action = "holding.release"
    record_event(acting_user, action, holding, before=before, after=snapshot(holding))
