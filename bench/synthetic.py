"""A synthetic registry file for 嘉兴市: real villages and types, points inside each county."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from shapely.geometry import Point

from guodong.core.scope import within
from guodong.divisions.geo import _index as county_index
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel
from guodong.registry.importing.columns import COLUMNS, CONDITION_LABELS, READINESS_LABELS
from guodong.registry.models import ResourceType


def write_csv(path: Path, rows: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    city = Division.objects.get(code="330400", effective_to__isnull=True)
    places = list(
        Division.objects.filter(within("path", city.path), level__gte=4, effective_to__isnull=True)
    )
    county_codes = dict(
        Division.objects.filter(within("path", city.path), level=3).values_list("pk", "code")
    )
    index = county_index()
    points: dict[str, list[tuple[float, float]]] = {}
    for code in county_codes.values():
        polygon = index.geometries[index.codes.index(code)]
        min_x, min_y, max_x, max_y = polygon.bounds
        found: list[tuple[float, float]] = []
        while len(found) < 500:
            x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if polygon.contains(Point(x, y)):
                found.append((round(y, 6), round(x, 6)))
        points[code] = found
    county_of = Division.county_ids(places)
    place_county = {p.code: county_codes[county_of[p.pk]] for p in places}
    types = list(
        ResourceType.objects.filter(level=CatalogueLevel.TYPE).exclude(category__code="HR")
    )
    owners = list(Organization.objects.filter(kind="member_unit").values_list("name", flat=True))
    phones = [f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}" for _ in range(20000)]
    conditions, readiness = list(CONDITION_LABELS), list(READINESS_LABELS)
    place_codes = list(place_county)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([c.header for c in COLUMNS])
        for number in range(rows):
            resource_type = types[number % len(types)]
            code = place_codes[rng.randrange(len(place_codes))]
            lat, lon = points[place_county[code]][rng.randrange(500)]
            total = rng.randrange(1, 200)
            writer.writerow([
                resource_type.code, total, total - rng.randrange(0, total), resource_type.unit,
                conditions[number % 3], readiness[number % 4], code, "", lat, lon, "成员单位",
                owners[number % len(owners)], "联系人", phones[number % len(phones)],
                f"2026-{1 + number % 10:02d}-{1 + number % 28:02d}", "",
            ])  # fmt: skip
    return path
