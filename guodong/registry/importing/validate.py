"""Validation of an import, a chunk of rows at a time and a column at a time.

Each column is resolved once per distinct value it holds (a million rows of one survey carry a
few hundred types, divisions and owners, and a few thousand quantities), then the rows are
checked together with NumPy. Every problem is reported with its row (as the spreadsheet numbers
it: the header is row 1), column header, value and reason. The valid rows leave as columns, ready
for the bulk writer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.scope import within
from guodong.divisions.geo import CHINA_BOUNDS
from guodong.divisions.geo import _index as county_index
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
from guodong.registry.models import Holding, ResourceType

CHUNK = 50_000
MAX_QUANTITY = 1e12
PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
HEADER_OF = {c.key: c.header for c in COLUMNS}
ORDER_OF = {c.key: position for position, c in enumerate(COLUMNS)}
HINT = COLUMNS[0].help  # the template's row of hints, which users often leave in
# The normalized values of a valid row, keyed like the Holding fields (plus `verified_at`).
VALUE_KEYS = (
    "owner_kind", "owner_id", "owner_name", "type_id", "category_id", "quantity_total",
    "quantity_available", "condition", "readiness", "division_id", "division_path", "county_id",
    "address", "latitude", "longitude", "contact_name", "contact_phone", "notes", "verified_at",
)  # fmt: skip


def _max_length(name: str) -> int:
    return int(getattr(Holding._meta.get_field(name), "max_length", 0) or 0)


TEXT_LIMITS = {
    "address": _max_length("address"),
    "contact_name": _max_length("contact_name"),
    "notes": 2000,
}
OWNER_LIMIT = _max_length("owner_name")


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class Problem:
    """A value that cannot be used, and why (shared by every row holding that value)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass
class ValidRows:
    """Valid rows as columns keyed by VALUE_KEYS; `numbers` are their spreadsheet rows."""

    numbers: list[int]
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.numbers)

    @classmethod
    def from_dicts(cls, rows: list[dict[str, Any]]) -> ValidRows:
        """Rows made in code (the demo registry) rather than read from a file."""
        return cls(list(range(len(rows))), {key: [r[key] for r in rows] for key in VALUE_KEYS})


@dataclass
class Chunk:
    valid: ValidRows
    errors: list[RowError]
    error_rows: int
    warnings: int  # valid rows whose point lies in another county than their division


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


def _lookup(values: Sequence[Any], resolve: Callable[[Any], Any]) -> list[Any]:
    """Resolve each distinct value once, then give every row its value's result."""
    memo = {value: resolve(value) for value in set(values)}
    return [memo[value] for value in values]


def _numbers(results: list[Any]) -> np.ndarray:
    return np.array([r if r.__class__ is float else math.nan for r in results])


class _Report:
    """The problems found in one chunk, by position in the chunk."""

    def __init__(self, numbers: list[int], raw: Mapping[str, Sequence[str]]) -> None:
        self.numbers, self.raw = numbers, raw
        self.bad = np.zeros(len(numbers), dtype=bool)
        self.found: list[tuple[int, int, str, str, str]] = []

    def add(self, position: int, key: str, reason: str, value: str | None = None) -> None:
        if value is None:
            value = self.raw[key][position].strip()
        self.bad[position] = True
        self.found.append((position, ORDER_OF[key], HEADER_OF[key], value, reason))

    def problems(self, key: str, results: list[Any]) -> None:
        """Report every row whose value in `key` resolved to a Problem."""
        if not any(result.__class__ is Problem for result in set(results)):
            return
        for position, result in enumerate(results):
            if result.__class__ is Problem:
                self.add(position, key, result.reason)

    def errors(self) -> list[RowError]:
        return [
            RowError(self.numbers[position], header, value, reason)
            for position, _order, header, value, reason in sorted(self.found)
        ]


# A warning names this many rows; the rest are counted.
ROWS_NAMED = 10


def other_categories(valid: ValidRows, asked: set[int]) -> list[tuple[int, int]]:
    """(row, category id) of valid rows whose category a survey does not ask for (none when
    the survey asks for no particular category)."""
    if not asked:
        return []
    return [
        (number, category)
        for number, category in zip(valid.numbers, valid.columns["category_id"], strict=True)
        if category not in asked
    ]


