"""Helpers every app's services use: permission, validation, scope re-check and audit.

Each domain service is a typed function taking `acting_user`; it runs in one transaction and
calls `create_object` / `update_object` (or `record_event` directly) so that nothing is written
without a permission check, a scope check and an event-log entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from guodong.core.actors import Actor
from guodong.core.audit import record_event, snapshot
from guodong.core.models import ScopedModel

M = TypeVar("M", bound=ScopedModel)


@dataclass(frozen=True)
class SystemActor:
    """The acting user of a command or background job: every permission, no jurisdiction limit.

    Its writes go through the same services and are logged as "system:<name>".
    """

    name: str
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = True
    jurisdiction_path: str = ""
    organization_id: None = None
    pk: None = None

    def has_role_perm(self, permission: str) -> bool:
        return True

    def get_username(self) -> str:
        return f"system:{self.name}"


def require_permission(acting_user: Actor, permission: str) -> None:
    if not acting_user.is_authenticated or not acting_user.has_role_perm(permission):
        raise PermissionDenied(_("Your role may not perform this action."))


def ensure_in_scope(acting_user: Actor, obj: ScopedModel, field: str, action: str = "view") -> None:
    """Refuse (and so roll back) a write that leaves the object outside the writer's scope."""
    visible = type(obj).objects.visible_to(acting_user, action).filter(pk=obj.pk).exists()
    if not visible:
        raise ValidationError({field: _("This is outside your jurisdiction.")})


def lock_visible(acting_user: Actor, obj: M, action: str = "change") -> M:
    """The current row of `obj`, locked for this transaction, if the user may `action` it;
    otherwise PermissionDenied (a row outside the user's scope reads as not theirs to act on)."""
    model = type(obj)
    current = model.objects.visible_to(acting_user, action).select_for_update().filter(pk=obj.pk)
    locked = current.first()
    if locked is None:
        raise PermissionDenied(_("Your role may not perform this action."))
    return locked


@contextmanager
def recording(acting_user: Actor, action: str, obj: M, *, save: bool = True) -> Iterator[M]:
    """Snapshot `obj`, let the caller change it, save it and record the change as one event.

    The one shape of a service's change (inside the service's transaction)::

        demand = lock_visible(acting_user, demand, "analyse")
        with recording(acting_user, "demand.analyse", demand):
            demand.status = DemandStatus.ANALYSED

    `save=False` when the caller saves (or deletes) the row itself inside the block.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("recording() must run inside the service's transaction")
    before = snapshot(obj)
    yield obj
    if save:
        obj.save()
    record_event(acting_user, action, obj, before=before, after=snapshot(obj))


def _assign(obj: models.Model, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


@transaction.atomic
def create_object(
    acting_user: Actor,
    model: type[M],
    fields: Mapping[str, Any],
    *,
    scope_field: str = "division",
    action: str = "create",
    permission: str | None = None,
    scope_action: str = "view",
) -> M:
    """Validate, save and log a new row the user may add inside their jurisdiction.

    `scope_action` is what the user must be able to do to the new row once written ("view":
    it lies in their jurisdiction; "change": also within any narrower rule of their role).
    """
    if permission:
        require_permission(acting_user, permission)
    elif not (acting_user.is_authenticated and model.permits(acting_user, "add")):
        raise PermissionDenied(_("Your role may not perform this action."))
    obj = model()
    _assign(obj, fields)
    obj.full_clean()
    obj.save()
    ensure_in_scope(acting_user, obj, scope_field, scope_action)
    record_event(
        acting_user, f"{model._meta.model_name}.{action}", obj, before=None, after=snapshot(obj)
    )
    return obj


@transaction.atomic
def update_object(
    acting_user: Actor,
    obj: M,
    fields: Mapping[str, Any],
    *,
    scope_field: str = "division",
    action: str = "update",
) -> M:
    """Apply `fields` to an object the user may change, then validate, save and log it."""
    model = type(obj)
    locked = model.objects.visible_to(acting_user, "change").select_for_update().filter(pk=obj.pk)
    current = locked.first()
    if current is None:
        raise PermissionDenied(_("Your role may not perform this action."))
    before = snapshot(current)
    _assign(current, fields)
    current.full_clean()
    current.save()
    ensure_in_scope(acting_user, current, scope_field, "change")
    after = snapshot(current)
    if after != before:
        record_event(
            acting_user, f"{model._meta.model_name}.{action}", current, before=before, after=after
        )
    return current


@transaction.atomic
def delete_object(acting_user: Actor, obj: M) -> None:
    model = type(obj)
    current = (
        model.objects.visible_to(acting_user, "delete")
        .select_for_update()
        .filter(pk=obj.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied(_("Your role may not perform this action."))
    before = snapshot(current)
    record_event(
        acting_user, f"{model._meta.model_name}.delete", current, before=before, after=None
    )
    current.delete()
