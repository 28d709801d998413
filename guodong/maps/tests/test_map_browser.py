"""The map in headless Chromium: offline, scoped, filterable."""

from pathlib import Path

import pytest

from conftest import sign_in
from guodong.registry.models import Holding

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_map(page, base_url, username):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, base_url, username)
    page.goto(f"{base_url}/map/")
    page.wait_for_function(
        "document.querySelector('[data-testid=holding-count]').textContent !== '—'"
    )
    page.wait_for_selector(".leaflet-interactive")
    return requests


def test_district_map_is_offline_scoped_and_filterable(page, live_server):
    requests = _open_map(page, live_server.url, "nanhu_staff")
    assert all(url.startswith(live_server.url) for url in requests), "no request leaves 127.0.0.1"
    labels = page.inner_text(".leaflet-tooltip-pane") + page.inner_text("#map")
    assert "秀洲区" not in labels
    total = int(page.inner_text("[data-testid=holding-count]").replace(",", ""))
    assert total == Holding.objects.filter(county__code="330402").exclude(h3_cell=None).count()
    assert page.locator(".cell-marker").count() > 0
    page.select_option("#id_freshness", "stale")
    shown = "document.querySelector('[data-testid=holding-count]').textContent.replace(',', '')"
    page.wait_for_function(f"{shown} !== '{total}'")
    stale = int(page.inner_text("[data-testid=holding-count]").replace(",", ""))
    assert 0 < stale < total
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-nanhu-staff.png"))


def test_city_map_shows_the_counties_and_facilities(page, live_server):
    _open_map(page, live_server.url, "city_staff")
    text = page.inner_text(".leaflet-tooltip-pane")
    assert {"南湖区", "秀洲区", "桐乡市"} <= set(text.split())
    with page.expect_response(lambda r: "/api/v1/map/facilities/" in r.url) as response:
        page.get_by_label("人防工程").check()
    assert len(response.value.json()) == 60
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "map-city-staff.png"))


def test_drawing_a_polygon_totals_what_is_inside(page, live_server):
    _open_map(page, live_server.url, "city_staff")
    box = page.locator("#map").bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.click("[data-testid=draw-polygon]")
    for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.7, 0.7)):
        page.mouse.click(x + w * fx, y + h * fy)
    with page.expect_response(lambda r: "/api/v1/map/inside/" in r.url) as response:
        page.mouse.dblclick(x + w * 0.3, y + h * 0.7)
    assert response.value.status == 200
    page.wait_for_selector("[data-testid=inside] table")
    assert page.locator("[data-testid=inside] tr").count() > 0
    page.screenshot(path=str(ARTIFACTS / "map-polygon.png"))
