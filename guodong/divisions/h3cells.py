"""H3 cells stored as 64-bit integers at one fine resolution, coarsened in SQL.

A cell's integer holds its resolution in bits 52–55 and one 3-bit digit per resolution below
that, unused digits all ones. The parent at resolution r is therefore the same integer with the
resolution bits set to r and the digits below r set to ones: two bitwise operations that both
SQLite and PostgreSQL run, so any zoom level aggregates with one GROUP BY and no second column.
"""

from __future__ import annotations

import h3
from django.db.models import BigIntegerField, ExpressionWrapper, F
from django.db.models.expressions import CombinedExpression
from h3.api.basic_int import latlng_to_cell as latlng_to_int

STORED_RESOLUTION = 9
RESOLUTION_BITS = 0xF << 52
# Signed 64-bit form of ~RESOLUTION_BITS, as the databases store integers.
KEEP_MASK = ~RESOLUTION_BITS


def cell_of(latitude: float | None, longitude: float | None) -> int | None:
    if latitude is None or longitude is None:
        return None
    return int(latlng_to_int(latitude, longitude, STORED_RESOLUTION))


def cells_of(latitudes: list[float | None], longitudes: list[float | None]) -> list[int | None]:
    """`cell_of` for columns of points (bulk imports)."""
    return [
        None if lat is None or lon is None else latlng_to_int(lat, lon, STORED_RESOLUTION)
        for lat, lon in zip(latitudes, longitudes, strict=True)
    ]


def _low_digits(resolution: int) -> int:
    return (1 << (3 * (15 - resolution))) - 1


def parent_of(cell: int, resolution: int) -> int:
    return (cell & KEEP_MASK) | (resolution << 52) | _low_digits(resolution)


def parent_expression(field: str, resolution: int) -> ExpressionWrapper[CombinedExpression]:
    """SQL for the parent cell at `resolution` of the stored cell in `field`."""
    return ExpressionWrapper(
        F(field).bitand(KEEP_MASK).bitor((resolution << 52) | _low_digits(resolution)),
        output_field=BigIntegerField(),
    )


def descendant_range(cell: int) -> tuple[int, int]:
    """The stored-resolution cells under `cell` lie in one integer range (digits run 0–6; the
    range also spans digit 7, which no valid cell uses)."""
    resolution = h3.get_resolution(h3.int_to_str(cell))
    free = 3 * (15 - resolution)
    base = (cell & KEEP_MASK) | (STORED_RESOLUTION << 52)
    high = base | ((1 << free) - 1)
    low = (base >> free << free) | _low_digits(STORED_RESOLUTION)
    return low, high


def center(cell: int) -> tuple[float, float]:
    lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
    return float(lat), float(lng)


def boundary(cell: int) -> list[tuple[float, float]]:
    return list(h3.cell_to_boundary(h3.int_to_str(cell)))
