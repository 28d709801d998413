"""Issue 11, done as the users did it in headless Chromium: a member unit answers a mission for
holdings it keeps outside its home district; a demand line needs no coordinates typed in (the
area's centre, or a point picked on the map); optional empty lines are ignored."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import sign_in
from guodong.accounts.models import User
from guodong.core.services import SystemActor
from guodong.demands.models import Demand
from guodong.demands.points import division_centre, polygon_centres
from guodong.demands.services import create_demand, transition
from guodong.divisions.geo import county_code_at
from guodong.divisions.models import Division
from guodong.matching.services import approve_matching, run_matching
from guodong.matching.snapshot import SNAPSHOT
from guodong.missions.models import Mission
from guodong.missions.services import dispatch
from guodong.registry.models import Holding, ResourceType
from guodong.registry.services import create_holding

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNIT = "嘉兴南湖冷链物流有限公司"
PHONE = (390, 844)


def _tents_in_haining(reporter: User) -> Holding:
    """Two tents the unit (home: 南湖区) keeps in a village of 海宁市, through the services."""
    village = Division.objects.filter(
        code__startswith="330481", level=5, effective_to__isnull=True
    ).first()
    assert village is not None and reporter.organization is not None
    assert not village.path.startswith(reporter.organization.division.path), "outside home"
    lat, lon = polygon_centres(3)["330481"]
    return create_holding(SystemActor("tests"), {
        "type": ResourceType.objects.get(code="SUP.SHE.TENT-12"),
        "quantity_total": Decimal(2), "quantity_available": Decimal(2), "condition": "good",
        "readiness": "h2", "owner_kind": "member_unit", "owner": reporter.organization,
        "division": village, "latitude": lat, "longitude": lon,
        "contact_name": "刘经理", "contact_phone": "13900002222",
    })  # fmt: skip


def test_a_unit_answers_its_mission_for_tents_it_keeps_in_another_county(page, live_server):
    reporter = User.objects.get(username="reporter")
    assert reporter.organization is not None and reporter.organization.name == UNIT
    staff = User.objects.get(username="city_staff")
    holding = _tents_in_haining(reporter)
    SNAPSHOT.columns = None
    demand = create_demand(staff, {
        "title": "海宁安置点帐篷保障", "requester": "嘉兴军分区",
        "division": Division.objects.get(code="330400", effective_to__isnull=True),
    }, [{
        "resource_type": holding.type, "quantity": 2, "destination_division": holding.division,
        "latitude": holding.latitude, "longitude": holding.longitude,
        "report_by": timezone.now() + dt.timedelta(hours=6), "readiness": "h24",
    }])  # fmt: skip
    transition(staff, demand, "analyse")
    transition(staff, demand, "approve")
    approve_matching(staff, run_matching(staff, demand))
    (mission,) = [m for m in dispatch(staff, demand) if m.unit_id == reporter.organization_id]
    assert [a.holding_id for a in mission.allocations.all()] == [holding.pk]

    sign_in(page, live_server.url, "reporter")
    page.goto(f"{live_server.url}/demands/missions/")
    mine = Mission.objects.filter(unit=reporter.organization).count()
    assert f"共 {mine} 条" in page.inner_text("main")  # 共 1 条 unless the demo gave it others
    page.click(f"text={mission.code}")
    assert page.url.endswith(f"/demands/missions/{mission.pk}/")
    assert "海宁" in page.inner_text("main") or holding.division.name in page.inner_text("main")
    page.click("#acknowledge")
    assert page.inner_text("#mission-status") == "已签收"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mission-outside-home-district.png"), full_page=True)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.screenshot(path=str(ARTIFACTS / "mission-outside-home-district-390.png"), full_page=True)
    assert Mission.objects.get(pk=mission.pk).status == "acknowledged"


def _choose_area(page, select_id: str, area: Division) -> None:
    """Pick the area as the user does: type ahead in the division chooser where the form has
    one, else choose it in the plain select."""
    chooser = page.locator(f"input.chooser-input[data-for={select_id}]")
    if chooser.count():
        chooser.fill(area.name)
        page.click(f".chooser-result[data-id='{area.pk}']")
    else:
        page.select_option(f"#{select_id}", value=str(area.pk))


def _fill_line_without_a_point(page, village: Division) -> None:
    page.fill("#id_title", "大桥镇安置点帐篷保障")
    tent = ResourceType.objects.get(code="SUP.SHE.TENT-12")
    page.select_option("#id_line0-resource_type", value=str(tent.pk))
    page.fill("#id_line0-quantity", "3")
    with page.expect_response(lambda r: "/centre/" in r.url):
        _choose_area(page, "id_line0-destination_division", village)
    page.wait_for_function("document.querySelector('#id_line0-latitude').value !== ''")
    report_by = timezone.localtime() + dt.timedelta(hours=8)
    page.fill("#id_line0-report_by", report_by.strftime("%Y-%m-%dT%H:%M"))


@pytest.mark.parametrize("viewport", [(1366, 900), PHONE], ids=["desktop", "phone"])
def test_a_demand_line_needs_no_coordinates_and_empty_lines_are_ignored(
    page, live_server, viewport
):
    village = Division.objects.get(code="330402105004", effective_to__isnull=True)
    centre = division_centre(village)
    assert centre is not None
    before = set(Demand.objects.values_list("pk", flat=True))
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    sign_in(page, live_server.url, "nanhu_staff")
    page.goto(f"{live_server.url}/demands/new/")
    page.wait_for_selector("fieldset.demand-line .leaflet-interactive")
    _fill_line_without_a_point(page, village)
    note = page.locator("fieldset.demand-line .line-point-note").first.inner_text()
    assert centre.of.name in note
    page.locator("#id_line0-latitude").fill("")  # the server defaults an empty point too
    page.locator("#id_line0-longitude").fill("")
    ARTIFACTS.mkdir(exist_ok=True)
    name = "desktop" if viewport[0] > 500 else "390"
    page.screenshot(path=str(ARTIFACTS / f"demand-form-{name}.png"), full_page=True)
    page.click("form button.btn-danger")
    page.wait_for_selector("#demand-status")
    assert "该字段是必填项" not in page.content()
    (created,) = Demand.objects.exclude(pk__in=before)
    line = created.lines.get()
    assert (line.latitude, line.longitude) == (centre.latitude, centre.longitude)
    assert line.destination == village.name and created.lines.count() == 1


def test_a_point_picked_on_the_map_is_stored(page, live_server):
    village = Division.objects.get(code="330402105004", effective_to__isnull=True)
    before = set(Demand.objects.values_list("pk", flat=True))
    sign_in(page, live_server.url, "nanhu_staff")
    page.goto(f"{live_server.url}/demands/new/")
    page.wait_for_selector("fieldset.demand-line .leaflet-interactive")
    _fill_line_without_a_point(page, village)
    area = page.locator("fieldset.demand-line .line-map").first
    box = area.bounding_box()
    assert box is not None
    # A little off the area's centre, on which the map is centred: inside 南湖区.
    area.click(position={"x": box["width"] * 0.53, "y": box["height"] * 0.56})
    picked = (
        float(page.input_value("#id_line0-latitude")),
        float(page.input_value("#id_line0-longitude")),
    )
    assert "地图上选" in page.locator(".line-point-note").first.inner_text()
    assert county_code_at(*picked) == "330402"
    page.screenshot(path=str(ARTIFACTS / "demand-form-picked.png"), full_page=True)
    page.click("form button.btn-danger")
    page.wait_for_selector("#demand-status")
    (created,) = Demand.objects.exclude(pk__in=before)
    line = created.lines.get()
    assert (line.latitude, line.longitude) == pytest.approx(picked, abs=1e-6)
    centre = division_centre(village)
    assert centre is not None and (centre.latitude, centre.longitude) != picked
