"""How the event log names what happened, in the user's language.

An action is recorded as "<model>.<verb>" ("demand.approve_matching"); the log shows it as
"<the model's verbose name>：<the verb>" (需求：批准分配方案). The noun comes from the model, the
verb from the one table below, so a new app's actions get labels by adding its verbs here
(`guodong/core/tests/test_action_labels.py` fails for any action the code can record whose
verb is missing). Commands and jobs act as "system:<task>" (SystemActor) and show as
系统（载入演示数据）.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

# Every verb an event can carry. Shared verbs (create, verify) read right for every model.
VERBS: dict[str, Promise] = {
    "acknowledge": pgettext_lazy("event action", "acknowledge"),
    "analyse": pgettext_lazy("event action", "analyse"),
    "approve": pgettext_lazy("event action", "approve"),
    "approve_matching": pgettext_lazy("event action", "approve the allocation"),
    "assign": pgettext_lazy("event action", "assign"),
    "attach": pgettext_lazy("event action", "attach a file"),
    "cancel": pgettext_lazy("event action", "cancel"),
    "close": pgettext_lazy("event action", "close"),
    "commit": pgettext_lazy("event action", "commit the import"),
    "create": pgettext_lazy("event action", "create"),
    "decline": pgettext_lazy("event action", "decline"),
    "delete": pgettext_lazy("event action", "delete"),
    "demo_load": pgettext_lazy("event action", "load the demo data"),
    "discard": pgettext_lazy("event action", "discard"),
    "dispatch": pgettext_lazy("event action", "dispatch"),
    "fail": pgettext_lazy("event action", "fail"),
    "handover": pgettext_lazy("event action", "hand over"),
    "issue_token": pgettext_lazy("event action", "issue an API token"),
    "merge": pgettext_lazy("event action", "merge a duplicate"),
    "progress": pgettext_lazy("event action", "report progress"),
    "qualify": pgettext_lazy("event action", "record a qualification"),
    "queue": pgettext_lazy("event action", "queue for processing"),
    "record": pgettext_lazy("event action", "record the result"),
    "reject": pgettext_lazy("event action", "reject"),
    "release": pgettext_lazy("event action", "release the reservation"),
    "requisition": pgettext_lazy("event action", "requisition"),
    "reserve": pgettext_lazy("event action", "reserve"),
    "return": pgettext_lazy("event action", "return"),
    "reveal": pgettext_lazy("event action", "view personal data in clear"),
    "revoke": pgettext_lazy("event action", "revoke"),
    "self_report": pgettext_lazy("event action", "self-report"),
    "set_password": pgettext_lazy("event action", "set the password"),
    "submit": pgettext_lazy("event action", "submit"),
    "supersede": pgettext_lazy("event action", "supersede"),
    "update": pgettext_lazy("event action", "update"),
    "upload": pgettext_lazy("event action", "upload"),
    "verify": pgettext_lazy("event action", "verify on site"),
}

# The commands and jobs that act as SystemActor("<task>").
SYSTEM_TASKS: dict[str, Promise] = {
    "load_demo": pgettext_lazy("system task", "loading the demo data"),
    "load_divisions": pgettext_lazy("system task", "loading the divisions"),
    "load_villages": pgettext_lazy("system task", "loading the villages"),
    "bench": pgettext_lazy("system task", "benchmark"),
    "tests": pgettext_lazy("system task", "tests"),
}
SYSTEM_PREFIX = "system:"


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {model._meta.model_name or "": model for model in apps.get_models()}


def _model(name: str) -> type[models.Model] | None:
    """A model by "app.model" (an event's object_type) or by its bare model_name."""
    if "." in name:
        try:
            return apps.get_model(name)
        except (LookupError, ValueError):
            return None
    return _models_by_name().get(name)


def model_label(object_type: str) -> str:
    """A model's Chinese name by "app.model"; the code itself for a model no longer installed."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def action_label(action: str, object_type: str = "") -> str:
    """ "需求：批准分配方案" for "demand.approve_matching". The noun is the action's own model
    ("holding.demo_load" is recorded on a division but is about holdings), else the object's."""
    prefix, _dot, verb = action.rpartition(".")
    model = _model(prefix) or _model(object_type)
    noun = str(model._meta.verbose_name) if model is not None else prefix or object_type
    return _("{model}: {verb}").format(model=noun, verb=VERBS.get(verb, verb))


def actor_label(actor_name: str) -> str:
    """A user's name as it is; "system:load_demo" as 系统（载入演示数据）."""
    if not actor_name.startswith(SYSTEM_PREFIX):
        return actor_name
    task = actor_name.removeprefix(SYSTEM_PREFIX)
    return _("System ({task})").format(task=SYSTEM_TASKS.get(task, task))


# Keys an event's data holds besides the model's own fields.
EXTRA_KEYS: dict[str, Promise] = {
    "_children": pgettext_lazy("event field", "rows it holds"),
    "_bulk": pgettext_lazy("event field", "rows written at once"),
    "division_path": pgettext_lazy("event field", "division path"),
    "id_number_index": pgettext_lazy("event field", "ID number search index"),
    "revealed": pgettext_lazy("event field", "fields shown in clear"),
    "token_sha256": pgettext_lazy("event field", "token digest (SHA-256)"),
    "created": pgettext_lazy("event field", "created"),
    "renamed": pgettext_lazy("event field", "renamed"),
    "revoked": pgettext_lazy("event field", "revoked"),
    "skipped": pgettext_lazy("event field", "skipped"),
    "handler": pgettext_lazy("event field", "handled by"),
    "loader": pgettext_lazy("event field", "loader"),
    "file": pgettext_lazy("event field", "file"),
    "prefix": pgettext_lazy("event field", "division code prefix"),
    "strict": pgettext_lazy("event field", "strict check"),
    "types_created": pgettext_lazy("event field", "types created"),
    "synonyms_set": pgettext_lazy("event field", "synonyms set"),
}


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return field if isinstance(field, models.Field) else None
    return None


def _field_label(model: type[models.Model] | None, key: str) -> str:
    if key in EXTRA_KEYS:
        return str(EXTRA_KEYS[key])
    field = _field(model, key)
    if field is None:
        return key
    # A field declared without a (translated) verbose name: a relation reads as its model.
    if not isinstance(field.verbose_name, Promise) and isinstance(field.related_model, type):
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def _rows(count: int) -> str:
    return ngettext("{count} row", "{count} rows", count).format(count=count)


def _value(model: type[models.Model] | None, key: str, value: Any) -> str:
    """A stored value as the pages show it: choice labels, 是/否, a count for child rows."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return _rows(len(value))
    if isinstance(value, dict):
        if key == "_bulk":  # a bulk payload: its rows, or what a loader read
            rows = value.get("rows")
            return _rows(len(rows)) if isinstance(rows, list) else str(EXTRA_KEYS["_bulk"])
        # Child rows by relation ("lines": [...]) as 需求明细：2 行.
        parts = []
        for name, rows in value.items():
            related = _field_or_relation_model(model, name)
            label = str(related._meta.verbose_name_plural) if related else name
            count = len(rows) if isinstance(rows, list | dict) else rows
            parts.append(f"{label}：{_rows(count) if isinstance(count, int) else count}")
        return "；".join(parts)
    field = _field(model, key)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _field_or_relation_model(
    model: type[models.Model] | None, name: str
) -> type[models.Model] | None:
    if model is None:
        return None
    try:
        related = model._meta.get_field(name).related_model
    except FieldDoesNotExist:
        return None
    return related if isinstance(related, type) else None


def readable_changes(
    action: str, object_type: str, before: dict[str, Any], after: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(field's Chinese name, before, after) for each key whose value changed."""
    prefix = action.rpartition(".")[0]
    model = _model(prefix) or _model(object_type)
    keys = sorted(set(before) | set(after))
    return [
        (
            _field_label(model, key),
            _value(model, key, before.get(key)),
            _value(model, key, after.get(key)),
        )
        for key in keys
        if before.get(key) != after.get(key)
    ]
