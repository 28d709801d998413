"""An exported workbook's sheet tab names the list in Chinese, not the file's English stem
("potential", "holding", "dashboard-categories")."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from guodong.accounts.models import User


@pytest.mark.parametrize(
    ("url_name", "kwargs", "query"),
    [
        ("potential", {}, "export=xlsx"),
        ("holding_list", {}, "export=xlsx"),
        ("dashboard_export", {"key": "categories"}, ""),
    ],
)
def test_exported_sheet_is_named_in_chinese(
    city_staff: User, url_name: str, kwargs: dict[str, str], query: str
) -> None:
    client = Client()
    client.force_login(city_staff)
    response = client.get(f"{reverse(url_name, kwargs=kwargs)}?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).sheetnames[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in sheet), sheet
    assert not any(ch.isascii() and ch.isalpha() for ch in sheet), sheet
