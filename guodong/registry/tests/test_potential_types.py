"""A user asking for 发电机组 counts generator sets alone, and sees what a kind holds before
counting it (issue 11 item 11)."""

from __future__ import annotations

import pytest
from django.test import Client

from guodong.accounts.models import User
from guodong.core.scope import within
from guodong.registry.models import Holding, ResourceType

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_potential_query_counts_one_resource_type(nanhu_staff: User) -> None:
    generator = ResourceType.objects.get(code="EQP.PWR.GEN-M")
    vehicle = ResourceType.objects.get(code="EQP.PWR.PWR-VEH")
    client = signed_in(nanhu_staff)
    page = client.get("/registry/potential/", {"type": generator.pk})
    assert page.status_code == 200
    grid = page.context["grid"]
    assert [row.pk for row, _cells, _total in grid] == [generator.pk]
    api = client.get("/api/v1/potential/", {"type": generator.pk}).json()
    assert [row["id"] for row in api["rows"]] == [generator.pk]
    expected = Holding.objects.visible_to(nanhu_staff).filter(type=generator).count()
    assert api["total"]["count"] == expected
    assert vehicle.name not in page.content.decode().split('data-testid="potential-table"')[1]


def test_choosing_a_kind_lists_the_types_it_holds(nanhu_staff: User) -> None:
    power = ResourceType.objects.get(code="EQP.PWR")
    client = signed_in(nanhu_staff)
    page = client.get("/registry/potential/", {"category": power.pk}).content.decode()
    contents = page.split('data-testid="kind-contents"')[1].split("</div>")[0]
    for code in ("EQP.PWR.GEN-M", "EQP.PWR.PWR-VEH"):
        type_ = ResourceType.objects.get(code=code)
        assert type_.name in contents and f"type={type_.pk}" in contents
    api = client.get("/api/v1/potential/", {"category": power.pk}).json()
    listed = {t["code"] for t in api["contents"]}
    assert listed == set(
        ResourceType.objects.filter(
            within("path", power.path), level=3, retired_in__isnull=True
        ).values_list("code", flat=True)
    )


def test_a_type_alone_lists_no_contents(nanhu_staff: User) -> None:
    generator = ResourceType.objects.get(code="EQP.PWR.GEN-M")
    page = signed_in(nanhu_staff).get("/registry/potential/", {"type": generator.pk})
    assert 'data-testid="kind-contents"' not in page.content.decode()
