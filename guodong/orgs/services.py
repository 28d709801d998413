"""Write path for organizations and duty lists."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guodong.core.actors import Actor
from guodong.core.services import create_object, delete_object, update_object
from guodong.orgs.models import DutyItem, Organization


@transaction.atomic
def create_organization(acting_user: Actor, fields: dict[str, Any]) -> Organization:
    return create_object(acting_user, Organization, fields)


@transaction.atomic
def update_organization(
    acting_user: Actor, organization: Organization, fields: dict[str, Any]
) -> Organization:
    return update_object(acting_user, organization, fields)


@transaction.atomic
def add_duty(acting_user: Actor, fields: dict[str, Any]) -> DutyItem:
    """Add an item to a unit's duty list (office staff, or the unit's own reporter)."""
    return create_object(
        acting_user, DutyItem, fields, scope_field="organization", scope_action="change"
    )


@transaction.atomic
def update_duty(acting_user: Actor, duty: DutyItem, fields: dict[str, Any]) -> DutyItem:
    return update_object(acting_user, duty, fields, scope_field="organization")


@transaction.atomic
def remove_duty(acting_user: Actor, duty: DutyItem) -> None:
    delete_object(acting_user, duty)
