"""Every change of the demand loop is in the event log with enough to replay it: the object's
full row and its child rows ("_children"), the holdings' ledgers before and after."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guodong.core.models import Event
from guodong.demands.services import attach, create_demand, transition
from guodong.demands.tests.conftest import division, line
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.models import Handover, MatchingRun, Mission
from guodong.missions.services import (
    acknowledge,
    decline,
    dispatch,
    record_handover,
    return_mission,
)
from guodong.registry.models import Holding

pytestmark = pytest.mark.django_db


def _events(action, obj=None):
    events = Event.objects.filter(action=action).order_by("sequence")
    if obj is not None:
        events = events.filter(object_id=str(obj.pk))
    return list(events)


def _demand(liaison, staff, *, files=(), **fields):
    demand = create_demand(
        liaison,
        {"title": "防汛抢险发电保障", "requester": "嘉兴军分区", "division": division("330402"),
         **fields},
        [line(quantity=4), line(quantity=1, destination="二号点")],
        attachments=files,
    )  # fmt: skip
    transition(staff, demand, "analyse")
    return transition(staff, demand, "approve")


def test_submit_event_holds_the_demand_with_its_lines_and_attachments(liaison, nanhu_staff):
    order = SimpleUploadedFile("调令.pdf", b"%PDF-1.4 order", content_type="application/pdf")
    demand = _demand(liaison, nanhu_staff, files=[order])
    (submitted,) = _events("demand.submit", demand)
    assert submitted.object_type == "demands.demand" and submitted.before is None
    children = submitted.after["_children"]
    assert [row["quantity"] for row in children["lines"]] == [4, 1]
    assert children["lines"][1]["destination"] == "二号点"
    assert [row["name"] for row in children["attachments"]] == ["调令.pdf"]
    later = SimpleUploadedFile("地图.png", b"png", content_type="image/png")
    attach(liaison, demand, later)
    (attached,) = _events("demand.attach", demand)
    assert len(attached.before["_children"]["attachments"]) == 1
    assert len(attached.after["_children"]["attachments"]) == 2


def test_the_loop_records_proposals_reservations_missions_handover_and_holdings(
    liaison, nanhu_staff, reporter, generators
):
    near, far = generators
    demand = _demand(liaison, nanhu_staff)
    first = run_matching(nanhu_staff, demand)
    run = run_matching(nanhu_staff, demand)
    (superseded,) = _events("matchingrun.supersede", first)
    assert superseded.before["superseded"] is False and superseded.after["superseded"] is True
    (created,) = _events("matchingrun.create", run)
    proposals = created.after["_children"]["allocations"]
    assert {(a["holding_id"], a["state"]) for a in proposals} >= {(near.pk, "proposed")}
    assert sum(a["quantity"] for a in proposals) == 5

    missions = approve_matching(nanhu_staff, run)
    reserved = {e.object_id: e for e in _events("holding.reserve")}
    assert set(reserved) == {str(near.pk), str(far.pk)}
    assert float(reserved[str(near.pk)].before["quantity_reserved"]) == 0
    assert float(reserved[str(near.pk)].after["quantity_reserved"]) == 3
    assert float(reserved[str(near.pk)].after["quantity_reserved_exercise"]) == 0
    for mission in missions:
        (made,) = _events("mission.create", mission)
        items = made.after["_children"]["allocations"]
        assert items and {i["state"] for i in items} == {"reserved"}
        assert {i["mission_id"] for i in items} == {mission.pk}
    (approved,) = _events("matchingrun.approve", run)
    assert approved.after["approved_at"] and approved.before["approved_at"] is None

    dispatch(nanhu_staff, demand)
    own = Mission.objects.get(demand=demand, unit=reporter.organization)
    acknowledge(reporter, own)
    receipt = record_handover(reporter, own, received_by="张连长", received_at=timezone.now(),
                              condition="完好", quantities={})  # fmt: skip
    (handed,) = _events("handover.create", receipt)
    assert handed.object_type == "missions.handover"
    assert handed.after["received_by"] == "张连长" and handed.after["mission_id"] == own.pk
    requisitions = _events("holding.requisition", near)  # one per item drawn from it
    assert float(requisitions[0].before["quantity_available"]) == 3
    assert float(requisitions[-1].after["quantity_available"]) == 0
    assert float(requisitions[-1].after["quantity_reserved"]) == 0
    (handover,) = _events("mission.handover", own)
    items = handover.after["_children"]["allocations"]
    assert sum(i["handed_quantity"] for i in items) == 3
    return_mission(nanhu_staff, own)
    assert float(_events("holding.return", near)[-1].after["quantity_available"]) == 3
    assert Handover.objects.filter(mission=own).exists()


def test_releases_and_discarded_proposals_are_recorded(liaison, nanhu_staff, reporter, generators):
    near, _far = generators
    demand = _demand(liaison, nanhu_staff, is_exercise=True)
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    near.refresh_from_db()
    assert near.quantity_reserved_exercise == 3 and near.quantity_reserved == 0
    (booked,) = _events("holding.reserve", near)
    assert float(booked.after["quantity_reserved_exercise"]) == 3, "the exercise ledger"
    assert float(booked.after["quantity_reserved"]) == 0
    dispatch(nanhu_staff, demand)
    own = Mission.objects.get(demand=demand, unit=reporter.organization)
    decline(reporter, own, "设备检修")
    released = _events("holding.release", near)
    assert float(released[0].before["quantity_reserved_exercise"]) == 3
    assert float(released[-1].after["quantity_reserved_exercise"]) == 0
    (declined,) = _events("mission.decline", own)
    assert {i["state"] for i in declined.after["_children"]["allocations"]} == {"declined"}
    proposal = run_matching(nanhu_staff, demand)
    # Dispatched missions: the demand can no longer be rejected, only cancelled.
    transition(nanhu_staff, demand, "cancel", "任务取消")
    (discarded,) = _events("matchingrun.discard", proposal)
    assert {a["state"] for a in discarded.before["_children"]["allocations"]} == {"proposed"}
    assert {a["state"] for a in discarded.after["_children"]["allocations"]} == {"discarded"}
    other = Mission.objects.get(demand=demand, status="cancelled")
    (cancelled,) = _events("mission.cancel", other)
    assert {i["state"] for i in cancelled.after["_children"]["allocations"]} == {"released"}
    assert Holding.objects.get(pk=near.pk).quantity_reserved_exercise == 0


def test_a_unit_reporter_reads_none_of_the_matching_events(liaison, nanhu_staff, reporter,
                                                           generators):  # fmt: skip
    demand = _demand(liaison, nanhu_staff)
    run = run_matching(nanhu_staff, demand)
    approve_matching(nanhu_staff, run)
    visible = Event.objects.visible_to(reporter)
    assert not visible.filter(object_type="missions.matchingrun").exists()
    staff_events = Event.objects.visible_to(nanhu_staff)
    assert staff_events.filter(object_id=str(run.pk), action="matchingrun.create").exists()
    assert MatchingRun.objects.visible_to(reporter).count() == 0
