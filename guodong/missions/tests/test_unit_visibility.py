"""The probes of issue 10 §1 and issue 11 blocker 1, each as the user who found it.

A member unit's reporter with a mission sees that mission wherever its holdings are kept, and
nothing of the other units' missions of the same demand: not on the demand page, not in the
matchings API, not on the map's demand layer, not in the event log.
"""

import pytest

from conftest import client_for
from guodong.core.models import Event
from guodong.missions.models import Mission

pytestmark = pytest.mark.django_db


def _missions(dispatched_missions, reporter):
    own = next(m for m in dispatched_missions if m.unit_id == reporter.organization_id)
    other = next(m for m in dispatched_missions if m.unit_id != reporter.organization_id)
    return own, other


def test_the_demand_page_shows_the_reporter_only_their_own_units_mission(
    reporter_with_mission, dispatched_missions
):
    own, other = _missions(dispatched_missions, reporter_with_mission)
    page = client_for(reporter_with_mission).get(own.demand.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert own.code in content
    assert other.code not in content
    assert other.owner_name not in content


def test_the_matchings_and_commit_message_are_not_for_a_units_reporter(
    reporter_with_mission, dispatched_missions
):
    own, _other = _missions(dispatched_missions, reporter_with_mission)
    client = client_for(reporter_with_mission)
    assert client.get(f"/api/v1/demands/{own.demand_id}/matchings/").status_code == 404
    assert client.get(f"/api/v1/demands/{own.demand_id}/edxl-commit/").status_code == 404


def test_the_map_draws_the_reporter_only_their_own_missions_flows(
    reporter_with_mission, dispatched_missions
):
    own, other = _missions(dispatched_missions, reporter_with_mission)
    layer = client_for(reporter_with_mission).get("/api/v1/map/demands/").json()
    drawn = [flow for line in layer for flow in line["flows"]]
    assert drawn, "their own mission's flows are drawn"
    assert {flow["owner"] for flow in drawn} == {own.owner_name}
    assert not any(flow["proposed"] for flow in drawn)
    assert other.owner_name != own.owner_name


def test_the_event_log_holds_no_event_of_another_units_mission(
    reporter_with_mission, dispatched_missions
):
    own, other = _missions(dispatched_missions, reporter_with_mission)
    client = client_for(reporter_with_mission)
    seen = {
        (event["object_type"], event["object_id"])
        for event in client.get("/api/v1/events/?page_size=500").json()["results"]
    }
    assert ("missions.mission", str(own.pk)) in seen
    assert ("missions.mission", str(other.pk)) not in seen
    assert not any(kind == "missions.matchingrun" for kind, _ in seen)
    assert Event.objects.filter(object_type="missions.mission", object_id=str(other.pk)).exists()


def test_a_units_mission_is_its_own_wherever_its_holdings_are_kept(
    reporter_with_mission, dispatched_missions
):
    """Blocker 1: move the mission's place to another county (its tents kept in 海宁市)."""
    own, _other = _missions(dispatched_missions, reporter_with_mission)
    far = "/" + "/".join(own.division_path.strip("/").split("/")[:2]) + "/999999999/"
    Mission.objects.filter(pk=own.pk).update(division_path=far)
    client = client_for(reporter_with_mission)
    assert client.get(f"/demands/missions/{own.pk}/").status_code == 200
    listed = client.get("/api/v1/missions/").json()["results"]
    assert own.pk in {mission["id"] for mission in listed}
