"""A member of staff uploads a filled template with one bad row and reads the report."""

import csv
import io
from pathlib import Path

import pytest

from conftest import sign_in
from guodong.registry.importing.columns import COLUMNS
from guodong.registry.tests.test_import import GOOD

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_with_one_bad_row_shows_the_row_report_in_chinese(page, live_server, tmp_path):
    bad = list(GOOD)
    bad[1] = "-2"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[c.header for c in COLUMNS], GOOD, bad, GOOD])
    upload = tmp_path / "大桥镇潜力.csv"
    upload.write_bytes(buffer.getvalue().encode("gb18030"))

    sign_in(page, live_server.url, "nanhu_staff")
    page.goto(f"{live_server.url}/registry/imports/upload/")
    assert "下载 Excel 模板" in page.inner_text("main")
    page.set_input_files("input[type=file]", str(upload))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=row-errors]", timeout=15000)
    report = page.inner_text("[data-testid=row-errors]")
    assert (
        "3" in report
        and "数量合计" in report
        and "-2" in report
        and "须为不小于 0 的数字" in report
    )
    assert "共 3 行：有效 2 行，有错误 1 行" in page.inner_text("[data-testid=import-counts]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-row-report.png"), full_page=True)
    page.click("[data-testid=commit]")
    page.wait_for_selector("text=已导入 2 行", timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)


def test_rows_entered_on_the_page_are_checked_like_a_file(page, live_server):
    sign_in(page, live_server.url, "reporter")
    page.goto(f"{live_server.url}/registry/imports/enter/")
    for column, value in zip(COLUMNS, GOOD, strict=True):
        name = f"r2-{column.key}"
        if column.key in ("condition", "readiness", "owner_kind"):
            page.select_option(f"select[name={name}]", value)
        else:
            page.fill(f"input[name={name}]", value)
    page.fill("input[name=r3-type]", "TRN.FRT.COLD")
    page.fill("input[name=r3-quantity_total]", "很多")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "entry-filled.png"), full_page=True)
    page.click("text=校验这些行")
    page.wait_for_selector("[data-testid=row-errors]", timeout=15000)
    report = page.inner_text("[data-testid=row-errors]")
    assert "3" in report and "数量合计" in report and "很多" in report and "不是数字" in report
    assert "有效 1 行" in page.inner_text("[data-testid=import-counts]")
    page.screenshot(path=str(ARTIFACTS / "entry-report.png"), full_page=True)


def test_a_resurvey_offers_to_replace_the_older_holdings(page, live_server, tmp_path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[c.header for c in COLUMNS], GOOD])
    upload = tmp_path / "复查.csv"
    upload.write_bytes(buffer.getvalue().encode())
    sign_in(page, live_server.url, "nanhu_staff")
    for survey in ("first", "again"):
        page.goto(f"{live_server.url}/registry/imports/upload/")
        page.set_input_files("input[type=file]", str(upload))
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=commit]", timeout=15000)
        if survey == "again":
            assert "1 行与已经登记" in page.inner_text("[data-testid=import-repeated]")
            assert page.is_checked("[data-testid=replace-older]")
            page.screenshot(path=str(ARTIFACTS / "import-resurvey.png"), full_page=True)
        page.click("[data-testid=commit]")
        page.wait_for_selector("text=已导入 1 行", timeout=15000)
    assert "已替换 1 条" in page.inner_text("[data-testid=import-replaced]")
    page.screenshot(path=str(ARTIFACTS / "import-resurvey-done.png"), full_page=True)
