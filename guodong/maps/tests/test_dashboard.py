"""The home dashboard: real figures, each linked to its records, exportable, scoped."""

from io import BytesIO

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from conftest import client_for
from guodong.maps.dashboard import dashboard_tables
from guodong.registry.freshness import freshness_q
from guodong.registry.models import Holding

pytestmark = pytest.mark.django_db


def test_dashboard_figures_equal_the_registry(city_staff):
    tables = {t.key: t for t in dashboard_tables(city_staff)}
    holdings = Holding.objects.visible_to(city_staff)
    assert sum(row[1] for row in tables["categories"].rows) == holdings.count()
    assert {row[0]: row[1] for row in tables["freshness"].rows} == {
        "新鲜": holdings.filter(freshness_q("fresh")).count(),
        "即将过期": holdings.filter(freshness_q("ageing")).count(),
        "已过期": holdings.filter(freshness_q("stale")).count(),
    }
    assert tables["surveys"].rows[0][1:3] == [1, 3]
    divisions = {row[0]: row[1] for row in tables["divisions"].rows}
    assert set(divisions) == {"南湖区", "秀洲区", "嘉善县", "海盐县", "海宁市", "平湖市", "桐乡市"}
    assert sum(divisions.values()) == holdings.count()
    worst = tables["worst"].rows
    shares = [stale / total for _name, total, stale, _share in worst]
    assert shares == sorted(shares, reverse=True)


def test_each_figure_links_to_its_records(city_staff):
    client = client_for(city_staff)
    page = client.get("/").content.decode()
    assert "/registry/holdings/?freshness=stale" in page
    table = next(t for t in dashboard_tables(city_staff) if t.key == "worst")
    listed = client.get(table.links[0].replace("/registry/holdings/", "/api/v1/holdings/")).json()[
        "count"
    ]
    assert listed == table.rows[0][2]


def test_dashboard_tables_export_to_xlsx(city_staff):
    response = client_for(city_staff).get("/dashboard/categories.xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "导出内容"  # the caption: title, filters, user, moment
    header = [c.value for c in sheet[6]]
    assert header == ["资源大类", "潜力条目", "新鲜", "可用数量（按计量单位）"]
    assert sheet.max_row == 6 + len(
        next(t for t in dashboard_tables(city_staff) if t.key == "categories").rows
    )
    assert client_for(city_staff).get("/dashboard/nothing.xlsx").status_code == 404


def test_district_dashboard_is_scoped(nanhu_staff, xiuzhou_staff):
    nanhu = {t.key: t for t in dashboard_tables(nanhu_staff)}
    assert (
        sum(row[1] for row in nanhu["categories"].rows)
        == Holding.objects.visible_to(nanhu_staff).count()
    )
    assert all("新塍" not in row[0] for row in nanhu["worst"].rows)
    assert not {t.key: t for t in dashboard_tables(xiuzhou_staff)}["surveys"].rows
