"""Browsing and searching divisions, grids, and refusing malformed codes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import client_for
from guodong.core.scope import within
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.divisions.services import create_division, create_grid, revoke_division

pytestmark = pytest.mark.django_db


def _d(code):
    return Division.objects.get(code=code, effective_to__isnull=True)


def test_tree_opens_on_the_users_own_division(nanhu_staff):
    page = client_for(nanhu_staff).get("/divisions/").content.decode()
    assert "大桥镇" in page and "凤桥镇" in page
    assert "新塍镇" not in page


def test_search_by_name_code_and_pinyin_initials(city_staff):
    client = client_for(city_staff)
    for query in ("大桥", "330402105", "dqz", "daqiao"):
        codes = [d["code"] for d in client.get(f"/api/v1/divisions/?q={query}").json()["results"]]
        assert "330402105" in codes, query


def test_staff_add_a_grid_under_a_village(nanhu_staff):
    village = _d("330402105004")
    response = client_for(nanhu_staff).post(
        f"/divisions/{village.pk}/grids/add/", {"local_code": "G01", "name": "天明社区第一网格"}
    )
    assert response.status_code == 302
    grid = Division.objects.get(code="330402105004-G01")
    assert grid.level == DivisionLevel.GRID
    assert grid.path.startswith(village.path)


def test_grid_with_a_bad_code_gets_a_chinese_message(nanhu_staff):
    village = _d("330402105004")
    response = client_for(nanhu_staff).post(
        f"/divisions/{village.pk}/grids/add/", {"local_code": "G-01!", "name": "坏网格"}
    )
    assert "只能包含字母和数字" in response.content.decode()
    assert not Division.objects.filter(name="坏网格").exists()


def test_grid_must_sit_under_a_village(nanhu_staff):
    with pytest.raises(ValidationError) as error:
        create_grid(nanhu_staff, parent=_d("330402105"), local_code="G9", name="错层网格")
    assert "parent" in error.value.message_dict


def test_duplicate_grid_code_is_refused(nanhu_staff):
    village = _d("330402105004")
    create_grid(nanhu_staff, parent=village, local_code="G02", name="网格二")
    with pytest.raises(ValidationError) as error:
        create_grid(nanhu_staff, parent=village, local_code="G02", name="网格二重复")
    assert "code" in error.value.message_dict


def test_grid_in_another_district_is_404(nanhu_staff):
    xiuzhou_village = Division.objects.filter(
        within("path", _d("330411104").path), level=DivisionLevel.VILLAGE
    )[0]
    response = client_for(nanhu_staff).post(
        f"/divisions/{xiuzhou_village.pk}/grids/add/", {"local_code": "G1", "name": "越权"}
    )
    assert response.status_code == 404


def test_grid_worker_may_not_add_grids(grid_worker):
    with pytest.raises(PermissionDenied):
        create_grid(grid_worker, parent=_d("330402105004"), local_code="G3", name="x")


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        (
            {"code": "33040210X", "level": DivisionLevel.TOWNSHIP, "parent": "330402"},
            "code",
            "9 位数字",
        ),
        (
            {"code": "3304021", "level": DivisionLevel.TOWNSHIP, "parent": "330402"},
            "code",
            "9 位数字",
        ),
        (
            {"code": "330411199", "level": DivisionLevel.TOWNSHIP, "parent": "330402"},
            "code",
            "不属于",
        ),
        (
            {"code": "330402199", "level": DivisionLevel.TOWNSHIP, "parent": "330402105"},
            "parent",
            "不能设在",
        ),
        (
            {"code": "330402105", "level": DivisionLevel.TOWNSHIP, "parent": "330402"},
            "code",
            "已有现行",
        ),
        ({"code": "330499", "level": DivisionLevel.COUNTY, "parent": None}, "parent", "上级"),
    ],
)
def test_malformed_official_divisions_are_refused(admin_user, fields, field, fragment):
    before = Division.objects.count()
    data = {**fields, "name": "测试区划"}
    data["parent"] = _d(fields["parent"]) if fields["parent"] else None
    with pytest.raises(ValidationError) as error:
        create_division(admin_user, data)
    assert fragment in " ".join(error.value.message_dict[field])
    assert Division.objects.count() == before


def test_revoked_divisions_stay_with_their_end_date(admin_user):
    village = _d("330402105004")
    count = revoke_division(admin_user, village, on=dt.date(2026, 1, 1))
    assert count == 1
    village.refresh_from_db()
    assert village.effective_to == dt.date(2026, 1, 1)
    assert not Division.objects.filter(code="330402105004", effective_to__isnull=True).exists()


def test_only_administrators_change_official_divisions(city_staff):
    with pytest.raises(PermissionDenied):
        create_division(
            city_staff,
            {
                "code": "330402199",
                "level": DivisionLevel.TOWNSHIP,
                "parent": _d("330402"),
                "name": "x",
            },
        )
