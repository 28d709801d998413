"""Facilities: civil air-defence works, air-raid sirens and reserve warehouses."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.models import ScopedModel
from guodong.core.scope import PathField


class FacilityStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    MAINTENANCE = "maintenance", _("Under maintenance")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class WorkKind(models.TextChoices):
    COMMAND = "command", _("Command works")
    MEDICAL = "medical", _("Medical rescue works")
    UNIT = "unit", _("Professional team works")
    SHELTER = "shelter", _("Personnel shelter")
    SUPPORT = "support", _("Supporting works")


class SirenKind(models.TextChoices):
    ELECTRONIC = "electronic", _("Electro-acoustic")
    MOTOR = "motor", _("Motor-driven")
    MOBILE = "mobile", _("Vehicle-mounted")


class WarehouseKind(models.TextChoices):
    GENERAL = "general", _("General")
    COLD = "cold", _("Cold storage")
    HAZARDOUS = "hazardous", _("Hazardous goods")


class Facility(ScopedModel):
    """Fields every facility has: where it is and who manages it."""

    scope_field: ClassVar[str] = "division_path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "registry.change",
        "change": "registry.change",
    }
    url_name: ClassVar[str] = ""

    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_path = PathField(db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    managing_unit = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("managing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FacilityStatus.choices,
        default=FacilityStatus.IN_SERVICE,
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.pk])

    def audit_scope_path(self) -> str:
        return str(self.division_path)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.division_path = self.division.path
        super().save(*args, **kwargs)


class CivilDefenceWork(Facility):
    """人防工程."""

    url_name: ClassVar[str] = "civildefencework_detail"
    kind = models.CharField(_("kind"), max_length=20, choices=WorkKind.choices)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=12, decimal_places=1, validators=[MinValueValidator(0)]
    )
    capacity_persons = models.PositiveIntegerField(_("protected capacity (persons)"))

    class Meta:
        verbose_name = _("civil air-defence work")
        verbose_name_plural = _("civil air-defence works")
        ordering = ["division_path", "name"]


class Siren(Facility):
    """防空警报器."""

    url_name: ClassVar[str] = "siren_detail"
    kind = models.CharField(_("kind"), max_length=20, choices=SirenKind.choices)
    model_name = models.CharField(_("model"), max_length=50)
    last_tested_at = models.DateField(_("last tested"), null=True, blank=True)

    class Meta:
        verbose_name = _("air-raid siren")
        verbose_name_plural = _("air-raid sirens")
        ordering = ["division_path", "name"]


class Warehouse(Facility):
    """储备库."""

    url_name: ClassVar[str] = "warehouse_detail"
    kind = models.CharField(_("kind"), max_length=20, choices=WarehouseKind.choices)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=12, decimal_places=1, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("reserve warehouse")
        verbose_name_plural = _("reserve warehouses")
        ordering = ["division_path", "name"]
