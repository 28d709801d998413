"""An in-memory, columnar snapshot of holdings (DESIGN.md §5) for aggregates that must be fast.

Reading a million rows costs seconds; aggregating NumPy arrays of them costs milliseconds. Each
process keeps one snapshot and keeps it current from the event log: on every use it compares the
node's chain head with the sequence it was built at, patches the holdings that single events
touched, and rebuilds from the table after bulk events (imports, demo loads) or many changes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone

from guodong.core.actors import Actor
from guodong.core.models import ChainHead, Event, ScopeRules
from guodong.core.scope import within
from guodong.registry.choices import AGEING_SHARE, CatalogueLevel, OwnerKind, Readiness
from guodong.registry.models import Holding, ResourceType

BULK_ACTIONS = {"importjob.commit", "holding.demo_load"}
PATCH_LIMIT = 5000
READINESS = {value: code for code, value in enumerate(Readiness.values)}
OWNER_KINDS = {value: code for code, value in enumerate(OwnerKind.values)}
FIELDS = ("pk", "h3_cell", "category_id", "type_id", "readiness", "owner_kind",
          "quantity_available", "last_verified_at", "division_path", "latitude", "longitude",
          "owner_id", "owner_name")  # fmt: skip
NEVER = -(2**62)


@dataclass
class Columns:
    ids: np.ndarray
    cell: np.ndarray
    category: np.ndarray
    type: np.ndarray
    readiness: np.ndarray
    owner_kind: np.ndarray
    available: np.ndarray
    verified: np.ndarray  # epoch seconds, NEVER when never verified
    path: np.ndarray  # index into `paths`
    lat: np.ndarray  # NaN without a point
    lon: np.ndarray
    owner: np.ndarray  # the owner unit's id, or -(1 + index into `owner_names`)
    alive: np.ndarray
    paths: list[str]
    owner_names: list[str]


class Interned:
    """Repeated strings (division paths, owner names) stored once, referred to by index."""

    def __init__(self, values: list[str] | None = None) -> None:
        self.values = values if values is not None else []
        self._index = {v: i for i, v in enumerate(self.values)}

    def __call__(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]


def _epoch(moment: dt.datetime | None) -> int:
    return int(moment.timestamp()) if moment else NEVER


def _columns(
    rows: list[tuple[Any, ...]], paths: Interned, owners: Interned
) -> dict[str, np.ndarray]:
    nan = float("nan")
    return {
        "ids": np.fromiter((r[0] for r in rows), np.int64, len(rows)),
        "cell": np.fromiter((r[1] or 0 for r in rows), np.int64, len(rows)),
        "category": np.fromiter((r[2] for r in rows), np.int32, len(rows)),
        "type": np.fromiter((r[3] for r in rows), np.int32, len(rows)),
        "readiness": np.fromiter((READINESS[r[4]] for r in rows), np.int8, len(rows)),
        "owner_kind": np.fromiter((OWNER_KINDS[r[5]] for r in rows), np.int8, len(rows)),
        "available": np.fromiter((float(r[6]) for r in rows), np.float64, len(rows)),
        "verified": np.fromiter((_epoch(r[7]) for r in rows), np.int64, len(rows)),
        "path": np.fromiter((paths(r[8]) for r in rows), np.int32, len(rows)),
        "lat": np.fromiter((nan if r[9] is None else r[9] for r in rows), np.float64, len(rows)),
        "lon": np.fromiter((nan if r[10] is None else r[10] for r in rows), np.float64, len(rows)),
        "owner": np.fromiter(
            (r[11] if r[11] is not None else -1 - owners(r[12]) for r in rows), np.int64, len(rows)
        ),
    }


class HoldingSnapshot:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.columns: Columns | None = None
        self.sequence = -1
        self.last_hash = ""
        self._position: dict[int, int] = {}

    def current(self) -> Columns:
        sequence, last_hash = (
            ChainHead.objects.filter(node_id=settings.NODE_ID)
            .values_list("sequence", "last_hash")
            .first()
        ) or (0, "")
        with self._lock:
            if self.columns is None or not self._catch_up(sequence):
                self._rebuild(sequence)
            self.last_hash = last_hash
            assert self.columns is not None  # built just above
            return self.columns

    def positions(self, pks: list[int]) -> np.ndarray:
        """Row positions of holdings in the current columns (-1 for one not in them)."""
        return np.fromiter((self._position.get(pk, -1) for pk in pks), np.int64, len(pks))

    def _diverged(self) -> bool:
        """True when the entry the snapshot was built at is gone or different (a rolled-back
        transaction, a restored database): patching from it would be wrong."""
        if self.sequence <= 0:
            return self.sequence < 0
        stored = (
            Event.objects.filter(node_id=settings.NODE_ID, sequence=self.sequence)
            .values_list("hash", flat=True)
            .first()
        )
        return stored != self.last_hash

    def _rebuild(self, head: int) -> None:
        paths, owners = Interned(), Interned()
        rows = list(
            Holding.objects.filter(merged_into__isnull=True).order_by("pk").values_list(*FIELDS)
        )
        data = _columns(rows, paths, owners)
        self.columns = Columns(
            **data, alive=np.ones(len(rows), bool), paths=paths.values, owner_names=owners.values
        )
        self._position = {int(pk): i for i, pk in enumerate(data["ids"])}
        self.sequence = head

    def _catch_up(self, head: int) -> bool:
        """Patch the holdings changed since the snapshot; False when a rebuild is cheaper."""
        if self._diverged() or head < self.sequence:
            return False
        if head == self.sequence:
            return True
        events = Event.objects.filter(node_id=settings.NODE_ID, sequence__gt=self.sequence)
        if events.filter(action__in=BULK_ACTIONS).exists():
            return False
        changed = set(
            events.filter(object_type="registry.holding").values_list("object_id", flat=True)[
                : PATCH_LIMIT + 1
            ]
        )
        if len(changed) > PATCH_LIMIT:
            return False
        rows = {
            r[0]: r
            for r in Holding.objects.filter(pk__in=[int(pk) for pk in changed]).values_list(
                *FIELDS, "merged_into_id"
            )
        }
        columns, fresh_rows = self.columns, []
        if columns is None:
            return False
        paths, owners = Interned(columns.paths), Interned(columns.owner_names)
        for pk in (int(pk) for pk in changed):
            row = rows.get(pk)
            position = self._position.get(pk)
            if row is None or row[-1] is not None:  # deleted or merged
                if position is not None:
                    columns.alive[position] = False
                continue
            if position is None:
                fresh_rows.append(row[:-1])
                continue
            patch = _columns([row[:-1]], paths, owners)
            for name, values in patch.items():
                getattr(columns, name)[position] = values[0]
        if fresh_rows:
            added = _columns(fresh_rows, paths, owners)
            start = len(columns.ids)
            for name, values in added.items():
                setattr(columns, name, np.concatenate([getattr(columns, name), values]))
            columns.alive = np.concatenate([columns.alive, np.ones(len(fresh_rows), bool)])
            self._position.update({int(pk): start + i for i, pk in enumerate(added["ids"])})
        self.sequence = head
        return True


SNAPSHOT = HoldingSnapshot()


def category_thresholds(now: dt.datetime | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per category id: epoch seconds after which a holding is fresh, before which stale."""
    now = now or timezone.now()
    periods = dict(
        ResourceType.objects.filter(level=CatalogueLevel.CATEGORY).values_list(
            "pk", "freshness_days"
        )
    )
    size = max(periods, default=0) + 1
    fresh_after, stale_before = np.full(size, NEVER, np.int64), np.full(size, NEVER, np.int64)
    for pk, days in periods.items():
        if days is None:
            continue
        fresh_after[pk] = _epoch(now - dt.timedelta(days=days * AGEING_SHARE))
        stale_before[pk] = _epoch(now - dt.timedelta(days=days))
    return fresh_after, stale_before


