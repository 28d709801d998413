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

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

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