def category_warning(rows: list[tuple[int, int]]) -> str:
    """The check's warning for rows of another category, naming them and their category."""
    if not rows:
        return ""
    names = dict(
        ResourceType.objects.filter(pk__in={category for _row, category in rows}).values_list(
            "pk", "name"
        )
    )
    named = "、".join(
        _("row {row} ({category})").format(row=row, category=names.get(category, ""))
        for row, category in rows[:ROWS_NAMED]
    )
    if len(rows) > ROWS_NAMED:
        named += "…"
    return _(
        "{count} row(s) are of a category this survey does not ask for: {rows}. They will be "
        "imported if you go on."
    ).format(count=len(rows), rows=named)


# A date given without a time is stored as noon UTC of that day (the same day in every zone
# from UTC-11 to UTC+11); `as_given` reads such a moment back as the date it was.
DATE_ONLY_TIME = dt.time(12)


def date_as_time(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DATE_ONLY_TIME, tzinfo=dt.UTC)


def as_given(moment: dt.datetime | None) -> dt.datetime | dt.date | None:
    """A stored moment as it was given: the date alone when it came from a date."""
    if moment is None:
        return None
    if moment.astimezone(dt.UTC).timetz().replace(tzinfo=None) == DATE_ONLY_TIME:
        return moment.astimezone(dt.UTC).date()
    return moment


