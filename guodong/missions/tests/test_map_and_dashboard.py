"""Demands on the map and the dashboard (issue 5), scoped like everything else."""

import pytest

from conftest import client_for
from guodong.demands.services import transition
from guodong.demands.tests.conftest import DESTINATION, submit
from guodong.matching.services import approve_matching, run_matching

pytestmark = pytest.mark.django_db


def _matched(liaison, staff):
    demand = submit(liaison)
    transition(staff, demand, "analyse")
    transition(staff, demand, "approve")
    return demand, run_matching(staff, demand)


def test_map_layer_shows_destinations_and_flows_proposed_then_reserved(
    liaison, nanhu_staff, xiuzhou_staff, generators
):
    demand, run = _matched(liaison, nanhu_staff)
    layer = client_for(nanhu_staff).get("/api/v1/map/demands/").json()
    mine = [d for d in layer if d["demand"] == demand.code]
    assert len(mine) == 1
    assert (mine[0]["lat"], mine[0]["lon"]) == (DESTINATION["latitude"], DESTINATION["longitude"])
    assert sorted(f["quantity"] for f in mine[0]["flows"]) == [2, 3]
    assert all(f["proposed"] for f in mine[0]["flows"])
    approve_matching(nanhu_staff, run)
    layer = client_for(nanhu_staff).get("/api/v1/map/demands/").json()
    flows = next(d for d in layer if d["demand"] == demand.code)["flows"]
    assert {f["state"] for f in flows} == {"reserved"} and sum(f["quantity"] for f in flows) == 5
    other = client_for(xiuzhou_staff).get("/api/v1/map/demands/").json()
    assert demand.code not in {d["demand"] for d in other}, "another district sees nothing"


def test_dashboard_counts_open_demands_and_missions(liaison, nanhu_staff, generators):
    _demand, run = _matched(liaison, nanhu_staff)
    approve_matching(nanhu_staff, run)
    page = client_for(nanhu_staff).get("/").content.decode()
    assert "按状态统计的未结需求" in page and "已匹配" in page
    assert "/demands/missions/?status=pending" in page
    sheet = client_for(nanhu_staff).get("/dashboard/missions.xlsx")
    assert sheet.status_code == 200
