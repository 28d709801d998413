"""Organizations of the mobilization system and their duty lists (职责清单)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.models import ScopedModel
from guodong.core.scope import is_within
from guodong.divisions.choices import DivisionLevel
from guodong.orgs.choices import ALLOWED_LEVELS, DutyCycle, OrganizationKind, UnitType

MAX_DEPTH = 32
# What a user edits on an organization, in the page form and through the API alike.
EDITABLE_FIELDS = [
    "name",
    "kind",
    "unit_type",
    "division",
    "parent",
    "address",
    "contact_name",
    "contact_phone",
    "is_active",
]


class Organization(ScopedModel):
    """A committee, office, member unit, armed forces department, station or liaison point.

    Each is tied to one division; its users' jurisdiction is that division's subtree. `parent`
    forms the organizational tree (a station reports to its district office, and so on).
    """

    action_permissions: ClassVar[dict[str, str]] = {
        "add": "orgs.change",
        "change": "orgs.change",
    }

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    unit_type = models.CharField(
        _("unit type"), max_length=20, choices=UnitType.choices, blank=True
    )
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["division__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"], name="organization_name_per_division"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope_path(self) -> str:
        return self.division.path

    def get_absolute_url(self) -> str:
        return reverse("organization_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.division_id:
            self._clean_level(errors)
        if self.kind == OrganizationKind.MEMBER_UNIT and not self.unit_type:
            errors["unit_type"] = _("A member unit needs a unit type.")
        if self.kind != OrganizationKind.MEMBER_UNIT and self.unit_type:
            errors["unit_type"] = _("Only member units have a unit type.")
        if self.parent_id:
            self._clean_parent(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_level(self, errors: dict[str, Any]) -> None:
        allowed = ALLOWED_LEVELS.get(self.kind, ())
        if self.kind and self.division.level not in allowed:
            errors["division"] = _(
                "A {kind} cannot be tied to a {level} (“{division}”); allowed: {allowed}."
            ).format(
                kind=OrganizationKind(self.kind).label,
                level=DivisionLevel(self.division.level).label,
                division=self.division.name,
                allowed="、".join(str(DivisionLevel(level).label) for level in allowed),
            )

    def _clean_parent(self, errors: dict[str, Any]) -> None:
        parent = self.parent
        assert parent is not None  # called only when parent_id is set
        if self._parent_chain_reaches_self():
            errors["parent"] = _(
                "“{parent}” is below this organization: that would be a cycle."
            ).format(parent=parent.name)
        elif self.division_id and not is_within(self.division.path, parent.division.path):
            errors["parent"] = _(
                "“{parent}” covers {parent_division}, which does not contain {division}."
            ).format(
                parent=parent.name,
                parent_division=parent.division.name,
                division=self.division.name,
            )

    def _parent_chain_reaches_self(self) -> bool:
        """Walk up from the proposed parent; the chain is short (levels), never a subtree scan."""
        if self.pk is None:
            return False
        current_id, seen = self.parent_id, 0
        while current_id is not None and seen < MAX_DEPTH:
            if current_id == self.pk:
                return True
            current_id = (
                Organization.objects.filter(pk=current_id)
                .values_list("parent_id", flat=True)
                .first()
            )
            seen += 1
        return current_id is not None


class DutyItem(ScopedModel):
    """One item of a unit's duty list: what it must do, and how often."""

    scope_field: ClassVar[str] = "organization__division__path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "orgs.change_duties",
        "change": "orgs.change_duties",
        "delete": "orgs.change_duties",
    }
    OWN_PERMISSION: ClassVar[str] = "orgs.change_own_duties"

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="duties",
    )
    title = models.CharField(_("duty"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    cycle = models.CharField(_("cycle"), max_length=20, choices=DutyCycle.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("duty item")
        verbose_name_plural = _("duty items")
        ordering = ["organization", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_scope_path(self) -> str:
        return self.organization.division.path

    def get_absolute_url(self) -> str:
        return reverse("organization_detail", args=[self.organization_id])

    unit_field: ClassVar[str] = "organization_id"

    @classmethod
    def permits(cls, user: Any, action: str) -> bool:
        return super().permits(user, action) or (
            action in cls.action_permissions and user.has_role_perm(cls.OWN_PERMISSION)
        )

    @classmethod
    def own_unit_only(cls, user: Any, action: str) -> bool:
        """A reporter edits only their own unit's duty list (and reads the area's)."""
        return action != "view" and not super().permits(user, action)
