"""Exports as an office worker opens them: typed cells, a caption, contacts per permission."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from conftest import client_for
from guodong.accounts.models import User
from guodong.core.exports import export_response, read_csv_table
from guodong.core.models import Event
from guodong.orgs.models import Organization
from guodong.orgs.services import update_organization
from guodong.registry.models import Holding, ResourceType
from guodong.registry.services import update_holding

pytestmark = pytest.mark.django_db

CAPTION_LABELS = ["导出内容", "筛选条件", "导出人", "导出时间"]


def _sheet(content: bytes) -> Any:
    return load_workbook(BytesIO(content)).active


def _table(sheet: Any) -> tuple[list[str], list[list[Any]]]:
    """The header and rows below the caption (the table starts after the first empty row)."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i + 1 for i, row in enumerate(rows) if not any(v is not None for v in row))
    return rows[start], rows[start + 1 :]


def _lonely_holding(user: User) -> Holding:
    """A holding of the user's area that is the only one of its owner and type, with a phone,
    a blank address and something reserved (real and exercise)."""
    visible = Holding.objects.visible_to(user)
    pairs: Counter[tuple[int | None, int]] = Counter(visible.values_list("owner_id", "type_id"))
    units = Organization.objects.visible_to(user).filter(kind="member_unit")  # the owner filter's
    holding = next(
        h
        for h in visible.filter(owner__in=units, quantity_available__gte=4).order_by("pk")
        if pairs[(h.owner_id, h.type_id)] == 1 and h.contact_phone
    )
    # Setup only: reservations are booked by missions, which this test is not about.
    Holding.objects.filter(pk=holding.pk).update(
        address="", quantity_reserved=Decimal(2), quantity_reserved_exercise=Decimal("1.50")
    )
    holding.refresh_from_db()
    return holding


def test_holdings_xlsx_has_typed_cells_caption_and_clear_contacts(nanhu_staff):
    holding = _lonely_holding(nanhu_staff)
    before = Event.objects.filter(action="holding.reveal").count()
    url = f"/registry/holdings/?owner={holding.owner_id}&type={holding.type_id}&export=xlsx"
    sheet = _sheet(client_for(nanhu_staff).get(url).content)

    caption = [(sheet.cell(row=i, column=1).value, sheet.cell(row=i, column=2).value)
               for i in range(1, 5)]  # fmt: skip
    assert [label for label, _text in caption] == CAPTION_LABELS
    assert caption[0][1] == "潜力条目"
    filters = caption[1][1]
    assert f"资源类型：{holding.type.name}" in filters and holding.owner_name in filters
    assert "；" in filters
    assert caption[2][1] == str(nanhu_staff)
    assert "年" in caption[3][1] and "月" in caption[3][1] and "日" in caption[3][1]

    header, rows = _table(sheet)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["可用数量"] == float(holding.quantity_available)
    assert isinstance(row["可用数量"], int | float)
    assert isinstance(row["数量合计"], int | float)
    assert row["预留数量"] == 2 and row["演练预留数量"] == 1.5
    assert row["地址"] is None  # blank, not 0 nor ""
    assert row["状况"] == holding.get_condition_display()
    # Staff may reveal: the phone in clear, and ONE reveal event naming the row and field.
    assert row["联系电话"] == holding.contact_phone
    events = Event.objects.filter(action="holding.reveal")
    assert events.count() == before + 1
    event = events.latest("sequence")
    assert event.actor == nanhu_staff
    assert event.after == {"revealed": ["contact_phone"], "export": "xlsx", "rows": [holding.pk]}
    assert holding.contact_phone not in str(event.after)

    formats = {h: sheet.cell(row=sheet.max_row, column=i + 1).number_format
               for i, h in enumerate(header)}  # fmt: skip
    assert formats["预留数量"] == "#,##0" and formats["演练预留数量"] == "#,##0.00"


def test_a_user_who_may_not_reveal_gets_masked_contacts_and_no_event(grid_worker):
    before = Event.objects.filter(action="holding.reveal").count()
    text = client_for(grid_worker).get("/registry/holdings/?export=csv").content.decode("utf-8-sig")
    header, *rows = read_csv_table(text)
    phones = [row[header.index("联系电话")] for row in rows]
    assert rows and all(not p or "****" in p for p in phones)
    assert Event.objects.filter(action="holding.reveal").count() == before


