"""A new user in the browser (issue 11): the division chooser, lists on a phone, and a
verification error on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import sign_in
from guodong.accounts.models import User
from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.registry.models import Holding
from guodong.registry.services import create_verification_task

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def daqiao() -> Division:
    return Division.objects.get(code="330402105", effective_to__isnull=True)


def test_typing_daqiao_in_the_reserve_floor_filter_picks_daqiao(
    page: Any, live_server: Any
) -> None:
    sign_in(page, live_server.url, "city_staff")
    page.goto(f"{live_server.url}/demands/floors/")
    chooser = page.locator("form .division-chooser").first
    search = chooser.locator(".chooser-input")
    assert chooser.locator("select").is_hidden()
    search.click()
    search.type("大桥")
    result = chooser.locator(".chooser-result", has_text="大桥镇").first
    result.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chooser-daqiao.png"))
    result.click()
    page.wait_for_url(f"**division={daqiao().pk}**")
    assert search.input_value() == "大桥镇"
    assert chooser.locator("select").input_value() == str(daqiao().pk)


def test_holdings_list_reads_as_cards_on_a_phone(page: Any, live_server: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "nanhu_staff")
    page.goto(f"{live_server.url}/registry/holdings/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "holdings-390.png"), full_page=False)
    headers = page.locator("#object-table th")
    # No header squeezed to one character a line: on a phone the header row gives way to
    # labels beside each value.
    for index in range(headers.count()):
        box = headers.nth(index).bounding_box()
        assert box is None or box["width"] > 48
    first_row = page.locator("#object-table tbody tr").first
    row_box = first_row.bounding_box()
    assert row_box is not None and row_box["width"] > 300
    cells = first_row.locator("td")
    assert cells.count() >= 4
    for index in range(cells.count()):
        cell = cells.nth(index)
        label = page.evaluate(
            "(td) => getComputedStyle(td, '::before').content", cell.element_handle()
        )
        assert label.strip('"') == cell.get_attribute("data-label")
        box = cell.bounding_box()
        assert box is not None and box["width"] > 300
    first_row.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "holdings-390-cards.png"))


def test_a_verification_error_on_a_phone_names_the_item_and_keeps_the_values(
    page: Any, live_server: Any
) -> None:
    nanhu_staff = User.objects.get(username="nanhu_staff")
    grid_worker = User.objects.get(username="daqiao_grid")
    picked = Holding.objects.filter(within("division_path", daqiao().path)).order_by("pk")[:2]
    task = create_verification_task(
        nanhu_staff,
        title="大桥镇核查",
        assignee=grid_worker,
        due_date=timezone.localdate(),
        division=daqiao(),
        holdings=Holding.objects.filter(pk__in=[h.pk for h in picked]),
    )
    item = task.items.select_related("holding__type").order_by("pk")[1]
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "daqiao_grid")
    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    card = page.locator(f"#item-{item.pk}")
    card.locator("select").select_option("adjusted")
    card.locator("textarea").fill("管理员说借出两台")
    card.locator("button").click()
    card = page.locator(f"#item-{item.pk}")
    error = card.locator("[data-testid=item-error]")
    error.wait_for()
    name = f"{item.holding.type.name} · {item.holding.owner_name}"
    assert name in error.inner_text() and "请填写实查数量" in error.inner_text()
    assert card.locator("select").input_value() == "adjusted"
    assert card.locator("textarea").input_value() == "管理员说借出两台"
    card.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "verification-error-390.png"))