class ImportValidator:
    """Validates rows against the catalogue and the uploader's jurisdiction.

    Everything it looks up is loaded once into dictionaries: a million rows cost a lookup per
    distinct value, not a query per row.
    """

    def __init__(self, acting_user: Any, *, now: dt.datetime | None = None) -> None:
        self.user = acting_user
        # The time rows without a verification date get: a replay passes the commit's.
        self.now = now or timezone.now()
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
        in_force = list(divisions.only("pk", "code", "path", "level"))
        county_of = Division.county_ids(in_force)
        self.divisions: dict[str, tuple[int, str, int | None, str]] = {
            d.code: (d.pk, d.path, county_of[d.pk], county_codes.get(county_of[d.pk] or 0, ""))
            for d in in_force
        }
        organizations = Organization.objects.visible_to(acting_user).filter(is_active=True)
        if not acting_user.has_role_perm("registry.change"):
            organizations = organizations.filter(pk=acting_user.organization_id)
        self.organizations = dict(organizations.values_list("name", "pk"))

    def chunks(
        self, keys: list[str | None], rows: Iterable[list[str]], first_row: int = 2
    ) -> Iterator[Chunk]:
        """Check the rows CHUNK at a time, skipping blank rows and the template's hints."""
        numbers: list[int] = []
        block: list[list[str]] = []
        for number, cells in enumerate(rows, first_row):
            if not "".join(cells).strip() or cells[0].strip() == HINT:
                continue
            numbers.append(number)
            block.append(cells)
            if len(block) == CHUNK:
                yield self.check(keys, numbers, block)
                numbers, block = [], []
        if block:
            yield self.check(keys, numbers, block)

    def check(self, keys: list[str | None], numbers: list[int], block: list[list[str]]) -> Chunk:
        """Check one chunk of rows (cells as read from the file, in header order)."""
        size = len(block)
        cells = list(zip_longest(*block, fillvalue=""))
        empty = ("",) * size
        raw = {c.key: empty for c in COLUMNS}
        for position, key in enumerate(keys):
            if key and position < len(cells):
                raw[key] = cells[position]
        report = _Report(numbers, raw)
        values: dict[str, list[Any]] = {}
        self._type_and_unit(raw, values, report)
        self._quantities(raw, values, report)
        for key, labels in (
            ("condition", CONDITION_LABELS),
            ("readiness", READINESS_LABELS),
            ("owner_kind", OWNER_KIND_LABELS),
        ):
            values[key] = _lookup(raw[key], _choice(labels))
            report.problems(key, values[key])
        divisions = _lookup(raw["division"], self._division)
        report.problems("division", divisions)
        values["division_id"], values["division_path"], values["county_id"], county_codes = (
            list(column) for column in zip(*(_or_blank(d, 4) for d in divisions), strict=True)
        )
        self._owner(raw, values, report)
        warned = self._point(raw, values, county_codes, report)
        values["contact_phone"] = _lookup(raw["contact_phone"], _phone)
        report.problems("contact_phone", values["contact_phone"])
        values["verified_at"] = _lookup(raw["verified_on"], self._date)
        report.problems("verified_on", values["verified_at"])
        for key, limit in TEXT_LIMITS.items():
            values[key] = _lookup(raw[key], _text(limit))
            report.problems(key, values[key])
        ok = ~report.bad
        keep = None if ok.all() else np.flatnonzero(ok).tolist()
        columns = {
            key: values[key] if keep is None else [values[key][i] for i in keep]
            for key in VALUE_KEYS
        }
        valid = ValidRows(numbers if keep is None else [numbers[i] for i in keep], columns)
        return Chunk(valid, report.errors(), int(report.bad.sum()), int((warned & ok).sum()))

    def _type_and_unit(
        self, raw: Mapping[str, Sequence[str]], values: dict[str, list[Any]], report: _Report
    ) -> None:
        types = _lookup(raw["type"], self._type)
        report.problems("type", types)
        values["type_id"], values["category_id"], expected_units = (
            list(column) for column in zip(*(_or_blank(t, 3) for t in types), strict=True)
        )
        units = _lookup(list(zip(expected_units, raw["unit"], strict=True)), _unit)
        report.problems("unit", units)

    def _quantities(
        self, raw: Mapping[str, Sequence[str]], values: dict[str, list[Any]], report: _Report
    ) -> None:
        totals = _lookup(raw["quantity_total"], _quantity)
        report.problems("quantity_total", totals)
        available = _lookup(raw["quantity_available"], _optional(_quantity))
        report.problems("quantity_available", available)
        available = [t if a is None else a for a, t in zip(available, totals, strict=True)]
        for position in np.flatnonzero(_numbers(available) > _numbers(totals)).tolist():
            report.add(
                position, "quantity_available", _("Available quantity cannot exceed the total.")
            )
        values["quantity_total"], values["quantity_available"] = totals, available

    def _owner(
        self, raw: Mapping[str, Sequence[str]], values: dict[str, list[Any]], report: _Report
    ) -> None:
        names = _lookup(raw["owner"], _text(OWNER_LIMIT, required=True))
        report.problems("owner", names)
        units = _lookup(names, lambda name: self.organizations.get(name) if name else None)
        owner_ids: list[int | None] = []
        for position, (kind, name, unit) in enumerate(
            zip(values["owner_kind"], names, units, strict=True)
        ):
            if kind == OwnerKind.PERSON or kind.__class__ is Problem:
                unit = None
            elif unit is None and name.__class__ is str:
                report.add(
                    position,
                    "owner",
                    _("No organization of this exact name that you may report for."),
                )
            owner_ids.append(unit)
        values["owner_name"], values["owner_id"] = names, owner_ids

    def _point(
        self,
        raw: Mapping[str, Sequence[str]],
        values: dict[str, list[Any]],
        county_codes: list[str],
        report: _Report,
    ) -> np.ndarray:
        """Coordinates as numbers inside China and inside some county; returns the rows whose
        point lies in another county than their division (a warning, not an error)."""
        latitudes = _lookup(raw["latitude"], _coordinate)
        longitudes = _lookup(raw["longitude"], _coordinate)
        lat, lon = _numbers(latitudes), _numbers(longitudes)
        given = ~(
            np.array([v is None for v in latitudes]) & np.array([v is None for v in longitudes])
        )
        unreadable = given & (np.isnan(lat) | np.isnan(lon))
        for position in np.flatnonzero(unreadable).tolist():
            key = "latitude" if math.isnan(lat[position]) else "longitude"
            report.add(position, key, _("Give both coordinates as numbers."))
        min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS
        located = given & ~unreadable
        inside = located & (lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon)
        county_codes_of = np.array([code or "" for code in county_codes])
        in_county, right_county = _locate(lat, lon, inside, county_codes_of)
        for position in np.flatnonzero(located & ~in_county).tolist():
            report.add(
                position,
                "longitude",
                _("({lat}, {lon}) lies outside China.").format(
                    lat=lat[position], lon=lon[position]
                ),
            )
        values["latitude"] = [v if v.__class__ is float else None for v in latitudes]
        values["longitude"] = [v if v.__class__ is float else None for v in longitudes]
        outside: np.ndarray = in_county & (county_codes_of != "") & ~right_county
        return outside

    def _type(self, text: str) -> tuple[int, int, str] | Problem:
        text = text.strip()
        if not text:
            return _missing()
        found = self.types.get(text.split()[0]) or self.types.get(text)
        return found or Problem(_("Unknown resource type: use a code from the “选项” sheet."))

    def _division(self, text: str) -> tuple[int, str, int | None, str] | Problem:
        text = text.strip()
        if not text:
            return _missing()
        found = self.divisions.get(text)
        return found or Problem(_("No division in force with this code inside your jurisdiction."))

    def _date(self, text: str) -> dt.datetime | Problem:
        text = text.strip()
        if not text:
            return self.now
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            return Problem(_("Not a date; write it as YYYY-MM-DD."))
        if day > self.now.date():
            return Problem(_("The date is in the future."))
        return date_as_time(day)


