"""Importing holdings from .xlsx and .csv: every bad input named by row, column and value."""

import csv
import io
import zipfile
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook  # type: ignore[import-untyped]

from conftest import client_for
from guodong.core.models import Event
from guodong.registry.importing.columns import COLUMNS
from guodong.registry.models import Holding, ImportJob
from guodong.registry.services import commit_import, discard_import, start_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_tasks(django_capture_on_commit_callbacks):
    """Jobs are queued on commit; run those callbacks (the tasks run inline in tests)."""
    global on_commit
    on_commit = django_capture_on_commit_callbacks


on_commit: Any = None

HEADER = [c.header for c in COLUMNS]
GOOD = [
    "TRN.FRT.COLD",
    "4",
    "3",
    "辆",
    "完好",
    "24小时内",
    "330402105004",
    "大桥镇天明路1号",
    "30.749",
    "120.827",
    "成员单位",
    "嘉兴南湖冷链物流有限公司",
    "王经理",
    "13800001111",
    "2026-10-01",
    "",
]


def _row(**changes):
    row = list(GOOD)
    for header, value in changes.items():
        row[HEADER.index(header)] = value
    return row


def _csv(rows, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding)


def _upload(user, content, name="潜力.csv", encoding="auto"):
    with on_commit(execute=True):
        job = start_import(user, SimpleUploadedFile(name, content), encoding=encoding)
    job.refresh_from_db()
    return job


def _reasons(job):
    return {(e["row"], e["column"], e["value"]): e["reason"] for e in job.errors}


def test_a_good_csv_is_checked_then_committed(nanhu_staff):
    before = Holding.objects.count()
    job = _upload(nanhu_staff, _csv([GOOD, _row(数量合计="10", 可用数量="")]))
    assert (job.status, job.total_rows, job.valid_rows, job.error_rows) == ("validated", 2, 2, 0)
    assert Holding.objects.count() == before, "nothing is written before the user decides"
    with on_commit(execute=True):
        commit_import(nanhu_staff, job)
    job.refresh_from_db()
    assert (job.status, job.imported_rows) == ("done", 2)
    imported = Holding.objects.filter(source_import=job).order_by("id")
    assert [h.quantity_available for h in imported] == [3, 10]
    assert imported[0].contact_phone == "13800001111"
    assert Event.objects.filter(
        object_type="registry.importjob", action="importjob.commit"
    ).exists()


def test_every_bad_value_is_named_by_row_column_and_value(nanhu_staff):
    rows = [
        GOOD,
        _row(资源类型代码="TRN.FRT.NOPE"),
        _row(计量单位="台"),
        _row(数量合计="-3"),
        _row(数量合计="很多"),
        _row(纬度="48.85", 经度="2.35"),
        _row(区划代码="330411104001"),
        _row(核实日期="2026-02-30"),
        _row(状况="坏了"),
    ]
    job = _upload(nanhu_staff, _csv(rows))
    reasons = _reasons(job)
    assert job.valid_rows == 1 and job.error_rows == 8
    assert "未知的资源类型" in reasons[(3, "资源类型代码", "TRN.FRT.NOPE")]
    assert "辆" in reasons[(4, "计量单位", "台")]
    assert "不小于 0" in reasons[(5, "数量合计", "-3")]
    assert "不是数字" in reasons[(6, "数量合计", "很多")]
    assert "中国境外" in reasons[(7, "经度", "2.35")]
    assert "管辖范围" in reasons[(8, "区划代码", "330411104001")]
    assert "日期" in reasons[(9, "核实日期", "2026-02-30")]
    assert "完好" in reasons[(10, "状况", "坏了")]


def test_committing_writes_only_valid_rows_and_discarding_writes_nothing(nanhu_staff):
    before = Holding.objects.count()
    job = _upload(nanhu_staff, _csv([GOOD, _row(数量合计="-1")]))
    discard_import(nanhu_staff, job)
    assert Holding.objects.count() == before
    job = _upload(nanhu_staff, _csv([GOOD, _row(数量合计="-1")]))
    with on_commit(execute=True):
        commit_import(nanhu_staff, job)
    assert Holding.objects.count() == before + 1


