"""Write path for divisions: grids by office staff, official divisions by administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guodong.core.actors import Actor
from guodong.core.audit import BULK_KEY, id_ranges, record_event, snapshot
from guodong.core.scope import within
from guodong.core.services import create_object, require_permission, update_object
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division

EDITABLE_FIELDS = {"name", "effective_from", "source"}


@transaction.atomic
def create_grid(acting_user: Actor, *, parent: Division, local_code: str, name: str) -> Division:
    """Add a grid (网格) under a village; its code is local, prefixed by the village code."""
    fields = {
        "parent": parent,
        "level": DivisionLevel.GRID,
        "code": f"{parent.code}-{local_code}",
        "name": name,
        "source": "local",
    }
    return create_object(
        acting_user, Division, fields, scope_field="parent", permission="divisions.add_grid"
    )


@transaction.atomic
def create_division(acting_user: Actor, fields: dict[str, Any]) -> Division:
    """Add an official division (an administrator correcting or extending the loaded data)."""
    if fields.get("level") == DivisionLevel.GRID:
        raise ValidationError({"level": _("Use “add grid” for grids.")})
    return create_object(acting_user, Division, fields, scope_field="parent")


@transaction.atomic
def update_division(acting_user: Actor, division: Division, fields: dict[str, Any]) -> Division:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed after creation.") for name in unknown}
        )
    return update_object(acting_user, division, fields, scope_field="name")


@transaction.atomic
def revoke_division(acting_user: Actor, division: Division, *, on: dt.date) -> int:
    """Revoke a division and everything below it; rows stay, with their end date."""
    require_permission(acting_user, "divisions.change")
    current = Division.objects.visible_to(acting_user, "change").filter(pk=division.pk).first()
    if current is None:
        raise ValidationError({"division": _("This is outside your jurisdiction.")})
    before = snapshot(current)
    subtree = Division.objects.filter(within("path", current.path), effective_to__isnull=True)
    ids = list(subtree.values_list("pk", flat=True))
    count = Division.objects.filter(pk__in=ids).update(effective_to=on) if ids else 0
    current.refresh_from_db()
    # The event names every division the revocation ended (as id runs), not only the root.
    bulk = {
        "model": "divisions.division",
        "ids": id_ranges(ids),
        "values": {"effective_to": on.isoformat()},
    }
    after = {**snapshot(current), BULK_KEY: bulk}
    record_event(acting_user, "division.revoke", current, before=before, after=after)
    return count