def test_csv_has_caption_rows_then_one_empty_row_then_the_table(nanhu_staff):
    holding = _lonely_holding(nanhu_staff)
    url = f"/registry/holdings/?owner={holding.owner_id}&type={holding.type_id}&export=csv"
    text = client_for(nanhu_staff).get(url).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert [line.split(",")[0] for line in lines[:4]] == CAPTION_LABELS
    assert lines[4] == ""
    header, *rows = read_csv_table(text)
    assert header[0] == "资源类型" and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["地址"] == ""  # blank, not 0
    assert Decimal(row["预留数量"]) == 2
    assert row["联系电话"] == holding.contact_phone


def test_formula_injection_stays_escaped_in_both_formats(city_staff):
    office = Organization.objects.get(name="嘉兴市交通运输局")
    update_organization(city_staff, office, {"contact_name": '=HYPERLINK("http://x")'})
    client = client_for(city_staff)
    text = client.get("/organizations/?export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    sheet = _sheet(client.get("/organizations/?export=xlsx").content)
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x")' in values
    assert not [v for v in values if v.startswith("=")]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_a_user_name_that_looks_like_a_formula_is_escaped_in_the_caption(nanhu_staff):
    User.objects.filter(pk=nanhu_staff.pk).update(display_name="=1+1")
    nanhu_staff.refresh_from_db()
    client = client_for(nanhu_staff)
    text = client.get("/registry/holdings/?q=x&export=csv").content.decode("utf-8-sig")
    assert text.splitlines()[2].split(",", 1)[1].startswith("'=")
    sheet = _sheet(client.get("/registry/holdings/?q=x&export=xlsx").content)
    assert sheet.cell(row=3, column=2).value.startswith("'=")
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_dates_are_dates_and_datetimes_local_in_xlsx():
    when = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
    response = export_response(
        "t", ["day", "moment", "n", "blank"], [[dt.date(2026, 11, 22), when, 3, None]], "xlsx"
    )
    header, *rows = list(_sheet(response.content).iter_rows(values_only=True))
    assert header == ("day", "moment", "n", "blank")
    day, moment, n, blank = rows[0]
    assert isinstance(day, dt.datetime) and day.date() == dt.date(2026, 11, 22)
    assert moment == dt.datetime(2026, 11, 22, 20, 0)  # Asia/Shanghai wall-clock time
    assert n == 3 and blank is None


def test_survey_list_export_writes_deadlines_as_dates(city_staff):
    sheet = _sheet(client_for(city_staff).get("/registry/surveys/?export=xlsx").content)
    header, rows = _table(sheet)
    deadlines = [row[header.index("截止日期")] for row in rows]
    assert deadlines and all(isinstance(d, dt.datetime) for d in deadlines)


def test_potential_export_is_numeric_blank_where_empty_and_per_unit(nanhu_staff):
    response = client_for(nanhu_staff).get("/registry/potential/?export=xlsx")
    sheet = _sheet(response.content)
    assert sheet.cell(row=1, column=1).value == "导出内容"
    assert "区划：南湖区" in sheet.cell(row=2, column=2).value
    header, rows = _table(sheet)
    assert header[1] == "单位"
    figures = [v for row in rows for v in row[2:]]
    assert None in figures  # a division without such holdings is blank, not 0
    assert all(v is None or isinstance(v, int | float) for v in figures)
    # A category row is split by unit: never one sum of tents and quilts.
    materials = ResourceType.objects.get(level=1, code="SUP")
    units = [row[1] for row in rows if row[0] == materials.name]
    assert len(units) == len(set(units)) > 1


def test_holdings_api_shows_reserved_quantities_condition_and_address(nanhu_staff):
    holding = _lonely_holding(nanhu_staff)
    body = client_for(nanhu_staff).get(f"/api/v1/holdings/{holding.pk}/").json()
    assert Decimal(body["quantity_reserved"]) == 2
    assert Decimal(body["quantity_reserved_exercise"]) == Decimal("1.5")
    assert body["condition"] == holding.condition and body["address"] == ""
    response = client_for(nanhu_staff).patch(
        f"/api/v1/holdings/{holding.pk}/",
        {"quantity_reserved": "0"},
        content_type="application/json",
    )
    holding.refresh_from_db()
    assert response.status_code == 200 and holding.quantity_reserved == 2  # read-only


def test_update_keeps_working_with_typed_export(nanhu_staff):
    """A holding edited through the service exports its new figure as a number."""
    holding = _lonely_holding(nanhu_staff)
    update_holding(nanhu_staff, holding, {"quantity_total": holding.quantity_total + 1})
    url = f"/registry/holdings/?owner={holding.owner_id}&type={holding.type_id}&export=xlsx"
    header, rows = _table(_sheet(client_for(nanhu_staff).get(url).content))
    assert rows[0][header.index("数量合计")] == float(holding.quantity_total + 1)