def test_gbk_csv_from_chinese_excel_imports(nanhu_staff):
    job = _upload(nanhu_staff, _csv([GOOD], encoding="gb18030"))
    assert job.status == "validated" and job.encoding == "gb18030"


def test_gbk_file_declared_as_utf8_is_refused_with_advice(nanhu_staff):
    job = _upload(nanhu_staff, _csv([GOOD], encoding="gb18030"), encoding="utf-8")
    assert job.status == "failed"
    assert "不是 UTF-8" in job.message and "GBK" in job.message


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("a.csv", b"", "空"),
        ("a.pdf", b"%PDF-1.4", ".xlsx"),
        ("a.xlsx", b"code,name\n1,2\n", "不是真正的 .xlsx"),
        ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "二进制"),
        ("a.csv", "资源类型代码,数量\nx,1\n".encode(), "缺少"),
        ("a.csv", ",".join(HEADER).encode() + b"\n", "没有数据"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(nanhu_staff, name, content, fragment):
    before = Holding.objects.count()
    client = client_for(nanhu_staff)
    with on_commit(execute=True):
        response = client.post(
            "/registry/imports/upload/",
            {"file": SimpleUploadedFile(name, content), "encoding": "auto"},
        )
    if response.status_code == 302:
        job = ImportJob.objects.latest("pk")
        assert job.status == "failed"
        assert fragment in job.message
    else:
        assert fragment in response.content.decode()
    assert Holding.objects.count() == before


def test_the_template_has_dropdowns_from_the_catalogue_and_area(nanhu_staff):
    response = client_for(nanhu_staff).get("/registry/imports/template.xlsx")
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["潜力数据"]
    assert [c.value for c in sheet[1]] == HEADER
    options = workbook["选项"]
    types = [c.value for c in options["A"] if c.value]
    assert any(str(v).startswith("TRN.FRT.COLD ") for v in types)
    divisions = {str(c.value) for c in options["E"] if c.value}
    assert "330402105004" in divisions and "330411104001" not in divisions
    assert sheet.data_validations.dataValidation, "dropdown lists are attached"


def test_a_filled_template_round_trips(nanhu_staff):
    response = client_for(nanhu_staff).get("/registry/imports/template.xlsx")
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["潜力数据"]
    for position, value in enumerate(GOOD, 1):
        sheet.cell(row=3, column=position, value=value)
    buffer = BytesIO()
    workbook.save(buffer)
    job = _upload(nanhu_staff, buffer.getvalue(), name="填好的模板.xlsx")
    assert (job.status, job.valid_rows, job.error_rows) == ("validated", 1, 0), job.errors


def test_reporter_may_only_report_for_their_own_unit(reporter):
    other = _row(权属单位或个人="南湖区人民医院")
    job = _upload(reporter, _csv([GOOD, other]))
    assert job.valid_rows == 1
    assert "不是您可以填报的组织" in next(iter(_reasons(job).values()))


def test_imports_are_scoped(nanhu_staff, xiuzhou_staff):
    job = _upload(nanhu_staff, _csv([GOOD]))
    assert client_for(xiuzhou_staff).get(f"/registry/imports/{job.pk}/").status_code == 404
    assert client_for(xiuzhou_staff).get(f"/api/v1/imports/{job.pk}/").status_code == 404
    assert client_for(nanhu_staff).get(f"/api/v1/imports/{job.pk}/").json()["valid_rows"] == 1


def test_import_through_the_api(nanhu_staff):
    client = client_for(nanhu_staff)
    with on_commit(execute=True):
        response = client.post(
            "/api/v1/imports/", {"file": SimpleUploadedFile("a.csv", _csv([GOOD]))}
        )
    assert response.status_code == 201
    job_id = response.json()["id"]
    body = client.get(f"/api/v1/imports/{job_id}/").json()
    assert body["status"] == "validated"
    with on_commit(execute=True):
        committed = client.post(f"/api/v1/imports/{job_id}/commit/").json()
    assert committed["status"] in ("importing", "done")
    assert client.get(f"/api/v1/imports/{job_id}/").json()["imported_rows"] == 1


def test_roles_without_import_permission_cannot_upload(liaison):
    response = client_for(liaison).get("/registry/imports/upload/")
    assert response.status_code == 403


def test_xlsx_bomb_like_junk_is_not_read_as_a_workbook(nanhu_staff):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    job = _upload(nanhu_staff, buffer.getvalue(), name="x.xlsx")
    assert job.status == "failed"


def test_a_workbook_with_an_xml_entity_bomb_is_refused(tmp_path):
    from guodong.registry.importing.reader import FileProblem, open_upload

    buffer = BytesIO()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&b;</workbook>'
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", bomb)
        archive.writestr("xl/workbook.xml", bomb)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(FileProblem):
        open_upload(path, "bomb.xlsx")


def test_a_row_is_checked_in_every_column_at_once(nanhu_staff):
    """A row missing its type still has its other mistakes named, so one upload fixes all."""
    job = _upload(nanhu_staff, _csv([_row(资源类型代码="", 状况="坏了", 联系电话="打我")]))
    reasons = _reasons(job)
    assert job.error_rows == 1 and job.valid_rows == 0
    assert "必填" in reasons[(2, "资源类型代码", "")]
    assert "完好" in reasons[(2, "状况", "坏了")]
    assert "电话" in reasons[(2, "联系电话", "打我")]
    assert [e["column"] for e in job.errors] == ["资源类型代码", "状况", "联系电话"], (
        "a row's errors read left to right, as the template's columns"
    )


def test_text_longer_than_its_column_is_refused_not_cut(nanhu_staff):
    job = _upload(nanhu_staff, _csv([_row(征用联系人="王" * 51), GOOD]))
    assert job.valid_rows == 1
    assert "50" in _reasons(job)[(2, "征用联系人", "王" * 51)]


def test_available_above_total_and_half_a_point_are_named(nanhu_staff):
    job = _upload(nanhu_staff, _csv([_row(可用数量="9"), _row(经度=""), _row(纬度="北纬30")]))
    reasons = _reasons(job)
    assert "不能大于" in reasons[(2, "可用数量", "9")]
    assert "经纬度须同时" in reasons[(3, "经度", "")]
    assert "经纬度须同时" in reasons[(4, "纬度", "北纬30")]


def test_a_point_in_another_county_is_a_warning_and_hints_are_skipped(nanhu_staff):
    hints = [c.help for c in COLUMNS]
    in_xiuzhou = _row(纬度="30.8012", 经度="120.6975")  # 秀洲区 新城街道, division in 南湖区
    job = _upload(nanhu_staff, _csv([hints, GOOD, [], in_xiuzhou]))
    assert (job.status, job.total_rows, job.valid_rows) == ("validated", 2, 2), job.errors
    assert "1" in job.message and "县" in job.message


def test_rows_are_numbered_as_the_spreadsheet_shows_them_across_chunks(nanhu_staff, monkeypatch):
    from guodong.registry.importing import validate

    monkeypatch.setattr(validate, "CHUNK", 2)
    rows = [GOOD, GOOD, GOOD, _row(数量合计="x"), GOOD]
    job = _upload(nanhu_staff, _csv(rows))
    assert (job.valid_rows, job.error_rows) == (4, 1)
    assert (5, "数量合计", "x") in _reasons(job)
    with on_commit(execute=True):
        commit_import(nanhu_staff, job)
    job.refresh_from_db()
    assert job.imported_rows == 4


def test_a_commit_that_fails_part_way_writes_nothing(nanhu_staff, monkeypatch):
    from guodong.registry.importing import validate
    from guodong.registry.services import holding_rows as writer

    monkeypatch.setattr(validate, "CHUNK", 2)
    job = _upload(nanhu_staff, _csv([GOOD] * 5))
    assert job.valid_rows == 5
    real_write, calls = writer.RowWriter.write, []

    def fail_on_the_second_chunk(self, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_write(self, rows)

    monkeypatch.setattr(writer.RowWriter, "write", fail_on_the_second_chunk)
    before = Holding.objects.count()
    with on_commit(execute=True):
        commit_import(nanhu_staff, job)
    job.refresh_from_db()
    assert calls == [2, 2], "the first chunk was written before the failure"
    assert (job.status, job.imported_rows) == ("failed", 0)
    assert "未写入" in job.message
    assert Holding.objects.count() == before
    actions = list(
        Event.objects.filter(object_id=str(job.pk), object_type="registry.importjob")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["importjob.upload", "importjob.check", "importjob.queue", "importjob.fail"]


def _commit(user, job, **choice):
    with on_commit(execute=True):
        commit_import(user, job, **choice)
    job.refresh_from_db()
    return job


def test_a_resurvey_replaces_the_holdings_it_reports_again(nanhu_staff):
    first = _commit(nanhu_staff, _upload(nanhu_staff, _csv([GOOD])))
    old = Holding.objects.get(source_import=first)
    again = _upload(
        nanhu_staff, _csv([_row(数量合计="9", 可用数量="7"), _row(区划代码="330402105005")])
    )
    assert again.repeated_rows == 1, "one row names the same owner, type and place"
    page = client_for(nanhu_staff).get(f"/registry/imports/{again.pk}/").content.decode()
    assert "已经登记" in page and 'name="replace"' in page
    again = _commit(nanhu_staff, again)
    assert (again.imported_rows, again.replaced_holdings) == (2, 1)
    old.refresh_from_db()
    new = Holding.objects.get(source_import=again, division=old.division)
    assert old.merged_into == new and new.quantity_available == 7
    live = Holding.objects.visible_to(nanhu_staff).filter(
        owner_name=old.owner_name, type=old.type, division=old.division
    )
    assert list(live) == [new], "the potential counts the new survey's figure once"


def test_the_user_may_keep_the_older_holdings(nanhu_staff):
    first = _commit(nanhu_staff, _upload(nanhu_staff, _csv([GOOD])))
    again = _commit(nanhu_staff, _upload(nanhu_staff, _csv([GOOD])), replace=False)
    assert again.replaced_holdings == 0
    assert Holding.objects.get(source_import=first).merged_into is None


def test_a_resurvey_never_replaces_reserved_or_foreign_holdings(nanhu_staff, reporter):
    first = _commit(
        nanhu_staff, _upload(nanhu_staff, _csv([GOOD, _row(权属单位或个人="南湖区人民医院")]))
    )
    reserved, hospital = Holding.objects.filter(source_import=first).order_by("owner_name")
    if reserved.owner_name != "嘉兴南湖冷链物流有限公司":
        reserved, hospital = hospital, reserved
    Holding.objects.filter(pk=reserved.pk).update(quantity_reserved=1)
    again = _commit(nanhu_staff, _upload(nanhu_staff, _csv([GOOD])))
    assert again.replaced_holdings == 0, "a reserved holding backs a mission"
    unreserved = Holding.objects.get(source_import=again)
    by_reporter = _upload(reporter, _csv([GOOD, _row(权属单位或个人="南湖区人民医院")]))
    assert by_reporter.valid_rows == 1, "the hospital's row is not the reporter's to report"
    assert by_reporter.repeated_rows == 1, "only the unit's unreserved holding counts"
    assert _commit(reporter, by_reporter).replaced_holdings == 1
    for holding in (reserved, hospital, unreserved):
        holding.refresh_from_db()
    assert reserved.merged_into is None and hospital.merged_into is None
    assert unreserved.merged_into is not None
    assert unreserved.merged_into.source_import == by_reporter


def test_the_api_takes_the_replace_choice(nanhu_staff):
    _commit(nanhu_staff, _upload(nanhu_staff, _csv([GOOD])))
    job = _upload(nanhu_staff, _csv([GOOD]))
    client = client_for(nanhu_staff)
    with on_commit(execute=True):
        body = client.post(
            f"/api/v1/imports/{job.pk}/commit/", {"replace": False}, content_type="application/json"
        ).json()
    assert body["replace_older"] is False and body["repeated_rows"] == 1
    bad = client.post(
        f"/api/v1/imports/{job.pk}/commit/", {"replace": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "replace" in bad.json()
