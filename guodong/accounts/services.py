"""Write path for users: created and changed by an administrator of the level above."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from guodong.accounts.models import User
from guodong.core.actors import Actor
from guodong.core.audit import record_event, snapshot
from guodong.core.services import create_object, update_object


def _check_organization(fields: dict[str, Any]) -> None:
    if "organization" in fields and fields["organization"] is None:
        raise ValidationError({"organization": _("Every user belongs to an organization.")})


@transaction.atomic
def create_user(acting_user: Actor, fields: dict[str, Any], *, password: str) -> User:
    """Create a user the administrator may manage; refused if it would fall outside that."""
    if not fields.get("organization"):
        raise ValidationError({"organization": _("Every user belongs to an organization.")})
    try:
        validate_password(password, User(**{k: v for k, v in fields.items() if k != "groups"}))
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    fields = {**fields, "password": make_password(password)}
    return create_object(
        acting_user, User, fields, scope_field="organization", scope_action="change"
    )


@transaction.atomic
def update_user(acting_user: Actor, user: User, fields: dict[str, Any]) -> User:
    _check_organization(fields)
    return update_object(acting_user, user, fields, scope_field="organization")


@transaction.atomic
def set_password(acting_user: Actor, user: User, password: str) -> User:
    """Reset a user's password; the log records that it changed, never the hash."""
    target: User = (
        User.objects.visible_to(acting_user, "change").select_for_update().get(pk=user.pk)
    )
    try:
        validate_password(password, target)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    target.set_password(password)
    target.save(update_fields=["password"])
    # The event says the password changed, never the hash (EXCLUDED_FIELDS): a replayed user
    # has no password until one is set again.
    record_event(acting_user, "user.set_password", target, before=None, after=snapshot(target))
    return target


@transaction.atomic
def issue_token(user: User) -> Token:
    """The user's API token, made on first request. Its issuance is an event holding the
    SHA-256 of the key, never the key: the log proves which token was issued when without
    letting its reader use it (a replay does not recreate tokens; users ask again)."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        record_event(
            user,
            "user.issue_token",
            user,
            before=None,
            after={
                "token_sha256": hashlib.sha256(token.key.encode()).hexdigest(),
                "created": token.created.isoformat(),
            },
        )
    return token
