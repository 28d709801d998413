"""A staff member matches a demand and dispatches its missions in headless Chromium; the unit's
reporter acknowledges on their own page."""

from pathlib import Path

import pytest

from conftest import sign_in
from guodong.accounts.models import User
from guodong.demands.models import Demand
from guodong.demands.tests.conftest import line, submit
from guodong.missions.models import Mission

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_matches_a_demand_and_dispatches_its_missions(page, live_server):
    from guodong.demands.tests.conftest import add_generators  # after the demo is reloaded
    from guodong.matching.snapshot import SNAPSHOT
    from guodong.registry.models import Holding

    Holding.objects.filter(type__parent__code="EQP.PWR").delete()
    SNAPSHOT.columns = None
    add_generators("EQP.PWR.GEN-M", 3, owner="嘉兴南湖冷链物流有限公司", lat=30.75, lon=120.828)
    add_generators(
        "EQP.PWR.GEN-M", 10, owner="南湖区建设工程机械租赁有限公司", lat=30.78, lon=120.86
    )
    demand = submit(User.objects.get(username="liaison"), line(quantity=5))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server.url, "nanhu_staff")
    page.goto(f"{live_server.url}/demands/{demand.pk}/")
    assert page.inner_text("#demand-status") == "已受理"
    page.fill("#analysis_conclusion", "需求合理，可直接审批")
    page.click("button[data-action=analyse]")
    page.click("button[data-action=approve]")
    assert page.inner_text("#demand-status") == "已批准"
    page.click("#run-matching")
    assert "证明为最优" in page.inner_text("#matching-summary")
    assert "为何选择这些条目" in page.inner_text("main")
    page.click("#approve-matching")
    assert page.inner_text("#demand-status") == "已匹配"
    page.click("#dispatch-missions")
    assert page.inner_text("#demand-status") == "已下达"
    assert page.locator("#missions .mission-status").all_inner_texts() == ["已下达", "已下达"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demand-dispatched.png"), full_page=True)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("path.demand-destination")
    assert page.locator("path.demand-flow").count() == 2, "one line from each reserved holding"
    page.screenshot(path=str(ARTIFACTS / "map-demand-flows.png"))
    assert all(url.startswith(live_server.url) for url in requests), "no request leaves 127.0.0.1"

    page.click("[data-testid=whoami]")  # sign-out sits in the user's dropdown
    page.click("form[action='/logout/'] button")
    sign_in(page, live_server.url, "reporter")
    own = Mission.objects.get(demand=demand, unit__name="嘉兴南湖冷链物流有限公司")
    page.goto(f"{live_server.url}/demands/missions/{own.pk}/")
    page.click("#acknowledge")
    assert page.inner_text("#mission-status") == "已签收"
    page.screenshot(path=str(ARTIFACTS / "mission-acknowledged.png"), full_page=True)
    page.goto(f"{live_server.url}/demands/missions/{own.pk}/notice/")
    assert "动员任务通知书" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "mission-notice.png"), full_page=True)
    assert Demand.objects.get(pk=demand.pk).status == "in_progress"
