"""Specialists (专业人才): people with skills, their qualifications, encrypted identity data."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.crypto import EncryptedTextField, blind_index, mask_id_number, mask_phone
from guodong.core.models import ScopedModel
from guodong.core.scope import PathField
from guodong.registry.choices import Availability, CapabilityLevel, CatalogueLevel
from guodong.registry.idcard import id_number_error


class Specialist(ScopedModel):
    """A person registered for their skills. ID number and phone are encrypted at rest; lists
    and exports show them masked; a reveal needs `registry.reveal_pii` and is logged."""

    scope_field: ClassVar[str] = "division_path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "registry.change",
        "change": "registry.change",
        "reveal": "registry.reveal_pii",
    }
    event_children: ClassVar[tuple[str, ...]] = ("qualifications",)

    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    employer = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="specialists",
    )
    employer_name = models.CharField(_("employer name"), max_length=100, blank=True)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="specialists",
    )
    division_path = PathField(db_index=True, editable=False)
    availability = models.CharField(
        _("availability"),
        max_length=20,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    notes = models.TextField(_("notes"), blank=True)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("specialist_detail", args=[self.pk])

    def audit_scope_path(self) -> str:
        return str(self.division_path)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def qualification_names(self) -> str:
        return "、".join(str(q) for q in self.qualifications.all())

    def clean(self) -> None:
        if self.id_number and (error := id_number_error(self.id_number)):
            raise ValidationError({"id_number": error})
        if self.id_number:
            taken = Specialist.objects.filter(id_number_index=blind_index(self.id_number))
            if taken.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"id_number": _("A specialist with this ID number is already registered.")}
                )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id_number = (self.id_number or "").strip().upper()
        self.id_number_index = blind_index(self.id_number)
        self.division_path = self.division.path
        if self.employer is not None and not self.employer_name:
            self.employer_name = self.employer.name
        super().save(*args, **kwargs)


class Qualification(models.Model):
    """A specialist's qualification: a human-resources type from the catalogue, with a level."""

    specialist = models.ForeignKey(
        Specialist,
        verbose_name=_("specialist"),
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    type = models.ForeignKey(
        "registry.ResourceType",
        verbose_name=_("qualification"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": CatalogueLevel.TYPE},
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=CapabilityLevel.choices, default=CapabilityLevel.THREE
    )

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "type"], name="qualification_once_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} ({self.get_level_display()})"
