"""Pages as a person sees them: headless Debian Chromium driven by Playwright."""

from pathlib import Path

import pytest

from conftest import sign_in

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nanhu_staff_signs_in_and_sees_only_their_district(page, live_server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server.url, "nanhu_staff")
    page.wait_for_selector("[data-testid=division-total]")
    page.wait_for_load_state("load")
    heading = page.inner_text("h1")
    assert "管辖范围：南湖区" in heading
    divisions = int(page.inner_text("[data-testid=division-total]"))
    assert divisions > 100, "real divisions of 南湖区, villages included"
    assert int(page.inner_text("[data-testid=organization-total]")) >= 5
    assert "最近操作" in page.content()
    page.wait_for_selector(".dashboard-chart svg")
    assert "过期数据最多的乡镇" in page.inner_text("[data-testid=dashboard]")
    assert "新塍" not in page.inner_text("[data-testid=dashboard]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-nanhu-staff.png"), full_page=True)

    page.goto(f"{live_server.url}/organizations/")
    text = page.inner_text("main")
    assert "大桥镇国防动员工作站" in text
    assert "秀洲" not in text and "新塍" not in text
    page.fill("input[name=q]", "新塍")
    page.wait_for_timeout(800)
    assert "没有符合条件的记录" in page.inner_text("#object-table")
    page.screenshot(path=str(ARTIFACTS / "organizations-nanhu-staff.png"), full_page=True)

    page.goto(f"{live_server.url}/divisions/?q=dqz")
    assert "大桥镇" in page.inner_text("#object-table")
    assert all(url.startswith(live_server.url) for url in requests), "no request leaves the server"
