"""Row-by-row validation of an import, in batches so the coordinate check is vectorized.

Every problem is reported with its row (as the spreadsheet numbers it: the header is row 1),
column header, value and reason. Valid rows become tuples ready for the bulk writer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.scope import within
from guodong.divisions.geo import _index as county_index
from guodong.divisions.geo import in_china_bounds
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel, OwnerKind
from guodong.registry.importing.columns import (
    BY_HEADER,
    COLUMNS,
    CONDITION_LABELS,
    OWNER_KIND_LABELS,
    READINESS_LABELS,
)
from guodong.registry.models import ResourceType

BATCH = 10_000
MAX_QUANTITY = 1e12
PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
HEADERS = [c.header for c in COLUMNS]
REQUIRED = [c.key for c in COLUMNS if c.required]


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ValidRow:
    """Normalized values of one row, keyed like the Holding fields."""

    row: int
    values: dict[str, Any]
    county_code: str | None = None


@dataclass
class BatchResult:
    valid: list[ValidRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: int = 0


class HeaderProblem(Exception):
    pass


def map_header(header: list[str]) -> list[str | None]:
    """Column positions → keys; missing required columns are a whole-file problem."""
    keys = [BY_HEADER[h.strip()].key if h.strip() in BY_HEADER else None for h in header]
    missing = [c.header for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        raise HeaderProblem(
            _("The first row must hold the template's column headers; missing: {columns}.").format(
                columns="、".join(missing)
            )
        )
    return keys


class RowValidator:
    """Validates rows against the catalogue and the uploader's jurisdiction.

    Everything it looks up is loaded once into dictionaries: a million rows cost a million
    dictionary lookups, not a million queries.
    """

    def __init__(self, acting_user: Any) -> None:
        self.user = acting_user
        self.now = timezone.now()
        types = ResourceType.objects.filter(level=CatalogueLevel.TYPE, retired_in__isnull=True)
        self.types: dict[str, tuple[int, int, str]] = {}
        for pk, code, name, category_id, unit in types.values_list(
            "pk", "code", "name", "category_id", "unit"
        ):
            self.types[code] = self.types[code.lower()] = self.types[name] = (pk, category_id, unit)
        jurisdiction = acting_user.jurisdiction_path
        divisions = Division.objects.filter(effective_to__isnull=True, level__gte=3)
        if jurisdiction:
            divisions = divisions.filter(within("path", jurisdiction))
        county_codes = dict(divisions.filter(level=3).values_list("pk", "code"))
        self.divisions: dict[str, tuple[int, str, int | None, str | None]] = {}
        in_force = list(divisions.only("pk", "code", "path", "level"))
        county_of = Division.county_ids(in_force)
        for division in in_force:
            county_id = county_of[division.pk]
            self.divisions[division.code] = (
                division.pk,
                division.path,
                county_id,
                county_codes.get(county_id),
            )
        organizations = Organization.objects.visible_to(acting_user).filter(is_active=True)
        if not acting_user.has_role_perm("registry.change"):
            organizations = organizations.filter(pk=acting_user.organization_id)
        self.organizations = dict(organizations.values_list("name", "pk"))
        self._positions_for: list[str | None] | None = None
        self._position_list: list[tuple[str, int]] = []
        self._dates: dict[str, dt.datetime] = {}

    def check(
        self, row_number: int, keys: list[str | None], cells: list[str]
    ) -> ValidRow | list[RowError]:
        positions = self._positions(keys)
        if len(cells) >= len(keys):
            raw = {key: cells[i].strip() for key, i in positions}
        else:
            raw = {key: (cells[i].strip() if i < len(cells) else "") for key, i in positions}
        errors: list[RowError] = []

        def fail(key: str, reason: str) -> None:
            header = next(c.header for c in COLUMNS if c.key == key)
            errors.append(RowError(row_number, header, raw.get(key, ""), reason))

        if not all(raw.get(key) for key in REQUIRED):
            for key in REQUIRED:
                if not raw.get(key):
                    fail(key, _("This column is required."))
            return errors
        values: dict[str, Any] = {}
        type_text = raw["type"].split()[0] if raw["type"] else ""
        resource_type = self.types.get(type_text) or self.types.get(raw["type"])
        if resource_type is None:
            fail("type", _("Unknown resource type: use a code from the “选项” sheet."))
        else:
            values["type_id"], values["category_id"], unit = resource_type
            if raw["unit"] != unit:
                fail("unit", _("The unit of this type is “{unit}”.").format(unit=unit))
        total = self._quantity(raw["quantity_total"], "quantity_total", fail)
        available = self._quantity(
            raw.get("quantity_available") or raw["quantity_total"], "quantity_available", fail
        )
        if total is not None and available is not None and available > total:
            fail("quantity_available", _("Available quantity cannot exceed the total."))
        values["quantity_total"], values["quantity_available"] = total, available
        values["condition"] = CONDITION_LABELS.get(raw["condition"]) or fail(
            "condition", _("Use one of: {choices}.").format(choices=" / ".join(CONDITION_LABELS))
        )
        values["readiness"] = READINESS_LABELS.get(raw["readiness"]) or fail(
            "readiness", _("Use one of: {choices}.").format(choices=" / ".join(READINESS_LABELS))
        )
        division = self.divisions.get(raw["division"])
        county_code = None
        if division is None:
            fail("division", _("No division in force with this code inside your jurisdiction."))
        else:
            values["division_id"], values["division_path"], values["county_id"], county_code = (
                division
            )
        self._owner(raw, values, fail)
        self._point(raw, values, fail)
        phone = raw.get("contact_phone", "")
        if phone and not PHONE.match(phone):
            fail("contact_phone", _("Not a phone number."))
        values["verified_at"] = self._date(raw.get("verified_on", ""), fail)
        for key in ("address", "contact_name", "notes"):
            values[key] = raw.get(key, "")[: 200 if key != "notes" else 2000]
        values["contact_phone"] = phone
        if errors:
            return errors
        return ValidRow(row_number, values, county_code)

    def _positions(self, keys: list[str | None]) -> list[tuple[str, int]]:
        """(key, column index) pairs, worked out once per file rather than once per row."""
        if self._positions_for is not keys:
            self._positions_for = keys
            self._position_list = [(key, i) for i, key in enumerate(keys) if key]
        return self._position_list

    def _quantity(self, text: str, key: str, fail: Any) -> float | None:
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            fail(key, _("Not a number."))
            return None
        if not math.isfinite(number) or number < 0:
            fail(key, _("Must be a number not less than 0."))
            return None
        if number > MAX_QUANTITY:
            fail(key, _("Too large."))
            return None
        return round(number, 2)

    def _owner(self, raw: dict[str, str], values: dict[str, Any], fail: Any) -> None:
        kind = OWNER_KIND_LABELS.get(raw["owner_kind"])
        if kind is None:
            fail(
                "owner_kind",
                _("Use one of: {choices}.").format(choices=" / ".join(OWNER_KIND_LABELS)),
            )
            return
        values["owner_kind"], values["owner_name"], values["owner_id"] = (
            kind,
            raw["owner"][:100],
            None,
        )
        if kind != OwnerKind.PERSON:
            owner_id = self.organizations.get(raw["owner"])
            if owner_id is None:
                fail("owner", _("No organization of this exact name that you may report for."))
            values["owner_id"] = owner_id

    def _point(self, raw: dict[str, str], values: dict[str, Any], fail: Any) -> None:
        lat_text, lon_text = raw.get("latitude", ""), raw.get("longitude", "")
        values["latitude"] = values["longitude"] = None
        if not lat_text and not lon_text:
            return
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            fail(
                "latitude" if not _is_float(lat_text) else "longitude",
                _("Give both coordinates as numbers."),
            )
            return
        if not in_china_bounds(lat, lon):
            fail("longitude", _("({lat}, {lon}) lies outside China.").format(lat=lat, lon=lon))
            return
        values["latitude"], values["longitude"] = lat, lon

    def _date(self, text: str, fail: Any) -> dt.datetime | None:
        if not text:
            return self.now
        if text in self._dates:
            return self._dates[text]
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            fail("verified_on", _("Not a date; write it as YYYY-MM-DD."))
            return None
        if day > self.now.date():
            fail("verified_on", _("The date is in the future."))
            return None
        self._dates[text] = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        return self._dates[text]

    def batches(
        self, keys: list[str | None], rows: Iterable[list[str]], first_row: int = 2
    ) -> Iterator[BatchResult]:
        """Validate in batches; the point-in-polygon test runs once per batch, vectorized."""
        result = BatchResult()
        for offset, cells in enumerate(rows):
            if not any(c.strip() for c in cells) or (cells and cells[0].strip() == COLUMNS[0].help):
                continue  # blank rows, and the template's row of hints
            checked = self.check(first_row + offset, keys, cells)
            if isinstance(checked, ValidRow):
                result.valid.append(checked)
            else:
                result.errors.extend(checked)
            if len(result.valid) + len(result.errors) >= BATCH:
                yield self._locate(result)
                result = BatchResult()
        if result.valid or result.errors:
            yield self._locate(result)

    def _locate(self, result: BatchResult) -> BatchResult:
        """Drop rows whose point is in no county of China; count those in another county."""
        located = [r for r in result.valid if r.values["latitude"] is not None]
        if not located:
            return result
        index = county_index()
        points = shapely.points(
            np.array([r.values["longitude"] for r in located]),
            np.array([r.values["latitude"] for r in located]),
        )
        row_positions, polygon_positions = index.tree.query(points, predicate="intersects")
        county_of = {
            int(r): index.codes[int(p)]
            for r, p in zip(row_positions, polygon_positions, strict=True)
        }
        outside: set[int] = set()
        for position, row in enumerate(located):
            county = county_of.get(position)
            if county is None:
                outside.add(row.row)
                result.errors.append(
                    RowError(
                        row.row,
                        "经度",
                        str(row.values["longitude"]),
                        _("({lat}, {lon}) lies outside China.").format(
                            lat=row.values["latitude"], lon=row.values["longitude"]
                        ),
                    )
                )
            elif row.county_code and county != row.county_code:
                result.warnings += 1
        if outside:
            result.valid = [r for r in result.valid if r.row not in outside]
        return result


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
