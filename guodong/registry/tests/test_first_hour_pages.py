"""What a new user met first on the registry's pages (issue 11): a verification error that
named no item and forgot what was chosen."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guodong.accounts.models import User
from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.registry.models import Holding, VerificationTask
from guodong.registry.services import create_verification_task


@pytest.fixture
def daqiao_task(nanhu_staff: User, grid_worker: User) -> VerificationTask:
    daqiao = Division.objects.get(code="330402105", effective_to__isnull=True)
    holdings = Holding.objects.filter(within("division_path", daqiao.path)).order_by("pk")[:2]
    return create_verification_task(
        nanhu_staff,
        title="大桥镇核查",
        assignee=grid_worker,
        due_date=timezone.localdate(),
        division=daqiao,
        holdings=Holding.objects.filter(pk__in=[h.pk for h in holdings]),
    )


def test_a_missing_quantity_names_the_item_and_keeps_the_choice(
    grid_worker: User, daqiao_task: VerificationTask
) -> None:
    item = daqiao_task.items.select_related("holding__type").order_by("pk")[0]
    client = Client()
    client.force_login(grid_worker)
    response = client.post(
        reverse("verification_record", args=[item.pk]),
        {f"i{item.pk}-outcome": "adjusted", f"i{item.pk}-notes": "仓库管理员说借出两台"},
        follow=False,
    )
    assert response.status_code == 400
    html = response.content.decode()
    name = f"{item.holding.type.name} · {item.holding.owner_name}"
    assert f"{name}：请填写实查数量。" in html
    assert '<option value="adjusted" selected>' in html
    assert "仓库管理员说借出两台" in html
    item.refresh_from_db()
    assert item.outcome == "pending"


def test_a_result_recorded_goes_back_to_the_task(
    grid_worker: User, daqiao_task: VerificationTask
) -> None:
    item = daqiao_task.items.order_by("pk")[0]
    client = Client()
    client.force_login(grid_worker)
    response = client.post(
        reverse("verification_record", args=[item.pk]), {f"i{item.pk}-outcome": "confirmed"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == "confirmed"


def test_every_list_cell_carries_its_column_label_for_the_phone_cards(nanhu_staff: User) -> None:
    client = Client()
    client.force_login(nanhu_staff)
    html = client.get(reverse("holding_list")).content.decode()
    assert "table-cards" in html
    assert 'data-label="资源类型"' in html or 'data-label="类型"' in html
