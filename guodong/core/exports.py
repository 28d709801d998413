"""CSV and XLSX exports of any list, with spreadsheet formula injection neutralised.

Every export opens with a caption saying what it is, which filters chose its rows, who took it
and when; numbers stay numbers, dates stay dates and a missing value is an empty cell.

The CSV carries the caption as leading two-column rows ("筛选条件","区划：南湖区") and ONE empty
row before the table's header: a program reading the file skips to the first empty row
(`read_csv_table` does). The xlsx puts the caption above the table in the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models, transaction
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from guodong.core.actors import Actor
from guodong.core.audit import record_event
from guodong.core.models import ScopedModel
from guodong.core.tables import Column

# A cell starting with one of these is read as a formula by Excel, WPS and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The one permission that shows encrypted personal data (phones, ID numbers) in clear.
REVEAL_PERMISSION = "registry.reveal_pii"
# A column showing `<field>_masked` shows `<field>` in clear to a user who may reveal it.
MASKED_SUFFIX = "_masked"

INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def yes_no(value: bool) -> str:
    """A yes/no in the user's language (是/否 in Chinese)."""
    return _("Yes") if value else _("No")


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers, dates and blanks (None) as they are, a yes/no
    in words, anything else as text, escaped when a spreadsheet would read it as a formula."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        # Spreadsheets know no time zones: the local wall-clock time, as the pages show it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def number_format(value: Any) -> str | None:
    """The xlsx display format of a cell value: grouped integers, two decimals, Chinese dates."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral()):
        return INTEGER_FORMAT
    if isinstance(value, float | Decimal):
        return DECIMAL_FORMAT
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    return None


@dataclass(frozen=True)
class Caption:
    """What an export reflects: its title, the filters in words, who took it and when."""

    title: str
    filters: Sequence[tuple[str, str]]
    user: str
    moment: dt.datetime

    def lines(self) -> list[tuple[str, str]]:
        """(label, text) pairs, the same in the xlsx and the CSV."""
        filters = _("; ").join(
            _("{label}: {value}").format(label=label, value=value) for label, value in self.filters
        )
        return [
            (_("Contents"), self.title),
            (_("Filters applied"), filters or _("none (every record you may see)")),
            (_("Exported by"), self.user),
            (
                _("Exported at"),
                formats.date_format(timezone.localtime(self.moment), "DATETIME_FORMAT"),
            ),
        ]


def _words(value: Any, field: forms.Field) -> str:
    """One filter value as the user chose it: a record's name, a choice's label."""
    if isinstance(value, Iterable) and not isinstance(value, str | models.Model):
        return _(", ").join(_words(v, field) for v in value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return yes_no(value)
    choices = getattr(field, "choices", None)
    if choices is not None:
        for key, label in choices:
            options = label if isinstance(label, list | tuple) else [(key, label)]
            for option_key, option_label in options:
                if str(option_key) == str(value):
                    return str(option_label)
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def describe_filters(form: forms.Form) -> list[tuple[str, str]]:
    """The filters a valid form applied, as (label, value in words) in the form's order."""
    described = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if (
            value is None
            or value == ""
            or value == []
            or (isinstance(value, models.QuerySet) and not value.exists())
        ):
            continue
        described.append((str(field.label or name), _words(value, field)))
    return described


def caption_for(title: Any, user: Actor, form: forms.Form | None = None) -> Caption:
    """The caption of an export taken now by `user` through the filters of `form`."""
    filters = describe_filters(form) if form is not None else []
    return Caption(str(title), filters, str(user), timezone.now())  # "王科长 (nanhu_staff)"


