"""Pages as a person sees them: headless Debian Chromium driven by Playwright."""

import os
import shutil
from pathlib import Path

import pytest

from guodong.demo.seed import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are plain setup.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing under CI (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed; run `make test` as root to install it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def _sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def test_nanhu_staff_signs_in_and_sees_only_their_district(page, live_server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    _sign_in(page, live_server.url, "nanhu_staff")
    page.wait_for_selector("[data-testid=division-total]")
    heading = page.inner_text("h1")
    assert "管辖范围：南湖区" in heading
    divisions = int(page.inner_text("[data-testid=division-total]"))
    assert divisions > 100, "real divisions of 南湖区, villages included"
    assert int(page.inner_text("[data-testid=organization-total]")) >= 5
    assert "最近操作" in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-nanhu-staff.png"), full_page=True)

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
