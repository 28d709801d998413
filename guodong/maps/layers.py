"""Map layers: server-side aggregates only, so a browser never receives a million points."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from shapely.geometry import Polygon  # type: ignore[import-untyped]

from guodong.core.actors import Actor
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.h3cells import KEEP_MASK, boundary, center, parent_expression
from guodong.divisions.models import Division
from guodong.maps.boundaries import centroid_of
from guodong.matching.snapshot import SNAPSHOT, freshness_masks, selection
from guodong.registry.choices import Freshness
from guodong.registry.freshness import freshness_q
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ResourceType,
    Siren,
    Specialist,
    Warehouse,
)

# Leaflet zoom → H3 resolution: cells stay a few dozen pixels wide.
ZOOM_RESOLUTION = {7: 4, 8: 5, 9: 6, 10: 6, 11: 7, 12: 7, 13: 8, 14: 9}
MIN_RESOLUTION, MAX_RESOLUTION = 4, 9


def resolution_for(zoom: int) -> int:
    if zoom <= min(ZOOM_RESOLUTION):
        return MIN_RESOLUTION
    return ZOOM_RESOLUTION.get(zoom, MAX_RESOLUTION)


def holdings_layer(
    holdings: QuerySet[Holding], zoom: int, *, hexagons: bool = False
) -> dict[str, Any]:
    """Holdings per H3 cell: count, quantities and the freshness mix; with `hexagons`, each
    cell's outline too (the heat layer of one type's quantity)."""
    resolution = resolution_for(zoom)
    rows = (
        holdings.filter(h3_cell__isnull=False)
        .order_by()
        .annotate(cell=parent_expression("h3_cell", resolution))
        .values("cell")
        .annotate(
            count=Count("*"),
            available=Sum("quantity_available"),
            fresh=Count("pk", filter=freshness_q(Freshness.FRESH)),
            stale=Count("pk", filter=freshness_q(Freshness.STALE)),
        )
    )
    cells = []
    for row in rows:
        lat, lon = center(row["cell"])
        cells.append({
            "cell": format(row["cell"], "x"), "lat": round(lat, 5), "lon": round(lon, 5),
            "count": row["count"], "available": float(row["available"] or Decimal(0)),
            "fresh": row["fresh"], "stale": row["stale"],
            "ageing": row["count"] - row["fresh"] - row["stale"],
        })  # fmt: skip
        if hexagons:
            cells[-1]["outline"] = [[round(a, 5), round(b, 5)] for a, b in boundary(row["cell"])]
    return {"resolution": resolution, "cells": cells, "total": sum(c["count"] for c in cells)}


SNAPSHOT_FILTERS = {"division", "category", "type", "readiness", "owner_kind", "freshness"}


def holdings_layer_from_snapshot(
    user: Actor, params: dict[str, Any], zoom: int, *, hexagons: bool = False
) -> dict[str, Any]:
    """The same answer as `holdings_layer`, from the in-memory snapshot (milliseconds)."""
    columns = SNAPSHOT.current()
    mask = selection(columns, user, params)
    resolution = resolution_for(zoom)
    bits = (resolution << 52) | ((1 << (3 * (15 - resolution))) - 1)
    parents = (columns.cell[mask] & KEEP_MASK) | bits
    cells_found, inverse = np.unique(parents, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(cells_found))
    available = np.bincount(inverse, weights=columns.available[mask], minlength=len(cells_found))
    fresh_mask, stale_mask = freshness_masks(columns)
    fresh = np.bincount(inverse, weights=fresh_mask[mask], minlength=len(cells_found))
    stale = np.bincount(inverse, weights=stale_mask[mask], minlength=len(cells_found))
    cells = []
    for i, cell in enumerate(cells_found.tolist()):
        lat, lon = center(cell)
        entry = {
            "cell": format(cell, "x"), "lat": round(lat, 5), "lon": round(lon, 5),
            "count": int(counts[i]), "available": round(float(available[i]), 2),
            "fresh": int(fresh[i]), "stale": int(stale[i]),
            "ageing": int(counts[i] - fresh[i] - stale[i]),
        }  # fmt: skip
        if hexagons:
            entry["outline"] = [[round(a, 5), round(b, 5)] for a, b in boundary(cell)]
        cells.append(entry)
    return {"resolution": resolution, "cells": cells, "total": int(counts.sum())}


FACILITY_MODELS = {"shelter": CivilDefenceWork, "siren": Siren, "warehouse": Warehouse}


def facilities_layer(user: Actor, kind: str) -> list[dict[str, Any]]:
    model = FACILITY_MODELS[kind]
    rows = model.objects.visible_to(user).exclude(latitude=None).exclude(longitude=None)
    points = []
    for facility in rows.order_by("pk")[:5000]:
        point = {
            "id": facility.pk, "name": facility.name, "lat": facility.latitude,
            "lon": facility.longitude, "status": facility.status,
            "status_label": str(facility.get_status_display()),
            "url": facility.get_absolute_url(),
        }  # fmt: skip
        if isinstance(facility, CivilDefenceWork):
            point["capacity"] = facility.capacity_persons
        points.append(point)
    return points


def specialists_layer(user: Actor) -> list[dict[str, Any]]:
    """Counts of specialists per county, placed inside the county: never a person on the map."""
    counties = list(
        Division.objects.visible_to(user).filter(
            level=DivisionLevel.COUNTY, effective_to__isnull=True
        )
    )
    per_division = dict(
        Specialist.objects.visible_to(user)
        .order_by()
        .values_list("division_id")
        .annotate(n=Count("*"))
    )
    counts: dict[int, int] = defaultdict(int)
    for division_id, county_id in Division.roll_up(counties, per_division).items():
        counts[county_id] += per_division[division_id]
    result = []
    for county in counties:
        where = centroid_of(county.code, DivisionLevel.COUNTY)
        if where and counts[county.pk]:
            result.append({
                "county": county.name, "count": counts[county.pk], "lat": where[0], "lon": where[1],
                "url": reverse("specialist_list") + f"?division={county.pk}",
            })  # fmt: skip
    return result


def inside_rectangle(
    holdings: QuerySet[Holding], south: float, west: float, north: float, east: float
) -> list[dict[str, Any]]:
    """How much of each type lies inside the rectangle."""
    rows = (
        holdings.filter(
            Q(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
        )
        .order_by()
        .values("type_id", "type__name", "type__unit")
        .annotate(
            count=Count("*"), available=Sum("quantity_available"), total=Sum("quantity_total")
        )
        .order_by("-count")
    )
    return [
        {"type": r["type__name"], "unit": r["type__unit"], "count": r["count"],
         "available": float(r["available"] or 0), "total": float(r["total"] or 0)}
        for r in rows
    ]  # fmt: skip


MAX_POLYGON_CANDIDATES = 200_000


class AreaTooLarge(ValueError):
    pass


def inside_polygon(
    holdings: QuerySet[Holding], ring: list[tuple[float, float]]
) -> list[dict[str, Any]]:
    """How much of each type lies inside a polygon: the bounding box narrows it in SQL, the
    exact test runs on the candidates' points."""
    polygon = Polygon([(lon, lat) for lat, lon in ring])
    if not polygon.is_valid:
        polygon = polygon.buffer(0)
    west, south, east, north = polygon.bounds
    candidates = holdings.filter(
        latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
    ).values_list("longitude", "latitude", "type_id", "quantity_available", "quantity_total")
    rows = list(candidates[: MAX_POLYGON_CANDIDATES + 1])
    if len(rows) > MAX_POLYGON_CANDIDATES:
        raise AreaTooLarge
    if not rows:
        return []
    inside = shapely.contains_xy(
        polygon, np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    )
    totals: dict[int, list[float]] = {}
    for row, hit in zip(rows, inside, strict=True):
        if hit:
            entry = totals.setdefault(row[2], [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += float(row[3])
            entry[2] += float(row[4])
    names = {t.pk: t for t in ResourceType.objects.filter(pk__in=totals)}
    result = [
        {
            "type": names[pk].name,
            "unit": names[pk].unit,
            "count": n,
            "available": round(a, 2),
            "total": round(t, 2),
        }
        for pk, (n, a, t) in totals.items()
    ]
    return sorted(result, key=lambda r: -r["count"])


def all_holdings(user: Actor) -> QuerySet[Holding]:
    return Holding.objects.visible_to(user)