def _locate(
    lat: np.ndarray, lon: np.ndarray, inside: np.ndarray, expected: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which points lie in some county of China, and which in the county they claim.

    Most points lie in their division's county, so each is first tested against that one
    polygon (vectorized, without building point objects); only the rest are searched for in
    the tree of all counties.
    """
    index = county_index()
    in_county = np.zeros(len(lat), dtype=bool)
    for code in np.unique(expected[inside & (expected != "")]).tolist():
        rows = np.flatnonzero(inside & (expected == code))
        polygon = index.geometries[index.codes.index(code)] if code in index.codes else None
        if polygon is not None:
            shapely.prepare(polygon)
            in_county[rows] = shapely.intersects_xy(polygon, lon[rows], lat[rows])
    right_county = in_county.copy()
    rest = np.flatnonzero(inside & ~in_county)
    points = shapely.points(lon[rest], lat[rest])
    found, _polygons = index.tree.query(points, predicate="intersects")
    in_county[rest[found]] = True
    return in_county, right_county


def _or_blank(result: Any, width: int) -> tuple[Any, ...]:
    return (None,) * width if result.__class__ is Problem else result


def _missing() -> Problem:
    return Problem(_("This column is required."))


def _choice(labels: Mapping[str, str]) -> Callable[[str], str | Problem]:
    def resolve(text: str) -> str | Problem:
        text = text.strip()
        if not text:
            return _missing()
        return labels.get(text) or Problem(
            _("Use one of: {choices}.").format(choices=" / ".join(labels))
        )

    return resolve


def _unit(pair: tuple[str | None, str]) -> str | Problem:
    expected, text = pair[0], pair[1].strip()
    if not text:
        return _missing()
    if expected is not None and text != expected:
        return Problem(_("The unit of this type is “{unit}”.").format(unit=expected))
    return text


def _quantity(text: str) -> float | Problem:
    text = text.strip()
    if not text:
        return _missing()
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return Problem(_("Not a number."))
    if not math.isfinite(number) or number < 0:
        return Problem(_("Must be a number not less than 0."))
    if number > MAX_QUANTITY:
        return Problem(_("Too large."))
    return round(number, 2)


def _optional(resolve: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda text: resolve(text) if text.strip() else None


def _coordinate(text: str) -> float | Problem | None:
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return Problem("")
    return number if math.isfinite(number) else Problem("")


def _phone(text: str) -> str | Problem:
    text = text.strip()
    if text and not PHONE.match(text):
        return Problem(_("Not a phone number."))
    return text


def _text(limit: int, *, required: bool = False) -> Callable[[str], str | Problem]:
    def resolve(text: str) -> str | Problem:
        text = text.strip()
        if required and not text:
            return _missing()
        if len(text) > limit:
            return Problem(_("At most {limit} characters.").format(limit=limit))
        return text

    return resolve
