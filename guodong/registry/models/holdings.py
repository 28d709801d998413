"""Holdings (潜力条目): what exists, how much, where, in what condition, whom to ask."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.crypto import EncryptedTextField, mask_phone
from guodong.core.models import ScopedModel, ScopedQuerySet
from guodong.core.scope import PathField
from guodong.divisions.h3cells import cell_of
from guodong.divisions.models import Division
from guodong.registry.choices import (
    CatalogueLevel,
    Condition,
    Freshness,
    OwnerKind,
    Readiness,
    VerificationMethod,
)


class HoldingQuerySet(ScopedQuerySet["Holding"]):
    def visible_to(self, user: Actor, action: str = "view") -> HoldingQuerySet:
        """Merged duplicates are history, not potential: they leave every list and total."""
        return super().visible_to(user, action).filter(merged_into__isnull=True)


class Holding(ScopedModel):
    """A quantity of one resource type held by one owner at one place.

    `division_path` and `county` are copied from the division on save so that jurisdiction
    filters and county aggregations over a million rows need no join.
    """

    scope_field: ClassVar[str] = "division_path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "registry.change",
        "change": "registry.change",
        "delete": "registry.change",
    }
    OWN_PERMISSION: ClassVar[str] = "registry.confirm_own"
    # Holdings that agree on these are the same holding reported twice (duplicates, re-surveys).
    DUPLICATE_KEY: ClassVar[tuple[str, ...]] = ("owner_name", "type_id", "division_id")

    owner_kind = models.CharField(_("owner kind"), max_length=20, choices=OwnerKind.choices)
    owner = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holdings",
        db_index=False,  # served by holding_owner_type_place
    )
    owner_name = models.CharField(_("owner"), max_length=100, blank=True)
    type = models.ForeignKey(
        "registry.ResourceType",
        verbose_name=_("resource type"),
        on_delete=models.PROTECT,
        related_name="holdings",
        db_index=False,  # served by holding_type_path
    )
    # Copied from the type on save: no constraint of its own (the type's is enough), and the
    # (category, county) index serves every query on it. Fewer indexes and constraint triggers
    # make bulk imports faster.
    category = models.ForeignKey(
        "registry.ResourceType",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    quantity_total = models.DecimalField(_("total quantity"), max_digits=14, decimal_places=2)
    quantity_available = models.DecimalField(
        _("available quantity"), max_digits=14, decimal_places=2
    )
    # Booked by approved demand matchings (guodong.demands). A check constraint keeps real
    # reservations within the available quantity whatever the concurrency. Exercises book their
    # own ledger, checked when booked but never binding, so a drill never blocks a real mission.
    quantity_reserved = models.DecimalField(
        _("reserved quantity"), max_digits=14, decimal_places=2, default=0, db_default=0,
        editable=False,
    )  # fmt: skip
    quantity_reserved_exercise = models.DecimalField(
        _("reserved quantity (exercise)"), max_digits=14, decimal_places=2, default=0,
        db_default=0, editable=False,
    )  # fmt: skip
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    readiness = models.CharField(_("readiness"), max_length=10, choices=Readiness.choices)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="holdings",
        db_index=False,  # queries go by division_path; divisions are revoked, never deleted
    )
    division_path = PathField(editable=False)
    county = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,  # copied from the division, whose own key is constrained
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # H3 cell of the point at resolution 9, as an integer (see guodong.divisions.h3cells).
    h3_cell = models.BigIntegerField(_("H3 cell"), null=True, blank=True, editable=False)
    contact_name = models.CharField(_("requisition contact"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # users are deactivated, never deleted
    )
    verification_method = models.CharField(
        _("verification method"), max_length=20, choices=VerificationMethod.choices, blank=True
    )
    source_import = models.ForeignKey(
        "registry.ImportJob",
        verbose_name=_("imported from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holdings",
        editable=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HoldingQuerySet.as_manager()  # type: ignore[misc]  # narrows ScopedModel's

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_total__gte=0) & Q(quantity_available__gte=0),
                name="holding_quantities_not_negative",
                violation_error_message=_("Quantities cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(quantity_available__lte=F("quantity_total")),
                name="holding_available_within_total",
                violation_error_message=_("Available quantity cannot exceed the total."),
            ),
            models.CheckConstraint(
                condition=Q(quantity_reserved__gte=0)
                & Q(quantity_reserved__lte=F("quantity_available"))
                & Q(quantity_reserved_exercise__gte=0),
                name="holding_reserved_within_available",
                violation_error_message=_(
                    "Available quantity cannot fall below what missions have reserved."
                ),
            ),
            # Exercises never block real missions, but their own ledger is bounded the same way:
            # a drill cannot book more than the holding has.
            models.CheckConstraint(
                condition=Q(quantity_reserved_exercise__lte=F("quantity_available")),
                name="holding_exercise_reserved_within_available",
                violation_error_message=_(
                    "Available quantity cannot fall below what exercises have reserved."
                ),
            ),
        ]
        indexes = [
            # Covers the potential query's category x county totals (an index-only scan on
            # PostgreSQL; `include` is ignored elsewhere).
            models.Index(
                fields=["category", "county"],
                include=["quantity_available", "quantity_total", "division_path", "h3_cell"],
                condition=Q(merged_into__isnull=True),
                name="holding_potential_cover",
            ),
            models.Index(fields=["type", "division_path"], name="holding_type_path"),
            models.Index(fields=["owner", "type", "division"], name="holding_owner_type_place"),
            # A plain B-tree: jurisdiction filters are ranges, never LIKE (no pattern-ops copy).
            models.Index(fields=["division_path"], name="holding_division_path"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_name} · {self.type} × {Decimal(self.quantity_available).normalize():f}"

    def get_absolute_url(self) -> str:
        return reverse("holding_detail", args=[self.pk])

    unit_field: ClassVar[str] = "owner_id"

    @classmethod
    def permits(cls, user: Any, action: str) -> bool:
        return super().permits(user, action) or (
            action == "change" and user.has_role_perm(cls.OWN_PERMISSION)
        )

    @classmethod
    def own_unit_only(cls, user: Any, action: str) -> bool:
        """A member-unit reporter acts only on their own unit's holdings (and reads the area's)."""
        return action != "view" and not super().permits(user, action)

    def audit_scope_path(self) -> str:
        return str(self.division_path)

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def freshness_label(self) -> str:
        """Set when the queryset was annotated by `with_freshness`."""
        state = getattr(self, "freshness", None)
        return str(Freshness(state).label) if state else ""

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.type_id and self.type.level != CatalogueLevel.TYPE:
            errors["type"] = _("Choose a resource type, not a category or kind.")
        if self.type_id and self.type.retired_in is not None:
            errors["type"] = _("“{type}” has been retired from the catalogue.").format(
                type=self.type.name
            )
        if self.owner_kind != OwnerKind.PERSON and not self.owner_id:
            errors["owner"] = _("A unit-owned holding needs its owner unit.")
        if self.owner is not None and not self.owner_name:
            self.owner_name = self.owner.name
        if not self.owner_name:
            errors["owner_name"] = _("Name the person who holds it.")
        if (
            self.quantity_total is not None
            and self.quantity_available is not None
            and self.quantity_available > self.quantity_total
        ):
            errors["quantity_available"] = _("Available quantity cannot exceed the total.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A type always has its category (only categories' own is themselves).
        self.category_id = self.type.category_id  # type: ignore[assignment]
        self.division_path = self.division.path
        self.county_id = county_id_for(self.division)
        self.h3_cell = cell_of(self.latitude, self.longitude)
        if self.owner is not None and not self.owner_name:
            self.owner_name = self.owner.name
        super().save(*args, **kwargs)


def county_id_for(division: Division) -> int | None:
    """The county-level ancestor of one division (or the division itself)."""
    return Division.county_ids([division])[division.pk]
