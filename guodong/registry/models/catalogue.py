"""The resource catalogue: category → kind → type, after the NIMS resource typing pattern."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.models import ScopedModel
from guodong.core.scope import PathField
from guodong.divisions.choices import DivisionLevel
from guodong.registry.choices import CapabilityLevel, CatalogueLevel

URN_PREFIX = "urn:guodong:resource-type:"


class NameMatch(models.TextChoices):
    """How a resource name written by someone else was found in the catalogue."""

    URN = "urn", _("URN or code")
    NAME = "name", _("exact name")
    SYNONYM = "synonym", _("synonym of a type")
    KIND = "kind", _("generic name of a kind")
    NEAR = "near", _("near spelling")


class CatalogueVersion(models.Model):
    """Each change to the catalogue makes a new version; types record where they came and went."""

    number = models.PositiveIntegerField(_("version"), primary_key=True)
    note = models.CharField(_("note"), max_length=200)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number} {self.note}"


class ResourceType(ScopedModel):
    """A node of the catalogue. Leaves (types) carry the unit, metrics and capability level;
    categories carry the freshness period of everything below them."""

    scope_field: ClassVar[str | None] = None
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "catalogue.change",
        "change": "catalogue.change",
    }

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=CatalogueLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    category = models.ForeignKey(
        "self",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    path = PathField(_("path"), max_length=100, db_index=True, editable=False)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    capability_level = models.PositiveSmallIntegerField(
        _("capability level"), choices=CapabilityLevel.choices, null=True, blank=True
    )
    # [{"key": "load_t", "name": "载重吨", "unit": "吨"}, ...]
    metrics = models.JSONField(_("metrics"), default=list, blank=True)
    freshness_days = models.PositiveIntegerField(
        _("freshness period (days)"), null=True, blank=True
    )
    # Other names people write for this node ("帐篷", "发电机组"): intake resolves them to the
    # type, or, on a kind, to every type of the kind as acceptable substitutes.
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    introduced_in = models.PositiveIntegerField(_("introduced in version"), default=1)
    retired_in = models.PositiveIntegerField(_("retired in version"), null=True, blank=True)

    class Meta:
        verbose_name = _("resource type")
        verbose_name_plural = _("resource types")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resourcetype_detail", args=[self.pk])

    @classmethod
    def permits(cls, user: Any, action: str) -> bool:
        """The catalogue is administered centrally: city level or above."""
        if not super().permits(user, action):
            return False
        if user.is_superuser:
            return True
        return bool(user.organization_id) and user.organization.division.level <= DivisionLevel.CITY

    def audit_scope_path(self) -> str:
        return ""

    @property
    def urn(self) -> str:
        """Stable identifier usable as an EDXL-RM TypeStructure value."""
        return URN_PREFIX + self.code.lower()

    @property
    def indented_name(self) -> str:
        return "　" * (self.level - 1) + self.name

    @property
    def synonym_list(self) -> str:
        return "、".join(self.synonyms)

    @property
    def in_force(self) -> bool:
        return self.retired_in is None
