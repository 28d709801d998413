"""Shared test setup: the real 嘉兴市 demo loaded once per test database, and the personas.

Personas (DESIGN.md §4.8): city staff, 南湖区 staff, 秀洲区 staff, a 大桥镇 grid worker, a
member-unit reporter, a military liaison, an auditor and an administrator.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.test import Client

from guodong.accounts.models import User
from guodong.demo.seed import DEMO_PASSWORD, load_demo


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        load_demo()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser and concurrency tests commit for real, and their transactional teardown empties
    the database: run them last so every other test sees the demo data."""
    items.sort(key=lambda item: "transactional_db" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def checkpoint_file(settings, tmp_path):  # noqa: ANN001, ANN201
    """Each test signs checkpoints into its own file: a rolled-back test must not leave a
    checkpoint ahead of the database, which is exactly what a truncated chain looks like."""
    settings.CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    return settings.CHECKPOINT_FILE


@pytest.fixture
def committed_demo(transactional_db):  # noqa: ANN001, ANN201
    """The demo data in a database whose transactions really commit (for concurrency tests).
    A test before this one may have emptied it; the demo loader is idempotent."""
    load_demo()


def _persona(username: str) -> User:
    user: User = User.objects.select_related("organization__division").get(username=username)
    return user


def _persona_fixture(username: str):  # noqa: ANN202
    @pytest.fixture
    def persona(db) -> User:  # noqa: ANN001
        return _persona(username)

    return persona


# fixture name → demo username (see guodong/demo/seed.py)
PERSONAS = {
    "city_staff": "city_staff",
    "nanhu_staff": "nanhu_staff",
    "xiuzhou_staff": "xiuzhou_staff",
    "grid_worker": "daqiao_grid",
    "reporter": "reporter",
    "liaison": "liaison",
    "auditor": "auditor",
    "admin_user": "admin",
}
for _name, _username in PERSONAS.items():
    globals()[_name] = _persona_fixture(_username)


@pytest.fixture
def dispatched_missions(db: None, liaison: User, nanhu_staff: User, reporter: User) -> list[Any]:
    """A real demand of 南湖区 matched to two units' generators and dispatched: one mission for
    the reporter's unit, one for another unit (which the reporter must never see)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from guodong.core.services import SystemActor
    from guodong.demands.services import create_demand, transition
    from guodong.divisions.models import Division
    from guodong.matching.services import approve_matching, run_matching
    from guodong.missions.services import dispatch
    from guodong.orgs.models import Organization
    from guodong.registry.models import ResourceType
    from guodong.registry.services import create_holding

    generator = ResourceType.objects.get(code="EQP.PWR.GEN-M")
    village = Division.objects.get(code="330402105004", effective_to__isnull=True)
    for owner, lat, lon in (
        (reporter.organization, 30.7500, 120.8280),
        (Organization.objects.get(name="南湖区建设工程机械租赁有限公司"), 30.7510, 120.8290),
    ):
        create_holding(SystemActor("tests"), {
            "type": generator, "quantity_total": Decimal(2), "quantity_available": Decimal(2),
            "condition": "good", "readiness": "h2", "owner_kind": "member_unit", "owner": owner,
            "division": village, "latitude": lat, "longitude": lon,
            "contact_name": "王经理", "contact_phone": "13800001111",
        })  # fmt: skip
    demand = create_demand(liaison, {
        "title": "防汛抢险发电保障", "requester": "嘉兴军分区", "incident": "2026 防汛",
        "division": Division.objects.get(code="330402", effective_to__isnull=True),
    }, [{
        "resource_type": generator, "quantity": 4, "destination_division": village,
        "destination": "大桥镇集结点", "latitude": 30.7490, "longitude": 120.8270,
        "report_by": timezone.now() + dt.timedelta(hours=6), "readiness": "h24",
    }])  # fmt: skip
    transition(nanhu_staff, demand, "analyse")
    transition(nanhu_staff, demand, "approve")
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    return dispatch(nanhu_staff, demand)


@pytest.fixture
def reporter_with_mission(reporter: User, dispatched_missions: list[Any]) -> User:
    """The member-unit reporter whose unit has a dispatched mission (and another unit has one
    of the same demand)."""
    assert {m.unit_id for m in dispatched_missions} > {reporter.organization_id}
    return reporter


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(monkeypatch, committed_demo, live_server):  # noqa: ANN001, ANN201
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


def sign_in(page, base_url: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
