"""Rebuilding the domain tables from the event log (ADR 9).

Each event is applied generically, in chain order, from its object type and its `after` (or
`before`, for a deletion): the row is upserted with its concrete fields, its child rows
("_children") replace the children it had, its many-to-many fields are set, and a bulk event
("_bulk") inserts the rows it carries, updates the rows it names, or hands its payload to the
handler its app registered (an import re-written from its stored file). An event whose
payload is not a row (a reveal, an issued token) changes nothing here.

Replay is what a node does with the events of another node's records; the test
guodong/core/tests/test_replay.py proves the log complete by replaying it into emptied tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

from guodong.core.audit import BULK_KEY, CHILDREN_KEY, EXCLUDED_FIELDS, iter_ids
from guodong.core.crypto import Ciphertext
from guodong.core.models import ChainHead, Event, ScopedModel

BulkHandler = Callable[[models.Model, dict[str, Any]], None]
_HANDLERS: dict[str, BulkHandler] = {}
INSERT_BATCH = 500


class ReplayMismatch(Exception):
    """Replaying an event did not give what the event says the original write gave."""


def register_bulk_handler(name: str, handler: BulkHandler) -> None:
    """An app's way to replay its bulk events that name `name` as their handler (called from
    the app's `ready`, so core never imports the app)."""
    _HANDLERS[name] = handler


def domain_models() -> list[type[models.Model]]:
    """The models the log must rebuild: every ScopedModel, every model of the project with a
    foreign key to one (their child rows: a demand's lines, a task's items), and the
    many-to-many tables between them. Not the log itself, nor framework tables."""
    every = [m for m in apps.get_models() if not m._meta.abstract and m._meta.managed]
    scoped = {m for m in every if issubclass(m, ScopedModel)}
    children = {
        m
        for m in every
        if m.__module__.startswith("guodong.")
        and m not in scoped
        and m not in (Event, ChainHead)
        and any(f.many_to_one and f.related_model in scoped for f in m._meta.concrete_fields)
    }
    domain: set[type[models.Model]] = scoped | children
    through: set[type[models.Model]] = set()
    for model in domain:
        for field in model._meta.many_to_many:
            table = field.remote_field.through
            if table is not None and table._meta.auto_created and field.related_model in domain:
                through.add(table)
    return sorted(domain | through, key=lambda m: m._meta.label)


