"""The answer to 有什么、有多少、在哪里: totals by catalogue node × division for any filter.

Things are counted from the holdings; people (the 人力资源 category) from the specialists and
their qualifications: available specialists, with every registered one in small print.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.template.defaultfilters import floatformat

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.registry.choices import Availability, CatalogueLevel
from guodong.registry.models import Holding, ResourceType, Specialist


def quantities_text(by_unit: dict[str, Decimal]) -> str:
    """Quantities of unlike units side by side, never added up: "1,200 顶；3,000 床"."""
    # The same figures as the page's cells ("-2g": grouped, decimals only where there are any).
    return "；".join(
        f"{floatformat(q, '-2g')} {unit}".rstrip() for unit, q in sorted(by_unit.items())
    )


@dataclass
class Cell:
    """Holdings (or people) of one row × column. `available` and `total` add quantities and
    so mean something only inside one unit (a resource type's row); a category's or kind's
    row reads them per unit (`available_by_unit`, `quantities`)."""

    available: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    count: int = 0
    available_by_unit: dict[str, Decimal] = field(default_factory=dict)
    total_by_unit: dict[str, Decimal] = field(default_factory=dict)

    def add(self, available: Decimal, total: Decimal, count: int, unit: str | None = None) -> None:
        self.available += available or 0
        self.total += total or 0
        self.count += count
        if unit is not None:
            key = unit or ""
            by_unit, totals = self.available_by_unit, self.total_by_unit
            by_unit[key] = by_unit.get(key, Decimal(0)) + (available or 0)
            totals[key] = totals.get(key, Decimal(0)) + (total or 0)

    def merge(self, other: Cell) -> None:
        for unit in other.available_by_unit:
            self.add(other.available_by_unit[unit], other.total_by_unit[unit], 0, unit)
        self.count += other.count

    @property
    def quantities(self) -> str:
        """The available quantities per unit, in words."""
        return quantities_text(self.available_by_unit)

    @property
    def total_quantities(self) -> str:
        return quantities_text(self.total_by_unit)


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
    # Specialists by (row, column): available people, registered people, and their count.
    people: dict[tuple[int, int], Cell] = field(default_factory=dict)
    people_totals: dict[int, Cell] = field(default_factory=dict)

    def cell(self, row_id: int, column_id: int) -> Cell:
        return self.cells.get((row_id, column_id), Cell())

    def people_cell(self, row_id: int, column_id: int) -> Cell:
        return self.people.get((row_id, column_id), Cell())

    def row_total(self, row_id: int) -> Cell:
        """Holdings and people of one row together (people rows count 人, as their types do)."""
        total = Cell()
        for part in (self.row_totals.get(row_id), self.people_totals.get(row_id)):
            if part:
                total.merge(part)
        return total

    def as_rows(self) -> list[list[Any]]:
        """Header + one row per catalogue node and unit (a category holds tents in 顶 and
        quilts in 床: they are never added up): available quantities, blank where there is
        nothing, for exports."""
        header = ["", "单位", *[c.name for c in self.columns], "合计"]
        body = []
        for r in self.rows:
            cells = [self._both(r.pk, c.pk) for c in self.columns]
            units = sorted(self.row_total(r.pk).available_by_unit) or [r.unit or ""]
            for unit in units:
                body.append(
                    [r.name, unit or None,
                     *[cell.available_by_unit.get(unit) for cell in cells],
                     self.row_total(r.pk).available_by_unit.get(unit)]
                )  # fmt: skip
        return [header, *body]

    def _both(self, row_id: int, column_id: int) -> Cell:
        both = Cell()
        both.merge(self.cell(row_id, column_id))
        both.merge(self.people_cell(row_id, column_id))
        return both


def _row_nodes(node: ResourceType | None) -> tuple[list[ResourceType], str]:
    """The catalogue rows to show and the field of a type that groups by them."""
    if node is None:
        return list(
            ResourceType.objects.filter(level=CatalogueLevel.CATEGORY).order_by("path")
        ), "category_id"
    if node.level == CatalogueLevel.CATEGORY:
        return list(node.children.order_by("path")), "parent_id"
    if node.level == CatalogueLevel.KIND:
        return list(node.children.order_by("path")), "id"
    return [node], "id"


# The type field → the holding field grouping by it (category is copied onto each holding).
HOLDING_FIELD = {"category_id": "category_id", "parent_id": "type__parent_id", "id": "type_id"}


def _column_divisions(area: Division | None, visible: QuerySet[Division]) -> list[Division]:
    if area is None:
        return list(visible.filter(level=DivisionLevel.PROVINCE, effective_to__isnull=True))
    children = area.children.filter(effective_to__isnull=True).order_by("code")
    return list(children) or [area]


def potential_table(
    holdings: QuerySet[Holding],
    *,
    node: ResourceType | None,
    area: Division | None,
    divisions: QuerySet[Division],
) -> PotentialTable:
    """Aggregate already-filtered, already-scoped holdings into the table.

    A city is grouped by the denormalized county column directly; any other area groups by
    division and rolls the (few hundred) divisions up to the area's children in Python.
    """
    rows, type_field = _row_nodes(node)
    row_field = HOLDING_FIELD[type_field]
    columns = _column_divisions(area, divisions)
    table = PotentialTable(node=node, area=area, rows=rows, columns=columns)
    by_county = area is not None and area.level == DivisionLevel.CITY
    column_field = "county_id" if by_county else "division_id"
    grouped = (
        holdings.order_by()
        .values(row_field, column_field, "type__unit")
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
        figures = (group["available"], group["total"], group["count"], group["type__unit"])
        table.cells.setdefault((row_id, column_id), Cell()).add(*figures)
        table.row_totals[row_id].add(*figures)
        table.column_totals[column_id].add(*figures)
        table.grand_total.add(*figures)
    return table


def add_people(table: PotentialTable, specialists: QuerySet[Specialist]) -> PotentialTable:
    """Count already-scoped specialists into the rows of their qualifications' types.

    A person with two qualifications under one row counts once in it; each person has one
    division, so the columns add up.
    """
    _rows, type_field = _row_nodes(table.node)
    row_field = f"qualifications__type__{type_field}"
    grouped = list(
        specialists.filter(qualifications__isnull=False)
        .order_by()
        .values(row_field, "division_id")
        .annotate(
            registered=Count("pk", distinct=True),
            available=Count("pk", distinct=True, filter=Q(availability=Availability.AVAILABLE)),
        )
    )
    column_of = Division.roll_up(table.columns, (g["division_id"] for g in grouped))
    row_ids = {r.pk for r in table.rows}
    table.people_totals = defaultdict(Cell)
    for group in grouped:
        row_id, column_id = group[row_field], column_of.get(group["division_id"])
        if row_id not in row_ids or column_id is None:
            continue
        registered = group["registered"]
        figures = (Decimal(group["available"]), Decimal(registered), registered, "人")
        table.people.setdefault((row_id, column_id), Cell()).add(*figures)
        table.people_totals[row_id].add(*figures)
    return table


def county_category_totals(holdings: QuerySet[Holding]) -> list[dict[str, Any]]:
    """The category × county aggregation behind the city view (benchmarked against raw SQL)."""
    return list(
        holdings.order_by()
        .values("category_id", "county_id")
        .annotate(available=Sum("quantity_available"), count=Count("*"))
    )
