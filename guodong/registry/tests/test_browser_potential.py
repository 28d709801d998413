"""Staff ask the potential page how many people of a skill there are, and whom to call."""

from pathlib import Path

import pytest

from conftest import sign_in

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_people_are_counted_and_lead_to_the_specialists(page, live_server):
    sign_in(page, live_server.url, "nanhu_staff")
    page.goto(f"{live_server.url}/registry/potential/")
    page.click("[data-testid=potential-table] >> text=人力资源")
    table = page.inner_text("[data-testid=potential-table]")
    assert "人可用" in table and "登记" in table
    assert "秀洲区" not in table
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "potential-people.png"), full_page=True)
    first = page.locator("[data-testid=people]").first
    available = int(first.inner_text().split()[0])
    first.click()
    page.wait_for_url("**/registry/specialists/**")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= available > 0
    page.screenshot(path=str(ARTIFACTS / "potential-people-specialists.png"), full_page=True)
