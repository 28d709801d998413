"""Users: one role, one organization, and the jurisdiction that follows from it."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, TypeVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.accounts.choices import ROLE_PERMISSIONS, Role
from guodong.core.actors import Actor
from guodong.core.models import ScopedModel, ScopedQuerySet

_QS = TypeVar("_QS", bound="models.QuerySet[Any, Any]")


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Django's user manager with `visible_to`."""


class User(AbstractUser, ScopedModel):
    """A person using Guodong. Their jurisdiction is their organization's division subtree.

    Only a platform superuser may exist without an organization (the database enforces it).
    """

    scope_field: ClassVar[str] = "organization__division__path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "accounts.manage",
        "change": "accounts.manage",
    }

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AUDITOR)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects = ScopedUserManager()  # type: ignore[misc]  # a manager, as AbstractUser's

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(organization__isnull=False),
                name="user_has_organization",
                violation_error_message=_("Every user belongs to an organization."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username

    @cached_property
    def jurisdiction_path(self) -> str | None:
        """ "" for a superuser (everything), the organization's division path, or None."""
        if self.is_superuser:
            return ""
        if self.organization is None:
            return None
        return str(self.organization.division.path)

    def get_absolute_url(self) -> str:
        return reverse("user_detail", args=[self.pk])

    def has_role_perm(self, permission: str) -> bool:
        if not self.is_active:
            return False
        return self.is_superuser or permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def audit_scope_path(self) -> str:
        return str(self.organization.division.path) if self.organization else ""

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        """An administrator manages the levels below and their own level's non-administrators;
        never themselves or a fellow administrator."""
        if action == "view" or user.is_superuser:
            return queryset
        peers = models.Q(role=Role.ADMIN, organization__division__path=user.jurisdiction_path)
        return queryset.exclude(pk=user.pk).exclude(peers)
