"""The navbar as city staff see it at 1440 and 1280 px (one line, the office name in the user
dropdown) and as a grid worker sees it on a phone (a burger menu; the to-do list on the home
page). Issue 11, items 5 and 14."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import _persona, sign_in
from guodong.registry.models import Holding
from guodong.registry.services.verification import create_verification_task

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav_item_boxes(page: Any) -> list[dict[str, float]]:
    """The bounding boxes of the navbar's top-level items (brand, menu, user, language)."""
    selector = ".navbar-brand, #nav > .navbar-nav > .nav-item, .navbar form[action*=i18n]"
    return [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]


@pytest.mark.parametrize("width", [1440, 1280])
def test_city_staffs_navbar_is_one_line(page: Any, live_server: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "city_staff")
    page.wait_for_selector("[data-testid=menu]")
    boxes = nav_item_boxes(page)
    assert len(boxes) >= 8  # brand, 首页, five sections, the user, the language
    # One line: every item shares the first item's line, and no item is taller than one line.
    tops = {round(box["y"]) for box in boxes[1:-1]}
    assert max(tops) - min(tops) <= 2, tops
    home = page.locator("#nav .nav-link", has_text="首页").bounding_box()
    assert home is not None and home["height"] < 48
    navbar = page.locator("nav.navbar").bounding_box()
    assert navbar is not None and navbar["height"] < 70
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"navbar-city-staff-{width}.png"))
    # The office name is one click away, in the user's dropdown.
    page.click("[data-testid=whoami]")
    assert page.locator("[data-testid=whoami-organization]").inner_text() == "嘉兴市国防动员办公室"
    page.click("[data-testid=menu-demands] > a")
    page.screenshot(path=str(ARTIFACTS / f"navbar-city-staff-{width}-demands.png"))
    assert page.locator(
        "[data-testid=menu-demands] .dropdown-item", has_text="提交需求"
    ).is_visible()


def test_grid_worker_opens_the_burger_menu_and_sees_their_to_do_on_a_phone(
    page: Any, live_server: Any
) -> None:
    grid_worker, staff = _persona("daqiao_grid"), _persona("nanhu_staff")
    assert grid_worker.organization is not None
    daqiao = grid_worker.organization.division
    create_verification_task(
        staff, title="大桥镇发电机组现场核查", assignee=grid_worker,
        due_date=timezone.localdate() + dt.timedelta(days=2), division=daqiao,
        holdings=Holding.objects.filter(division__path__startswith=daqiao.path),
    )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "daqiao_grid")
    todo = page.locator("[data-testid=todo]")
    todo.wait_for()
    assert "大桥镇发电机组现场核查" in todo.inner_text()
    assert "现场核查" in todo.locator("[data-testid=todo-item] .badge").first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-grid-worker-390.png"))
    assert not page.locator("[data-testid=menu]").is_visible()
    page.click(".navbar-toggler")
    page.locator("[data-testid=menu]").wait_for(state="visible")
    page.click("[data-testid=menu-surveys] > a")
    verification = page.locator("[data-url-name=verificationtask_list]")
    assert verification.is_visible()
    # A grid worker neither submits demands nor imports: those links are not offered.
    assert page.locator("[data-url-name=demand_add], [data-url-name=import_upload]").count() == 0
    page.wait_for_timeout(400)  # the collapse's animation
    page.screenshot(path=str(ARTIFACTS / "navbar-grid-worker-390-open.png"))
    todo.locator("[data-testid=todo-item]").first.click()
    page.wait_for_load_state("load")
    assert "/registry/verification/" in page.url
