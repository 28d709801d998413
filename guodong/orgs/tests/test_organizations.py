"""Managing organizations and duty lists, and the bad inputs that must be refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import client_for
from guodong.core.models import Event
from guodong.divisions.models import Division
from guodong.orgs.models import DutyItem, Organization
from guodong.orgs.services import add_duty, create_organization, update_organization

pytestmark = pytest.mark.django_db


def _division(code):
    return Division.objects.get(code=code, effective_to__isnull=True)


def test_staff_add_a_member_unit_through_the_page(nanhu_staff):
    client = client_for(nanhu_staff)
    response = client.post(
        "/organizations/add/",
        {
            "name": "大桥镇应急物资供应站",
            "kind": "member_unit",
            "unit_type": "enterprise",
            "division": _division("330402105").pk,
            "parent": Organization.objects.get(name="南湖区国防动员委员会").pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    unit = Organization.objects.get(name="大桥镇应急物资供应站")
    assert Event.objects.filter(object_id=str(unit.pk), action="organization.create").exists()


def test_form_errors_are_chinese_and_name_the_field(nanhu_staff):
    client = client_for(nanhu_staff)
    station = _division("330402105")
    response = client.post(
        "/organizations/add/",
        {"name": "错误的站", "kind": "station", "division": _division("330402").pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "国防动员工作站不能设在县级区划" in page
    assert not Organization.objects.filter(name="错误的站").exists()
    assert station  # the township exists; only the level was wrong


def test_cannot_place_an_organization_in_another_district(nanhu_staff):
    client = client_for(nanhu_staff)
    response = client.post(
        "/organizations/add/",
        {
            "name": "越权单位",
            "kind": "member_unit",
            "unit_type": "enterprise",
            "division": _division("330411").pk,
        },
    )
    assert response.status_code == 200
    assert not Organization.objects.filter(name="越权单位").exists()
    api = client.post(
        "/api/v1/organizations/",
        {
            "name": "越权单位",
            "kind": "member_unit",
            "unit_type": "enterprise",
            "division": _division("330411").pk,
        },
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "division" in api.json()


def test_a_move_out_of_scope_is_refused_and_rolled_back(nanhu_staff):
    unit = Organization.objects.get(name="嘉兴南湖冷链物流有限公司")
    with pytest.raises(ValidationError) as error:
        update_organization(nanhu_staff, unit, {"division": _division("330411"), "parent": None})
    assert "division" in error.value.message_dict
    unit.refresh_from_db()
    assert unit.division.code == "330402"


def test_cycle_in_the_organization_tree_is_refused(city_staff):
    committee = Organization.objects.get(name="嘉兴市国防动员委员会")
    office = Organization.objects.get(name="嘉兴市国防动员办公室")
    with pytest.raises(ValidationError) as error:
        update_organization(city_staff, committee, {"parent": office})
    assert "parent" in error.value.message_dict
    committee.refresh_from_db()
    assert committee.parent is None
    response = client_for(city_staff).patch(
        f"/api/v1/organizations/{committee.pk}/",
        {"parent": office.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "循环" in response.json()["parent"][0]


def test_parent_must_cover_the_division(city_staff):
    with pytest.raises(ValidationError) as error:
        create_organization(
            city_staff,
            {
                "name": "新塍镇某单位",
                "kind": "member_unit",
                "unit_type": "enterprise",
                "division": _division("330411104"),
                "parent": Organization.objects.get(name="南湖区国防动员委员会"),
            },
        )
    assert "parent" in error.value.message_dict


def test_duplicate_name_in_one_division_is_refused(city_staff):
    response = client_for(city_staff).post(
        "/api/v1/organizations/",
        {
            "name": "嘉兴学院",
            "kind": "member_unit",
            "unit_type": "school",
            "division": _division("330400").pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Organization.objects.filter(name="嘉兴学院").count() == 1


def test_member_unit_needs_a_unit_type(city_staff):
    response = client_for(city_staff).post(
        "/api/v1/organizations/",
        {"name": "无类别单位", "kind": "member_unit", "division": _division("330400").pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unit_type" in response.json()


def test_read_only_roles_cannot_change_organizations(liaison, auditor, grid_worker):
    unit = Organization.objects.get(name="大桥镇国防动员工作站")
    for user in (liaison, auditor, grid_worker):
        client = client_for(user)
        assert client.get(f"/organizations/{unit.pk}/edit/").status_code == 403
        response = client.patch(
            f"/api/v1/organizations/{unit.pk}/", {"address": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            update_organization(user, unit, {"address": "x"})


def test_reporter_keeps_their_own_units_duty_list_only(reporter):
    own = reporter.organization
    duty = add_duty(reporter, {"organization": own, "title": "车辆月报", "cycle": "monthly"})
    assert duty.organization == own
    other = Organization.objects.get(name="南湖区人民医院")
    with pytest.raises(ValidationError):
        add_duty(reporter, {"organization": other, "title": "越权", "cycle": "monthly"})
    assert not DutyItem.objects.filter(title="越权").exists()
    client = client_for(reporter)
    response = client.post(
        "/api/v1/duty-items/",
        {"organization": other.pk, "title": "越权", "cycle": "monthly"},
        content_type="application/json",
    )
    assert response.status_code == 400
    page = client.get(f"/organizations/{own.pk}/").content.decode()
    assert "车辆月报" in page


def test_duty_cycle_must_be_known(city_staff):
    unit = Organization.objects.get(name="嘉兴学院")
    response = client_for(city_staff).post(
        "/api/v1/duty-items/",
        {"organization": unit.pk, "title": "演练", "cycle": "sometimes"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cycle" in response.json()
