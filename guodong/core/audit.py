"""Writing and verifying the hash-chained event log."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, ExpressionWrapper, F, Max, Min
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from guodong.core.actors import Actor
from guodong.core.models import ChainHead, Event, ScopedModel

GENESIS = "0" * 64
# Fields never copied into the log: secrets, and bookkeeping that changes on every login.
EXCLUDED_FIELDS = {"password", "last_login"}
HASHED_FIELDS = (
    "node_id",
    "sequence",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "scope_path",
    "before",
    "after",
    "prev_hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


CHILDREN_KEY = "_children"
# An event that writes many rows at once carries them (or what reproduces them) under this key
# of `after`; guodong.core.replay applies it (ADR 9).
BULK_KEY = "_bulk"


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of `obj` as JSON-safe data (foreign keys as ids, many-to-many
    fields as sorted id lists), with the rows of the child relations its model names in
    `event_children` (a demand's lines, a mission's items) under "_children", so one event
    holds enough to replay the object whole. Encrypted personal fields are recorded as the
    ciphertext the database holds (ADR 9): the log never holds them in clear, and a replay
    writes back the very same bytes."""
    data = _row(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(
                getattr(obj, field.name).order_by().values_list("pk", flat=True)
            )
    children = getattr(type(obj), "event_children", ())
    if children and obj.pk is not None:
        data[CHILDREN_KEY] = {
            name: _rows(list(getattr(obj, name).order_by("pk"))) for name in children
        }
    return data


def sensitive_fields(model: type[models.Model]) -> list[str]:
    """Names of the model's encrypted personal fields (EncryptedTextField)."""
    return [f.name for f in model._meta.concrete_fields if getattr(f, "sensitive", False)]


def stored_values(
    model: type[models.Model], pks: list[Any], names: list[str]
) -> dict[Any, dict[str, str]]:
    """The encrypted fields of rows as the database holds them (ciphertext), by primary key:
    read through a plain text column type so the field's decryption is not applied."""
    if not names or not pks:
        return {}
    raw = {
        f"stored_{name}": ExpressionWrapper(F(name), output_field=models.TextField())
        for name in names
    }
    rows = model._base_manager.filter(pk__in=pks).values("pk", **raw)
    return {row["pk"]: {n: row[f"stored_{n}"] or "" for n in names} for row in rows}


def _rows(objs: list[models.Model]) -> list[dict[str, Any]]:
    """`_row` of many rows of one model, with one query for their ciphertexts."""
    if not objs:
        return []
    secret = sensitive_fields(type(objs[0]))
    stored = stored_values(type(objs[0]), [o.pk for o in objs if o.pk is not None], secret)
    return [_row(obj, stored.get(obj.pk, {})) for obj in objs]


def _row(obj: models.Model, stored: dict[str, str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    secret = sensitive_fields(type(obj))
    if stored is None:
        stored = stored_values(type(obj), [obj.pk], secret).get(obj.pk, {}) if obj.pk else {}
    for field in obj._meta.concrete_fields:
        if field.name in EXCLUDED_FIELDS:
            continue
        key = field.attname if field.is_relation else field.name
        if field.name in secret:
            # Personal data never enters the log in clear: the stored ciphertext does (a row
            # not yet saved has none).
            data[key] = stored.get(field.name, "")
            continue
        data[key] = _plain(field.value_from_object(obj))
    return data


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Ids as [first, count] runs: a million rows written in one go are one run, so a bulk
    event names every id it wrote in a few bytes. `ids` may come unordered (a queryset)."""
    runs: list[list[int]] = []
    for pk in sorted(ids):
        if runs and runs[-1][0] + runs[-1][1] == pk:
            runs[-1][1] += 1
        else:
            runs.append([pk, 1])
    return runs


def id_runs_of(queryset: models.QuerySet[Any, Any]) -> list[list[int]]:
    """`id_ranges` of a queryset's rows, from one aggregate when they are contiguous (a bulk
    write alone in its table, the usual case); otherwise from their ids."""
    bounds = queryset.order_by().aggregate(first=Min("pk"), last=Max("pk"), count=Count("pk"))
    first, last, count = bounds["first"], bounds["last"], bounds["count"]
    if not count:
        return []
    if last - first + 1 == count:
        return [[first, count]]
    return id_ranges(queryset.values_list("pk", flat=True).iterator(chunk_size=20_000))


def iter_ids(runs: list[list[int]]) -> Iterator[int]:
    """The ids of `id_ranges` runs, in order."""
    for first, count in runs:
        yield from range(first, first + count)


def bulk_rows(model: type[models.Model], rows: Iterable[models.Model]) -> dict[str, Any]:
    """A bulk event's payload that carries the rows themselves (the demo's holdings, a
    catalogue load): columns once, then one list of values per row, as `snapshot` gives them."""
    snapshots = _rows(list(rows))
    columns = list(snapshots[0]) if snapshots else []
    values = [[row[c] for c in columns] for row in snapshots]
    return {"model": object_type_of_model(model), "columns": columns, "rows": values}


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: Event) -> str:
    payload = {name: _plain(getattr(event, name)) for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def object_type_of(obj: models.Model) -> str:
    return object_type_of_model(type(obj))


def object_type_of_model(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def record_event(
    actor: Actor,
    action: str,
    obj: ScopedModel,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    scope_path: str | None = None,
) -> Event:
    """Append one entry to this node's chain, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the service's transaction")
    node_id = settings.NODE_ID
    ChainHead.objects.get_or_create(node_id=node_id)
    head = ChainHead.objects.select_for_update().get(node_id=node_id)
    event = Event(
        node_id=node_id,
        sequence=head.sequence + 1,
        created_at=timezone.now(),
        actor=actor if isinstance(actor, models.Model) else None,
        actor_name=actor.get_username(),
        action=action,
        object_type=object_type_of(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        scope_path=scope_path if scope_path is not None else obj.audit_scope_path(),
        before=before,
        after=after,
        prev_hash=head.last_hash or GENESIS,
    )
    event.hash = compute_hash(event)
    event.save()
    head.sequence, head.last_hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    event_id: int | None
    reason: str


def _walk(node_id: str) -> Iterator[Event]:
    yield from Event.objects.filter(node_id=node_id).order_by("sequence").iterator(chunk_size=2000)


def verify_chain(node_id: str | None = None) -> tuple[int, ChainBreak | None]:
    """Walk a node's chain; return how many entries were checked and the first break, if any."""
    node_id = node_id or settings.NODE_ID
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in _walk(node_id):
        if event.sequence != expected_seq:
            return checked, ChainBreak(
                expected_seq, event.pk, f"sequence {expected_seq} is missing or out of order"
            )
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(
                event.sequence, event.pk, "previous-hash link broken (entry deleted or reordered)"
            )
        if compute_hash(event) != event.hash:
            return checked, ChainBreak(
                event.sequence, event.pk, "content does not match its hash (entry edited)"
            )
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = ChainHead.objects.filter(node_id=node_id).first()
    if head and (head.sequence != checked or (checked and head.last_hash != expected_prev)):
        return checked, ChainBreak(
            checked + 1, None, f"chain head is at {head.sequence} but the log ends at {checked}"
        )
    return checked, None
