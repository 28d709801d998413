"""Framework models: scoped querysets for every domain model, and the append-only event log."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.scope import PathField, within

VIEW = "view"
ACTION_VERBS = {
    "create": _("create"),
    "update": _("update"),
    "delete": _("delete"),
    "revoke": _("revoke"),
    "set_password": _("set password"),
}


class ScopedQuerySet(models.QuerySet):
    """The one visibility rule (after NetBox's RestrictedQuerySet.restrict).

    A user sees rows whose scope path lies inside their jurisdiction, and may act on them only
    when their role grants the permission the model names for that action.
    """

    def visible_to(self, user: Any, action: str = VIEW) -> Self:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action != VIEW and not self.model.permits(user, action):
            return self.none()
        jurisdiction = user.jurisdiction_path
        if jurisdiction is None:
            return self.none()
        scope_field = self.model.scope_field
        queryset = (
            self.filter(within(scope_field, jurisdiction)) if jurisdiction and scope_field else self
        )
        return self.model.restrict_for_role(queryset, user, action)


class ScopedModel(models.Model):
    """Base of every domain model that lives inside a jurisdiction."""

    # Path of the division subtree this row belongs to, as a lookup from this model; None for
    # reference data every signed-in user reads (the resource catalogue).
    scope_field: ClassVar[str | None] = "division__path"
    # Role permission needed per non-view action.
    action_permissions: ClassVar[dict[str, str]] = {}

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def permits(cls, user: Any, action: str) -> bool:
        """Whether the user's role allows `action` on this model at all."""
        permission = cls.action_permissions.get(action)
        return permission is not None and user.has_role_perm(permission)

    @classmethod
    def restrict_for_role(
        cls, queryset: models.QuerySet, user: Any, action: str
    ) -> models.QuerySet:
        """Hook for rules narrower than the jurisdiction (e.g. a reporter's own unit)."""
        return queryset

    def audit_scope_path(self) -> str:
        """The division path recorded with this row's events, so history is scoped too."""
        raise NotImplementedError


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the event log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the event log is append-only")


class Event(models.Model):
    """One entry of the event log: audit trail and, later, the sync outbox.

    Entries form a hash chain per node: each stores the previous entry's hash and the SHA-256 of
    its own canonical JSON, so an edited, deleted or reordered entry is detected by `audit verify`.
    """

    scope_field: ClassVar[str] = "scope_path"
    action_permissions: ClassVar[dict[str, str]] = {}

    node_id = models.CharField(_("node"), max_length=64)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    scope_path = PathField(_("scope"), db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["node_id", "sequence"], name="event_node_sequence")
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="event_object")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the event log is append-only")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("event_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the event log is append-only")

    @classmethod
    def permits(cls, user: Any, action: str) -> bool:
        return False

    @classmethod
    def restrict_for_role(
        cls, queryset: models.QuerySet, user: Any, action: str
    ) -> models.QuerySet:
        return queryset

    @property
    def action_label(self) -> str:
        """For example "修改 · 组织机构" rather than "organization.update"."""
        verb = self.action.rsplit(".", 1)[-1]
        try:
            noun = apps.get_model(self.object_type)._meta.verbose_name
        except (LookupError, ValueError):
            noun = self.object_type
        return f"{ACTION_VERBS.get(verb, verb)} · {noun}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ChainHead(models.Model):
    """The last sequence and hash of a node's chain; locking it serializes appends."""

    node_id = models.CharField(max_length=64, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"{self.node_id}@{self.sequence}"