def type_ids_under(node: ResourceType) -> np.ndarray:
    ids: np.ndarray = np.fromiter(
        ResourceType.objects.filter(
            within("path", node.path), level=CatalogueLevel.TYPE
        ).values_list("pk", flat=True),
        np.int32,
    )
    return ids


def path_mask(columns: Columns, path: str) -> np.ndarray:
    """Rows whose division lies inside `path` (tested once per distinct path, not per row)."""
    inside = np.fromiter((p.startswith(path) for p in columns.paths), bool, len(columns.paths))
    rows: np.ndarray = inside[columns.path]
    return rows


def visibility_mask(columns: Columns, user: Actor) -> np.ndarray:
    """The rows `Holding.objects.visible_to(user)` returns, read from the same definition
    (`Holding.visibility`): an inactive user, a role or a unit limit narrows both alike."""
    visibility = Holding.visibility(user)
    if visibility is None:
        return np.zeros(len(columns.ids), bool)
    mask = columns.alive.copy()
    # The snapshot's path column is the holding's scope field (division_path), its owner column
    # the unit field (owner_id): the two parts of a Visibility the columns can test.
    if visibility.path and not visibility.anywhere:
        mask &= path_mask(columns, visibility.path)
    if visibility.unit_id is not None and Holding.unit_field:
        mask &= columns.owner == visibility.unit_id
    if _restricted_by_role():
        # A rule the columns cannot express: take the ids the queryset itself lets through.
        visible = Holding.objects.visible_to(user).values_list("pk", flat=True)
        mask &= np.isin(columns.ids, np.fromiter(visible, np.int64))
    return mask


def _restricted_by_role() -> bool:
    """Whether Holding narrows its rows by a queryset hook beyond the Visibility data."""
    own = getattr(Holding.restrict_for_role, "__func__", None)
    return own is not getattr(ScopeRules.restrict_for_role, "__func__", None)


def selection(columns: Columns, user: Actor, params: dict[str, Any]) -> np.ndarray:
    """The rows a user sees, narrowed by the holdings list's filters (same meaning, in NumPy)."""
    mask: np.ndarray = visibility_mask(columns, user) & (columns.cell != 0)
    if area := params.get("division"):
        mask &= path_mask(columns, area.path)
    if node := params.get("category"):
        mask &= np.isin(columns.type, type_ids_under(node))
    if resource_type := params.get("type"):
        mask &= columns.type == resource_type.pk
    if readiness := params.get("readiness"):
        mask &= columns.readiness == READINESS[readiness]
    if owner_kind := params.get("owner_kind"):
        mask &= columns.owner_kind == OWNER_KINDS[owner_kind]
    if state := params.get("freshness"):
        fresh, stale = freshness_masks(columns)
        mask &= {"fresh": fresh, "stale": stale}.get(state, ~fresh & ~stale)
    return mask


def freshness_masks(columns: Columns) -> tuple[np.ndarray, np.ndarray]:
    fresh_after, stale_before = category_thresholds()
    fresh = columns.verified >= fresh_after[columns.category]
    stale = (columns.verified < stale_before[columns.category]) | (columns.verified == NEVER)
    return fresh, stale
