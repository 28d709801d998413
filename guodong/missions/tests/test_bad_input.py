"""Quantities no database column holds, on the mission and floor pages and the API: a clear
error naming the field, never a server error, nothing handed over or kept."""

import pytest
from django.utils import timezone

from conftest import client_for
from guodong.demands.models import ReserveFloor
from guodong.demands.services import transition
from guodong.demands.tests.conftest import division, rtype, submit
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.choices import MissionStatus
from guodong.missions.models import Mission
from guodong.missions.services import acknowledge, dispatch

pytestmark = pytest.mark.django_db

HUGE = [2**31, 10**20, 2**63]  # PostgreSQL integer + 1, SQLite overflow


@pytest.fixture
def acknowledged(liaison, nanhu_staff, reporter, generators):
    demand = submit(liaison)
    transition(nanhu_staff, demand, "analyse")
    transition(nanhu_staff, demand, "approve")
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    dispatch(nanhu_staff, demand)
    mission = Mission.objects.get(demand=demand, unit=reporter.organization)
    return acknowledge(reporter, mission)


@pytest.mark.parametrize("quantity", HUGE)
def test_a_handover_quantity_no_database_holds_is_refused_on_page_and_api(
    reporter, acknowledged, quantity
):
    item = acknowledged.allocations.get()
    unit = client_for(reporter)
    page = unit.post(f"/demands/missions/{acknowledged.pk}/handover/", {
        "received_by": "张连长", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "condition": "完好", f"item_{item.pk}": str(quantity),
    })  # fmt: skip
    assert page.status_code == 200
    assert f"item_{item.pk}" in page.context["handover_form"].errors
    api = unit.post(f"/api/v1/missions/{acknowledged.pk}/handover/", {
        "received_by": "张连长", "received_at": timezone.now().isoformat(), "condition": "完好",
        "quantities": {str(item.pk): quantity},
    }, content_type="application/json")  # fmt: skip
    assert api.status_code == 400 and "quantities" in api.json()
    unknown = unit.post(f"/api/v1/missions/{acknowledged.pk}/handover/", {
        "received_by": "张连长", "received_at": timezone.now().isoformat(), "condition": "完好",
        "quantities": {str(quantity): 1},
    }, content_type="application/json")  # fmt: skip
    assert unknown.status_code == 400 and "quantities" in unknown.json()
    assert Mission.objects.get(pk=acknowledged.pk).status == MissionStatus.ACKNOWLEDGED


@pytest.mark.parametrize("quantity", HUGE)
def test_a_reserve_floor_no_database_holds_is_a_field_error(nanhu_staff, quantity):
    answer = client_for(nanhu_staff).post("/demands/floors/new/", {
        "division": division("330402").pk, "resource_type": rtype("EQP.PWR.GEN-M").pk,
        "quantity": str(quantity),
    })  # fmt: skip
    assert answer.status_code == 200 and "quantity" in answer.context["form"].errors
    assert not ReserveFloor.objects.filter(division__code="330402").exists()
