"""The reporter's and the grid worker's home pages list their own to-dos, and nobody else's:
their unit's missions, the verification tasks assigned to them, their unit's survey returns
(issue 11, item 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from guodong.accounts.models import User
from guodong.core.todo import TodoItem, providers, register, todo_for
from guodong.divisions.models import Division
from guodong.missions.choices import MissionStatus
from guodong.missions.services import acknowledge
from guodong.orgs.models import Organization
from guodong.registry.models import Holding, ResourceType
from guodong.registry.services.surveys import open_campaign
from guodong.registry.services.verification import create_verification_task


def todo_card(user: User) -> str:
    """The to-do card of the user's home page (the page's activity table names other tasks)."""
    html = client_for(user).get("/").content.decode()
    start = html.index('data-testid="todo"')
    return html[start : html.index("<!-- /todo -->", start)]


@pytest.mark.django_db
def test_reporters_home_lists_their_units_missions_and_not_the_other_units(
    reporter_with_mission: User, dispatched_missions: list[Any]
) -> None:
    own = next(m for m in dispatched_missions if m.unit_id == reporter_with_mission.organization_id)
    other = next(m for m in dispatched_missions if m.unit_id != own.unit_id)
    html = todo_card(reporter_with_mission)
    assert reverse("mission_detail", args=[own.pk]) in html
    assert reverse("mission_detail", args=[other.pk]) not in html
    assert "确认任务" in html  # what to do: acknowledge it
    # Once acknowledged it stays on the list, as a mission to carry out.
    acknowledge(reporter_with_mission, own)
    items = todo_for(reporter_with_mission).items
    assert [i.url for i in items if "missions" in i.url] == [own.get_absolute_url()]
    assert str(items[0].kind) == "执行任务"
    assert items[0].due == own.report_by


@pytest.mark.django_db
def test_a_handed_over_mission_leaves_the_list(
    reporter_with_mission: User, dispatched_missions: list[Any]
) -> None:
    own = next(m for m in dispatched_missions if m.unit_id == reporter_with_mission.organization_id)
    own.status = MissionStatus.HANDED_OVER  # the state after handover, as the services leave it
    own.save(update_fields=["status"])
    assert own.get_absolute_url() not in {i.url for i in todo_for(reporter_with_mission).items}


@pytest.mark.django_db
def test_grid_workers_home_lists_the_verification_tasks_assigned_to_them_only(
    grid_worker: User, nanhu_staff: User, dispatched_missions: list[Any]
) -> None:
    assert grid_worker.organization is not None
    daqiao = grid_worker.organization.division
    holdings = Holding.objects.filter(division__path__startswith=daqiao.path)
    due = timezone.localdate() + dt.timedelta(days=3)
    mine = create_verification_task(
        nanhu_staff, title="大桥镇发电机组核查", assignee=grid_worker, due_date=due,
        division=daqiao, holdings=holdings,
    )  # fmt: skip
    # The office's own task (staff may verify too) is not the grid worker's to-do.
    theirs = create_verification_task(
        nanhu_staff, title="区办自查", assignee=nanhu_staff, due_date=due,
        division=daqiao, holdings=holdings,
    )  # fmt: skip
    html = todo_card(grid_worker)
    assert mine.get_absolute_url() in html and "大桥镇发电机组核查" in html
    assert theirs.get_absolute_url() not in html and "区办自查" not in html
    assert "现场核查" in html
    assert [i.title for i in todo_for(grid_worker).items] == ["大桥镇发电机组核查"]
    # The office user to whom a task falls sees it on their home too.
    assert [i.title for i in todo_for(nanhu_staff).items] == ["区办自查"]


@pytest.mark.django_db
def test_reporters_home_lists_their_units_survey_return_with_its_deadline(
    reporter: User, nanhu_staff: User
) -> None:
    unit = reporter.organization
    assert unit is not None
    other = Organization.objects.get(name="南湖区建设工程机械租赁有限公司")
    campaign = open_campaign(
        nanhu_staff,
        {"name": "2026 年度发电装备调查", "year": 2026, "deadline": timezone.localdate(),
         "division": Division.objects.get(code="330402", effective_to__isnull=True)},
        categories=[ResourceType.objects.get(code="EQP.PWR.GEN-M")],
        assignees=[unit, other],
    )  # fmt: skip
    items = [i for i in todo_for(reporter).items if i.title == campaign.name]
    assert len(items) == 1
    own = campaign.assignments.get(organization=reporter.organization)
    assert items[0].url == f"{reverse('import_upload')}?assignment={own.pk}"
    assert items[0].due == campaign.deadline
    assert client_for(reporter).get(items[0].url).status_code == 200
    assert items[0].url in todo_card(reporter)
    # The other unit's part of the same campaign is not the reporter's.
    theirs = campaign.assignments.get(organization=other)
    assert not any(f"assignment={theirs.pk}" in i.url for i in todo_for(reporter).items)


@pytest.mark.django_db
def test_office_staff_without_anything_assigned_get_no_to_do_card(
    city_staff: User, admin_user: User, auditor: User
) -> None:
    assert not any(todo_for(u).shown for u in (city_staff, admin_user, auditor))
    assert 'data-testid="todo"' not in client_for(city_staff).get("/").content.decode()


@pytest.mark.django_db
def test_a_later_app_adds_its_to_dos_by_registering_a_provider(grid_worker: User) -> None:
    @register
    class InspectionTodos:
        def applies(self, user: Any) -> bool:
            return True

        def items(self, user: Any) -> list[TodoItem]:
            return [TodoItem("巡查", "1 号人员掩蔽工程", "/x/", dt.date(2026, 1, 1))]

    try:
        assert todo_for(grid_worker).items[0].title == "1 号人员掩蔽工程"  # overdue comes first
        assert todo_for(grid_worker).items[0].overdue
    finally:
        from guodong.core import todo

        todo._PROVIDERS[:] = [p for p in providers() if not isinstance(p, InspectionTodos)]
