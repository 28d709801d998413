"""The demand loop as the personas live it: intake, workflow, matching, reservation, missions,
handover — and the bad cases refused with nothing reserved."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guodong.core.models import Event
from guodong.demands.choices import DemandStatus
from guodong.demands.models import Demand, ReserveFloor
from guodong.demands.services import transition
from guodong.demands.tests.conftest import add_generators, division, line, rtype, submit
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.choices import AllocationState, MissionStatus
from guodong.missions.models import Mission
from guodong.missions.services import (
    acknowledge,
    decline,
    dispatch,
    record_handover,
    report_progress,
)
from guodong.registry.models import Holding

pytestmark = pytest.mark.django_db


def approved(user, staff, *lines, **fields):
    demand = submit(user, *lines, **fields)
    transition(staff, demand, "analyse")
    return transition(staff, demand, "approve")


def test_liaison_demand_is_matched_nearest_first_reserved_and_dispatched(
    liaison, nanhu_staff, reporter, generators
):
    near, far = generators
    demand = approved(liaison, nanhu_staff)
    assert demand.code.startswith("XQ") and demand.status == DemandStatus.APPROVED
    run = run_matching(nanhu_staff, demand)
    allocated = {a.holding_id: a.quantity for a in run.allocations.all()}
    assert allocated == {near.pk: 3, far.pk: 2}, "nearest first, the rest from the next"
    assert run.explanation[str(demand.lines.get().pk)]["unmet"] == 0
    missions = approve_matching(nanhu_staff, run)
    near.refresh_from_db(), far.refresh_from_db()
    assert (near.quantity_reserved, far.quantity_reserved) == (3, 2)
    assert len(missions) == 2 and {m.status for m in missions} == {MissionStatus.PENDING}
    dispatch(nanhu_staff, demand)
    own = Mission.objects.get(demand=demand, unit=reporter.organization)
    assert own.status == MissionStatus.DISPATCHED
    assert set(Mission.objects.visible_to(reporter).values_list("pk", flat=True)) == {own.pk}
    acknowledge(reporter, own)
    report_progress(reporter, own, "两台已装车")
    receipt = record_handover(
        reporter, own, received_by="张连长", received_at=timezone.now(), condition="完好",
        quantities={},
    )  # fmt: skip
    near.refresh_from_db()
    assert receipt.mission.status == MissionStatus.HANDED_OVER
    assert (near.quantity_available, near.quantity_reserved) == (0, 0)
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.IN_PROGRESS
    actions = set(
        Event.objects.filter(object_type="missions.mission").values_list("action", flat=True)
    )
    assert {
        "mission.dispatch",
        "mission.acknowledge",
        "mission.progress",
        "mission.handover",
    } <= actions


def test_reporter_cannot_acknowledge_another_units_mission(
    liaison, nanhu_staff, reporter, generators
):
    demand = approved(liaison, nanhu_staff)
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    dispatch(nanhu_staff, demand)
    other = Mission.objects.exclude(unit=reporter.organization).get(demand=demand)
    with pytest.raises(PermissionDenied):
        acknowledge(reporter, other)
    assert Mission.objects.get(pk=other.pk).status == MissionStatus.DISPATCHED


def test_declining_releases_and_rematching_avoids_the_unit(
    liaison, nanhu_staff, reporter, generators
):
    near, far = generators
    demand = approved(liaison, nanhu_staff, line(quantity=3))
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    dispatch(nanhu_staff, demand)
    own = Mission.objects.get(demand=demand, unit=reporter.organization)
    with pytest.raises(ValidationError):
        decline(reporter, own, "  ")
    decline(reporter, own, "设备检修中")
    near.refresh_from_db()
    assert near.quantity_reserved == 0
    again = run_matching(nanhu_staff, demand)
    assert {a.holding_id for a in again.allocations.all()} == {far.pk}
    assert again.explanation[str(demand.lines.get().pk)]["excluded"] == {"declined": 1}


def test_handing_over_more_than_allocated_is_refused(liaison, nanhu_staff, reporter, generators):
    demand = approved(liaison, nanhu_staff, line(quantity=2))
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    dispatch(nanhu_staff, demand)
    own = Mission.objects.get(demand=demand, unit=reporter.organization)
    acknowledge(reporter, own)
    item = own.allocations.get()
    with pytest.raises(ValidationError, match="2"):
        record_handover(reporter, own, received_by="张连长", received_at=timezone.now(),
                        condition="完好", quantities={item.pk: 5})  # fmt: skip
    assert Mission.objects.get(pk=own.pk).status == MissionStatus.ACKNOWLEDGED
    assert Holding.objects.get(pk=item.holding_id).quantity_reserved == 2


def test_approving_a_matching_whose_holding_changed_reserves_nothing(
    liaison, nanhu_staff, generators
):
    near, far = generators
    demand = approved(liaison, nanhu_staff)
    run = run_matching(nanhu_staff, demand)
    near.refresh_from_db()
    near.notes = "改了"
    near.save()
    with pytest.raises(ValidationError, match="重新匹配"):
        approve_matching(nanhu_staff, run)
    assert Holding.objects.filter(pk__in=[near.pk, far.pk], quantity_reserved__gt=0).count() == 0
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.APPROVED


def test_two_offices_cannot_book_the_same_generator_twice(
    liaison, nanhu_staff, city_staff, generators
):
    first = approved(liaison, nanhu_staff, line(quantity=13))
    second = approved(liaison, city_staff, line(quantity=13), division=division("330400"))
    run_a, run_b = run_matching(nanhu_staff, first), run_matching(city_staff, second)
    approve_matching(nanhu_staff, run_a)
    with pytest.raises(ValidationError, match="重新匹配"):
        approve_matching(city_staff, run_b)
    assert (
        sum(
            Holding.objects.filter(type=rtype("EQP.PWR.GEN-M")).values_list(
                "quantity_reserved", flat=True
            )
        )
        == 13
    )


def test_exercise_reserves_its_own_ledger_and_never_blocks_real_missions(
    liaison, nanhu_staff, generators
):
    near, _far = generators
    drill = approved(liaison, nanhu_staff, line(quantity=13), is_exercise=True)
    approve_matching(nanhu_staff, run_matching(nanhu_staff, drill))
    assert all(m.is_exercise for m in drill.missions.all())
    real = approved(liaison, nanhu_staff, line(quantity=13))
    approve_matching(nanhu_staff, run_matching(nanhu_staff, real))
    near.refresh_from_db()
    assert (near.quantity_reserved, near.quantity_reserved_exercise) == (3, 3)


def test_unmet_quantity_is_explained_with_suggestions(liaison, nanhu_staff, generators):
    demand = approved(liaison, nanhu_staff, line(quantity=20))
    run = run_matching(nanhu_staff, demand)
    explained = run.explanation[str(demand.lines.get().pk)]
    assert explained["unmet"] == 7
    assert "13" in explained["reason"], "only 13 generators are free"
    assert any("秀洲区" in s for s in explained["suggestions"]), "neighbouring district"
    assert any("嘉兴市国防动员办公室" in s for s in explained["suggestions"]), "escalation"


def test_substitutes_kinds_caps_and_floors(liaison, nanhu_staff, generators):
    near, far = generators
    big = add_generators(
        "EQP.PWR.GEN-L", 4, owner="嘉兴南湖冷链物流有限公司", lat=30.7491, lon=120.8271
    )
    exact = run_matching(nanhu_staff, approved(liaison, nanhu_staff, line(quantity=2)))
    assert {a.holding_id for a in exact.allocations.all()} == {near.pk}, "only the type asked for"
    sub = run_matching(
        nanhu_staff, approved(liaison, nanhu_staff, line(quantity=2, substitutes_ok=True))
    )
    assert {a.holding_id for a in sub.allocations.all()} == {big.pk}, "a more capable substitute"
    kind = run_matching(nanhu_staff, approved(
        liaison, nanhu_staff, line("EQP.PWR", quantity=6, min_capability=1)))  # fmt: skip
    assert {a.holding_id: a.quantity for a in kind.allocations.all()} == {big.pk: 4}
    capped = run_matching(nanhu_staff, approved(
        liaison, nanhu_staff, line(quantity=10), owner_cap_percent=20))  # fmt: skip
    assert {a.holding_id: a.quantity for a in capped.allocations.all()} == {near.pk: 2, far.pk: 2}
    ReserveFloor.objects.create(
        division=division("330402"), resource_type=rtype("EQP.PWR.GEN-M"), quantity=10
    )
    floored = run_matching(nanhu_staff, approved(liaison, nanhu_staff, line(quantity=10)))
    assert sum(a.quantity for a in floored.allocations.all()) == 3, "13 held, 10 kept back"
    assert "保留底数" in next(iter(floored.explanation.values()))["reason"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"report_by": timezone.now() - dt.timedelta(hours=1)}, "report_by"),
        ({"latitude": 48.85, "longitude": 2.35}, "latitude"),
        ({"resource_type": None}, "resource_type"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_kept(liaison, override, field):
    before = Demand.objects.count()
    with pytest.raises(ValidationError) as error:
        submit(liaison, line(**override))
    assert field in error.value.message_dict
    assert "1" in error.value.message_dict[field][0]
    assert Demand.objects.count() == before


def test_roles_that_may_not_submit_or_approve_are_refused(
    reporter, grid_worker, liaison, generators
):
    with pytest.raises(PermissionDenied):
        submit(reporter)
    demand = submit(liaison)
    with pytest.raises(PermissionDenied):
        transition(liaison, demand, "analyse")
    with pytest.raises(PermissionDenied):
        transition(grid_worker, demand, "approve")


def test_reject_needs_a_reason_and_releases_reservations(liaison, nanhu_staff, generators):
    near, _far = generators
    demand = approved(liaison, nanhu_staff)
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    with pytest.raises(ValidationError):
        transition(nanhu_staff, demand, "reject")
    transition(nanhu_staff, demand, "reject", "上级已另行调配")
    near.refresh_from_db()
    assert near.quantity_reserved == 0
    assert set(demand.missions.values_list("status", flat=True)) == {MissionStatus.CANCELLED}
    assert not demand.missions.first().allocations.filter(state=AllocationState.RESERVED).exists()


def test_district_staff_cannot_see_or_match_another_districts_demand(
    liaison, xiuzhou_staff, nanhu_staff, generators
):
    demand = approved(liaison, nanhu_staff)
    assert not Demand.objects.visible_to(xiuzhou_staff).filter(pk=demand.pk).exists()
    with pytest.raises(PermissionDenied):
        run_matching(xiuzhou_staff, demand)


def test_the_demo_exercise_is_approved_and_can_be_matched_at_once(nanhu_staff):
    drill = Demand.objects.get(title="冷链运输保障演练")
    assert drill.is_exercise and drill.status == DemandStatus.APPROVED
    run = run_matching(nanhu_staff, drill)
    assert run.allocations.exists() and all(a.is_exercise for a in run.allocations.all())
    approve_matching(nanhu_staff, run)
    assert all(m.is_exercise for m in drill.missions.all())
