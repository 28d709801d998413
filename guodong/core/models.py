"""Framework models: scoped querysets for every domain model, and the append-only event log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.actions import action_label, actor_label, model_label, readable_changes
from guodong.core.actors import Actor
from guodong.core.scope import PathField, within

VIEW = "view"


@dataclass(frozen=True)
class Visibility:
    """What a user may see of a model, as data: one definition read by querysets (`visible_to`)
    and by the columnar snapshot (`guodong.matching.snapshot.selection`), so the two cannot drift.

    `path` is the jurisdiction subtree ("" for everything). `unit_id`, when set, keeps only the
    rows of that unit (the model's `unit_field`). `anywhere` drops the jurisdiction: a member
    unit's own rows are its own wherever they lie (its tents kept in another county).
    """

    path: str
    unit_id: int | None = None
    anywhere: bool = False


_M = TypeVar("_M", bound=models.Model, covariant=True)
_QS = TypeVar("_QS", bound="models.QuerySet[Any, Any]")


class ScopedQuerySet(models.QuerySet[_M, _M]):
    """The one visibility rule (after NetBox's RestrictedQuerySet.restrict).

    A user sees rows whose scope path lies inside their jurisdiction, and may act on them only
    when their role grants the permission the model names for that action.
    """

    def visible_to(self, user: Actor, action: str = VIEW) -> Self:
        # Every model managed by this queryset mixes in ScopeRules (ScopedModel, Event); the
        # type system cannot say "a Model that is also ScopeRules", hence the cast.
        rules = cast("type[ScopeRules]", self.model)
        visibility = rules.visibility(user, action)
        if visibility is None:
            return self.none()
        queryset = self
        scope_field = rules.scope_field
        if visibility.path and scope_field and not visibility.anywhere:
            queryset = queryset.filter(within(scope_field, visibility.path))
        if visibility.unit_id is not None and rules.unit_field:
            queryset = queryset.filter(**{rules.unit_field: visibility.unit_id})
        return rules.restrict_for_role(queryset, user, action)


class ScopeRules:
    """The visibility rule of a model, as class methods (ScopedModel and the event log)."""

    # Path of the division subtree this row belongs to, as a lookup from this model; None for
    # reference data every signed-in user reads (the resource catalogue).
    scope_field: ClassVar[str | None] = "division__path"
    # The member unit a row belongs to, for roles that see or act on their own unit's rows only.
    unit_field: ClassVar[str | None] = None
    # Role permission needed per non-view action.
    action_permissions: ClassVar[dict[str, str]] = {}
    # Reverse relations whose rows are recorded inside this model's events (core.audit.snapshot):
    # child rows written with their parent (a demand's lines) have no events of their own.
    event_children: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def permits(cls, user: Actor, action: str) -> bool:
        """Whether the user's role allows `action` on this model at all."""
        permission = cls.action_permissions.get(action)
        return permission is not None and user.has_role_perm(permission)

    @classmethod
    def visibility(cls, user: Actor, action: str = VIEW) -> Visibility | None:
        """The rows `user` may see (or act on): None for none. Override `own_unit_only` for a
        role limited to its unit's rows, `restrict_for_role` for anything else."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        if action != VIEW and not cls.permits(user, action):
            return None
        jurisdiction = user.jurisdiction_path
        if jurisdiction is None:
            return None
        if cls.unit_field and cls.own_unit_only(user, action):
            if user.organization_id is None:
                return None
            return Visibility(
                jurisdiction, unit_id=user.organization_id, anywhere=cls.own_rows_anywhere
            )
        return Visibility(jurisdiction)

    # Whether a unit-limited user sees its rows outside its jurisdiction too.
    own_rows_anywhere: ClassVar[bool] = False

    @classmethod
    def own_unit_only(cls, user: Actor, action: str) -> bool:
        """Whether `user` sees (or acts on) only their own unit's rows of this model."""
        return False

    @classmethod
    def narrows_view(cls, user: Actor) -> bool:
        """Whether this user sees less than their jurisdiction's rows (their events too)."""
        return cls.own_unit_only(user, VIEW)

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        """Hook for rules narrower than the jurisdiction that are not a unit's own rows."""
        return queryset

    @classmethod
    def event_filter(cls, user: Actor) -> Q:
        """For a user whose view of this model is narrowed: which of its events they may read
        (those of the rows they see: an event is visible only to who may see its object)."""
        visible = cls.objects.visible_to(user).annotate(  # type: ignore[attr-defined]
            event_object_id=Cast("pk", models.CharField())
        )
        return Q(object_id__in=visible.values("event_object_id"))


class ScopedModel(ScopeRules, models.Model):
    """Base of every domain model that lives inside a jurisdiction."""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_scope_path(self) -> str:
        """The division path recorded with this row's events, so history is scoped too."""
        raise NotImplementedError


class AppendOnlyQuerySet(ScopedQuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the event log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the event log is append-only")


class Event(ScopeRules, models.Model):
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
    def permits(cls, user: Actor, action: str) -> bool:
        return False

    @staticmethod
    def _models_by_narrowing(user: Actor) -> tuple[list[type[ScopedModel]], list[str]]:
        """The domain models this user sees less of than their jurisdiction, and the labels of
        the others."""
        narrowed, open_types = [], []
        for model in apps.get_models():
            if issubclass(model, ScopedModel):
                if model.narrows_view(user):
                    narrowed.append(model)
                else:
                    open_types.append(f"{model._meta.app_label}.{model._meta.model_name}")
        return narrowed, open_types

    @classmethod
    def visibility(cls, user: Actor, action: str = VIEW) -> Visibility | None:
        base = super().visibility(user, action)
        if base is None or not cls._models_by_narrowing(user)[0]:
            return base
        # A unit's own rows may lie outside the jurisdiction: restrict_for_role scopes by row.
        return Visibility(base.path, anywhere=True)

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        """The events of objects the user may see. A user whose view of a model is narrowed (a
        reporter: their own unit's missions, wherever they are) reads only the events of the
        rows they see of it; other models' events by the jurisdiction."""
        narrowed, open_types = cls._models_by_narrowing(user)
        if not narrowed:
            return queryset
        rule = Q(object_type__in=open_types)
        if user.jurisdiction_path:
            rule &= within("scope_path", user.jurisdiction_path)
        for model in narrowed:
            label = f"{model._meta.app_label}.{model._meta.model_name}"
            rule |= Q(object_type=label) & model.event_filter(user)
        return queryset.filter(rule)

    @property
    def action_label(self) -> str:
        """For example "组织机构：修改" rather than "organization.update" (core/actions.py)."""
        return action_label(self.action, self.object_type)

    @property
    def object_type_label(self) -> str:
        """The Chinese name of the object's model ("需求" for "demands.demand")."""
        return model_label(self.object_type)

    @property
    def actor_label(self) -> str:
        """The user's name, or "系统（载入演示数据）" rather than "system:load_demo"."""
        return actor_label(self.actor_name)

    def changed_fields(self) -> list[tuple[str, str, str]]:
        """(field's name, before, after) as the pages show them: Chinese names, choice labels,
        是/否, a count for child rows, "—" for nothing."""
        return readable_changes(self.action, self.object_type, self.before or {}, self.after or {})


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
