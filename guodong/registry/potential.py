"""The answer to 有什么、有多少、在哪里: totals by catalogue node × division for any filter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import ResourceType


@dataclass
class Cell:
    available: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    count: int = 0

    def add(self, available: Decimal, total: Decimal, count: int) -> None:
        self.available += available or 0
        self.total += total or 0
        self.count += count


@dataclass
class PotentialTable:
    node: ResourceType | None
    area: Division | None
    rows: list[ResourceType]
    columns: list[Division]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    row_totals: dict[int, Cell] = field(default_factory=dict)
    column_totals: dict[int, Cell] = field(default_factory=dict)
    grand_total: Cell = field(default_factory=Cell)

    def cell(self, row_id: int, column_id: int) -> Cell:
        return self.cells.get((row_id, column_id), Cell())

    def as_rows(self) -> list[list[Any]]:
        """Header + one row per catalogue node: available quantities, for exports."""
        header = ["", "单位", *[c.name for c in self.columns], "合计"]
        body = [
            [r.name, r.unit, *[self.cell(r.pk, c.pk).available for c in self.columns],
             self.row_totals.get(r.pk, Cell()).available]
            for r in self.rows
        ]  # fmt: skip
        return [header, *body]


def _row_nodes(node: ResourceType | None) -> tuple[list[ResourceType], str]:
    """The catalogue rows to show and the holding field that groups by them."""
    if node is None:
        return list(
            ResourceType.objects.filter(level=CatalogueLevel.CATEGORY).order_by("path")
        ), "category_id"
    if node.level == CatalogueLevel.CATEGORY:
        return list(node.children.order_by("path")), "type__parent_id"
    if node.level == CatalogueLevel.KIND:
        return list(node.children.order_by("path")), "type_id"
    return [node], "type_id"


def _column_divisions(area: Division | None, visible: QuerySet) -> list[Division]:
    if area is None:
        return list(visible.filter(level=DivisionLevel.PROVINCE, effective_to__isnull=True))
    children = area.children.filter(effective_to__isnull=True).order_by("code")
    return list(children) or [area]


def potential_table(
    holdings: QuerySet, *, node: ResourceType | None, area: Division | None, divisions: QuerySet
) -> PotentialTable:
    """Aggregate already-filtered, already-scoped holdings into the table.

    A city is grouped by the denormalized county column directly; any other area groups by
    division and rolls the (few hundred) divisions up to the area's children in Python.
    """
    rows, row_field = _row_nodes(node)
    columns = _column_divisions(area, divisions)
    table = PotentialTable(node=node, area=area, rows=rows, columns=columns)
    by_county = area is not None and area.level == DivisionLevel.CITY
    column_field = "county_id" if by_county else "division_id"
    grouped = (
        holdings.order_by()
        .values(row_field, column_field)
        .annotate(
            available=Sum("quantity_available"), total=Sum("quantity_total"), count=Count("*")
        )
    )
    grouped = list(grouped)
    column_of = (
        {c.pk: c.pk for c in columns}
        if by_county
        else Division.roll_up(columns, (g[column_field] for g in grouped))
    )
    row_ids = {r.pk for r in rows}
    table.row_totals = defaultdict(Cell)
    table.column_totals = defaultdict(Cell)
    for group in grouped:
        row_id, column_id = group[row_field], column_of.get(group[column_field])
        if row_id not in row_ids or column_id is None:
            continue
        figures = (group["available"], group["total"], group["count"])
        table.cells.setdefault((row_id, column_id), Cell()).add(*figures)
        table.row_totals[row_id].add(*figures)
        table.column_totals[column_id].add(*figures)
        table.grand_total.add(*figures)
    return table


def county_category_totals(holdings: QuerySet) -> list[dict[str, Any]]:
    """The category × county aggregation behind the city view (benchmarked against raw SQL)."""
    return list(
        holdings.order_by()
        .values("category_id", "county_id")
        .annotate(available=Sum("quantity_available"), count=Count("*"))
    )