def _values(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """Field values (by attname) of a snapshot, turned back from JSON into Python."""
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        key = field.attname if field.is_relation else field.name
        if key not in data or field.name in EXCLUDED_FIELDS:
            continue
        value = data[key]
        if getattr(field, "sensitive", False):
            # The log holds the stored ciphertext: write it back as it is.
            value = Ciphertext(value) if value else ""
        elif value is not None and not isinstance(field, models.JSONField | models.FileField):
            value = field.to_python(value)
        values[field.attname] = value
    return values


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows as they are (no save(), no auto_now): what loaddata does."""
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    for start in range(0, len(rows), INSERT_BATCH):
        objs = [model(**values) for values in rows[start : start + INSERT_BATCH]]
        model._base_manager._insert(objs, fields=fields, raw=True)  # type: ignore[attr-defined]


def _upsert(model: type[models.Model], data: dict[str, Any]) -> Any:
    values = _values(model, data)
    pk = values[model._meta.pk.attname]
    current = model._base_manager.filter(pk=pk)
    if current.exists():
        changes = {k: v for k, v in values.items() if k != model._meta.pk.attname}
        if changes:
            current.update(**changes)
    else:
        _insert(model, [values])
    return pk


def _upsert_many(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Upsert many snapshots: new rows inserted in batches, existing ones updated."""
    pk_name = model._meta.pk.attname
    values = [_values(model, row) for row in rows]
    existing: set[Any] = set()
    for start in range(0, len(values), INSERT_BATCH):
        ids = [v[pk_name] for v in values[start : start + INSERT_BATCH]]
        existing |= set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
    _insert(model, [v for v in values if v[pk_name] not in existing])
    for row in values:
        if row[pk_name] in existing:
            changes = {k: v for k, v in row.items() if k != pk_name}
            model._base_manager.filter(pk=row[pk_name]).update(**changes)


def _replace_children(
    model: type[models.Model], pk: Any, children: dict[str, list[dict[str, Any]]]
) -> None:
    for name, rows in children.items():
        relation = model._meta.get_field(name)
        child_model = relation.related_model
        link = relation.field.attname  # type: ignore[union-attr]
        kept = [_upsert(child_model, row) for row in rows]  # type: ignore[arg-type]
        child_model._base_manager.filter(**{link: pk}).exclude(pk__in=kept).delete()  # type: ignore[union-attr]


def _apply_bulk(model: type[models.Model], object_id: str, bulk: dict[str, Any]) -> None:
    if "handler" in bulk:
        handler = _HANDLERS.get(bulk["handler"])
        if handler is None:
            raise ReplayMismatch(f"no replay handler named {bulk['handler']!r}")
        handler(model._base_manager.get(pk=object_id), bulk)
        return
    target = apps.get_model(bulk["model"])
    if "rows" in bulk:
        columns = bulk["columns"]
        rows = [dict(zip(columns, row, strict=True)) for row in bulk["rows"]]
        _upsert_many(target, rows)
    else:  # the same values set on the rows it names
        values = _values(target, bulk["values"])
        ids = list(iter_ids(bulk["ids"]))
        for start in range(0, len(ids), INSERT_BATCH):
            target._base_manager.filter(pk__in=ids[start : start + INSERT_BATCH]).update(**values)


def apply_event(object_type: str, object_id: str, before: Any, after: Any) -> None:
    """Apply one event's change to the tables."""
    model = apps.get_model(object_type)
    pk_name = model._meta.pk.attname
    if after is None:
        if isinstance(before, dict) and pk_name in before:
            model._base_manager.filter(pk=before[pk_name]).delete()
        return
    if not isinstance(after, dict):
        return
    if pk_name in after:
        pk = _upsert(model, after)
        if CHILDREN_KEY in after:
            _replace_children(model, pk, after[CHILDREN_KEY])
        many = [f for f in model._meta.many_to_many if f.name in after]
        if many:
            obj = model._base_manager.get(pk=pk)
            for field in many:
                getattr(obj, field.name).set(after[field.name])
    if BULK_KEY in after:
        _apply_bulk(model, object_id, after[BULK_KEY])


def reset_sequences(targets: Iterable[type[models.Model]]) -> None:
    """Point the tables' id sequences past the replayed ids (PostgreSQL; SQLite needs none)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(targets))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def table_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every domain table's rows, sorted, for comparing two states of the database. Personal
    fields read decrypted: a replayed import encrypts its phone numbers afresh (ADR 9). The
    ids of many-to-many rows are not data and are left out, as are EXCLUDED_FIELDS."""
    tables = {}
    for model in domain_models():
        fields = [f for f in model._meta.concrete_fields if f.name not in EXCLUDED_FIELDS]
        if model._meta.auto_created:
            fields = [f for f in fields if not f.primary_key]
        rows = model._base_manager.order_by().values_list(*[f.attname for f in fields])
        tables[model._meta.label] = sorted(rows, key=repr)
    return tables


def empty_domain_tables() -> None:
    """Delete every domain row in SQL, inside the caller's transaction. Foreign keys (from the
    log's actors, tokens) are checked at commit, by which time a replay has put the rows back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A bulk import earlier in the transaction may have made them immediate.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in domain_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def replay_differences(node_id: str) -> dict[str, tuple[int, int]]:
    """Check that a node's log rebuilds this database: in a transaction that is always rolled
    back, empty the domain tables, replay the chain and compare. Returns the tables that differ
    with their row counts (before, after); empty when the log is complete."""
    with transaction.atomic():
        original = table_rows()
        events = Event.objects.filter(node_id=node_id).order_by("sequence")
        empty_domain_tables()
        replay(events.iterator(chunk_size=500))
        rebuilt = table_rows()
        transaction.set_rollback(True)
    return {
        label: (len(original[label]), len(rebuilt.get(label, [])))
        for label in original
        if original[label] != rebuilt.get(label)
    }


@transaction.atomic
def replay(events: Iterable[Event]) -> int:
    """Apply events (one node's chain, in sequence order) to the domain tables; returns how
    many were applied."""
    count = 0
    for event in events:
        apply_event(event.object_type, event.object_id, event.before, event.after)
        count += 1
    reset_sequences(domain_models())
    return count
