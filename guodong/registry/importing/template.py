"""The Excel template an assignee downloads: headers, an example row, and dropdown lists built
from the catalogue and the divisions of the assignee's area."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel
from guodong.registry.importing.columns import (
    COLUMNS,
    CONDITION_LABELS,
    OWNER_KIND_LABELS,
    READINESS_LABELS,
)
from guodong.registry.models import ResourceType

MAX_ROWS = 5000  # rows the dropdowns cover; more rows can still be typed or pasted
MAX_DIVISIONS = 20000


def option_lists(
    acting_user: Any, category_ids: list[int] | None = None
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The values a user may enter per column (types as "code name"), and division names by
    code: the template's dropdowns and the entry page's suggestions."""
    types = ResourceType.objects.filter(level=CatalogueLevel.TYPE, retired_in__isnull=True)
    if category_ids:
        types = types.filter(category_id__in=category_ids)
    divisions = Division.objects.filter(effective_to__isnull=True, level__gte=4)
    if acting_user.jurisdiction_path:
        divisions = divisions.filter(within("path", acting_user.jurisdiction_path))
    names = dict(divisions.order_by("code").values_list("code", "name")[:MAX_DIVISIONS])
    lists = {
        "type": [f"{t.code} {t.name}" for t in types.order_by("path")],
        "unit": sorted({t.unit for t in types}),
        "condition": list(CONDITION_LABELS),
        "readiness": list(READINESS_LABELS),
        "division": list(names),
        "owner_kind": list(OWNER_KIND_LABELS),
        "owner": list(
            Organization.objects.visible_to(acting_user)
            .filter(is_active=True)
            .values_list("name", flat=True)
        ),
    }
    return lists, names


def build_template(acting_user: Any, category_ids: list[int] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "潜力数据"
    options = workbook.create_sheet("选项")
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="7A1F1F")
    for position, column in enumerate(COLUMNS, 1):
        sheet.cell(row=2, column=position, value=column.help)
        sheet.column_dimensions[sheet.cell(row=1, column=position).column_letter].width = 18
    sheet.cell(row=2, column=1).font = Font(italic=True)

    lists, names = option_lists(acting_user, category_ids)
    for index, (key, values) in enumerate(lists.items(), 1):
        letter = options.cell(row=1, column=index).column_letter
        options.cell(row=1, column=index, value=next(c.header for c in COLUMNS if c.key == key))
        for row, value in enumerate(values, 2):
            options.cell(row=row, column=index, value=value)
            if key == "division":
                options.cell(row=row, column=len(lists) + 1, value=names.get(value, ""))
        if not values:
            continue
        target = next(i for i, c in enumerate(COLUMNS, 1) if c.key == key)
        target_letter = sheet.cell(row=1, column=target).column_letter
        # The type list shows "code name"; the importer reads the code before the space.
        validation = DataValidation(
            type="list", formula1=f"=选项!${letter}$2:${letter}${len(values) + 1}", allow_blank=True
        )
        validation.error = "请从下拉列表中选择"
        sheet.add_data_validation(validation)
        validation.add(f"{target_letter}3:{target_letter}{MAX_ROWS}")
    options.cell(row=1, column=len(lists) + 1, value="区划名称")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
