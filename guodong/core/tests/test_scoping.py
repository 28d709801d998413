"""One visibility rule, through pages, API and exports."""

import pytest

from conftest import client_for
from guodong.accounts.models import User
from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def xiuzhou_station():
    return Organization.objects.get(name="新塍镇国防动员工作站")


@pytest.fixture
def nanhu_station():
    return Organization.objects.get(name="大桥镇国防动员工作站")


def test_district_staff_cannot_see_other_district_in_lists(nanhu_staff):
    client = client_for(nanhu_staff)
    page = client.get("/organizations/").content.decode()
    assert "大桥镇国防动员工作站" in page
    assert "新塍镇" not in page
    assert "秀洲区" not in page


def test_district_staff_get_404_for_other_district_by_id(nanhu_staff, xiuzhou_station):
    client = client_for(nanhu_staff)
    xiuzhou = Division.objects.get(code="330411")
    for url in [
        f"/organizations/{xiuzhou_station.pk}/",
        f"/organizations/{xiuzhou_station.pk}/edit/",
        f"/organizations/{xiuzhou_station.pk}/history/",
        f"/divisions/{xiuzhou.pk}/",
        f"/api/v1/organizations/{xiuzhou_station.pk}/",
        f"/api/v1/divisions/{xiuzhou.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    user = User.objects.get(username="xiuzhou_staff")
    assert client.get(f"/users/{user.pk}/").status_code == 404
    assert client.get(f"/api/v1/users/{user.pk}/").status_code == 404


def test_city_staff_see_both_districts(city_staff, xiuzhou_station, nanhu_station):
    client = client_for(city_staff)
    assert client.get(f"/organizations/{xiuzhou_station.pk}/").status_code == 200
    assert client.get(f"/organizations/{nanhu_station.pk}/").status_code == 200
    names = {
        o["name"] for o in client.get("/api/v1/organizations/?page_size=500").json()["results"]
    }
    assert {"新塍镇国防动员工作站", "大桥镇国防动员工作站", "嘉兴市国防动员办公室"} <= names


def test_api_lists_are_scoped_and_paginated(nanhu_staff):
    client = client_for(nanhu_staff)
    body = client.get("/api/v1/organizations/").json()
    assert {"count", "next", "previous", "results"} <= set(body)
    names = [o["name"] for o in body["results"]]
    assert "南湖区国防动员办公室" in names
    assert not [n for n in names if "秀洲" in n or "新塍" in n]
    nanhu = Division.objects.get(code="330402")
    divisions = client.get("/api/v1/divisions/?page_size=500").json()
    assert divisions["count"] == Division.objects.filter(within("path", nanhu.path)).count()


def test_exports_are_scoped(nanhu_staff):
    client = client_for(nanhu_staff)
    csv_text = client.get("/organizations/?export=csv").content.decode("utf-8-sig")
    assert "大桥镇国防动员工作站" in csv_text
    assert "新塍镇" not in csv_text
    xlsx = client.get("/organizations/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    sheet = load_workbook(BytesIO(xlsx.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert "大桥镇国防动员工作站" in cells
    assert not [c for c in cells if "新塍" in c]


def test_search_does_not_leak_other_district(nanhu_staff):
    client = client_for(nanhu_staff)
    page = client.get("/divisions/?q=新塍").content.decode()
    assert "330411104" not in page
    assert client.get("/api/v1/divisions/?q=xcz").json()["count"] == 0
    assert client.get("/api/v1/divisions/?q=dqz").json()["count"] >= 1


def test_export_escapes_spreadsheet_formulas(city_staff):
    from guodong.orgs.services import update_organization

    office = Organization.objects.get(name="嘉兴市交通运输局")
    update_organization(city_staff, office, {"contact_name": '=HYPERLINK("http://x")'})
    csv_text = client_for(city_staff).get("/organizations/?export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    assert ",=HYPERLINK" not in csv_text


def test_grid_worker_sees_only_their_township(grid_worker):
    client = client_for(grid_worker)
    names = {o["name"] for o in client.get("/api/v1/organizations/").json()["results"]}
    assert names == {"大桥镇国防动员工作站", "天明社区国防动员联络点"}


def test_event_log_is_scoped(nanhu_staff):
    events = client_for(nanhu_staff).get("/api/v1/events/?page_size=500").json()["results"]
    assert events
    assert not [e for e in events if "秀洲" in e["object_repr"] or "新塍" in e["object_repr"]]


def test_anonymous_is_sent_to_login_and_api_refuses():
    from django.test import Client

    client = Client()
    assert client.get("/organizations/").status_code == 302
    assert client.get("/api/v1/organizations/").status_code in (401, 403)