def revealed_columns(user: Actor, model: type[models.Model], columns: Sequence[Column]) -> tuple[
    list[Column], list[str]
]:  # fmt: skip
    """The export's columns for `user`: each masked column of a field the user may reveal shows
    the field in clear instead. Returns the columns and the fields shown in clear."""
    if not user.has_role_perm(REVEAL_PERMISSION):
        return list(columns), []
    field_names = {f.name for f in model._meta.get_fields()}
    shown, revealed = [], []
    for column in columns:
        base = column.accessor.removesuffix(MASKED_SUFFIX)
        if column.accessor.endswith(MASKED_SUFFIX) and base in field_names:
            shown.append(Column(base, column.label, column.link))
            revealed.append(base)
        else:
            shown.append(column)
    return shown, revealed


@transaction.atomic
def record_export_reveal(
    acting_user: Actor, objects: Sequence[ScopedModel], fields: Sequence[str], fmt: str
) -> None:
    """Log the personal data an export showed in clear as ONE event: which fields of which rows
    (never the values). It hangs on the first such row, scoped to the area all rows share, so
    every auditor whose area covers the rows reads it; it changes no row (a replay passes it)."""
    shown = [obj for obj in objects if any(getattr(obj, f, "") for f in fields)]
    if not shown:
        return
    paths = [obj.audit_scope_path() for obj in shown]
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: common.rstrip("/").rfind("/") + 1]
    record_event(
        acting_user,
        f"{shown[0]._meta.model_name}.reveal",
        shown[0],
        before=None,
        after={"revealed": list(fields), "export": fmt, "rows": [obj.pk for obj in shown]},
        scope_path=common,
    )


def list_export(
    acting_user: Actor,
    model: type[ScopedModel],
    columns: Sequence[Column],
    objects: Iterable[ScopedModel],
    fmt: str,
    caption: Caption,
) -> HttpResponse:
    """A list's rows as a file, with personal data in clear where the user may reveal it (the
    reveal logged once for the whole export) and masked otherwise."""
    shown, revealed = revealed_columns(acting_user, model, columns)
    rows: Iterable[list[Any]]
    if revealed:  # the rows are read once more for the event: keep them
        kept = list(objects)
        rows = [[c.value(obj) for c in shown] for obj in kept]
        record_export_reveal(acting_user, kept, revealed, fmt)
    else:  # streamed row by row, as before (up to 100,000 rows)
        rows = ([c.value(obj) for c in shown] for obj in objects)
    return export_response(
        model._meta.model_name or "export", [c.label for c in shown], rows, fmt, caption
    )


def read_csv_table(text: str) -> list[list[str]]:
    """The table of an exported CSV (its header row first), the caption rows skipped: the
    table starts after the first empty row."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    start = next((i + 1 for i, row in enumerate(rows) if not any(row)), 0)
    return rows[start:]


def _xlsx_cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if (fmt := number_format(value)) is not None:
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    return cell


# Excel refuses these in a sheet's name, and names longer than 31 characters.
SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_title(title: str) -> str:
    return title.translate(SHEET_FORBIDDEN).strip()[:31] or "Sheet1"


def export_response(
    filename: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    caption: Caption | None = None,
) -> HttpResponse:
    """The rows under their header as an xlsx or CSV attachment, below the caption if any."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    lines = caption.lines() if caption is not None else []
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        # The tab the user sees first: the list's Chinese name, never the file's English stem.
        sheet = workbook.create_sheet(sheet_title(caption.title if caption else filename))
        for label, words in lines:
            # A user's name or a searched text is the user's input: escaped like any cell.
            sheet.append([_xlsx_cell(sheet, label, bold=True), safe_cell(words)])
        if lines:
            sheet.append([])
        sheet.append([_xlsx_cell(sheet, str(h), bold=True) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, safe_cell(v)) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerows([label, _csv_text(safe_cell(value))] for label, value in lines)
        if lines:
            writer.writerow([])  # the table starts after the first empty row
        writer.writerow([str(h) for h in header])
        writer.writerows([_csv_text(safe_cell(v)) for v in row] for row in rows)
        # The BOM makes Chinese Excel open the file as UTF-8.
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response


def _csv_text(value: Any) -> Any:
    """A CSV cell: blank for None, a date in ISO form, a time as local minutes."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value
