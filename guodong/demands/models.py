"""Demands (需求) with their lines and attachments, and the reserve floors matching keeps back.

Matchings, missions, allocations and handover receipts live in `guodong.missions`, which builds
on this app; this app never imports it (DESIGN.md §3) and reaches a demand's missions through the
reverse relation only."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.models import ScopedModel, Visibility
from guodong.core.scope import PathField
from guodong.demands.choices import AttachmentPurpose, DemandStatus, Priority, Source, StalePolicy
from guodong.registry.choices import CapabilityLevel, Readiness
from guodong.registry.models.catalogue import NameMatch, ResourceType

# The largest count every integer column here holds on both databases (PostgreSQL `integer`):
# a larger value is a form or API error naming the field, never an overflow in the database.
MAX_QUANTITY = 2**31 - 1
_QS = TypeVar("_QS", bound="models.QuerySet[Any, Any]")
BOUNDED = [MaxValueValidator(MAX_QUANTITY)]
CAP_PERCENT = [MinValueValidator(1), MaxValueValidator(100)]


class Demand(ScopedModel):
    """A request for resources — what, how many, when, where — handled by one office."""

    scope_field: ClassVar[str] = "division_path"
    # A demand's events carry its lines and attachments: a submit event replays the whole demand.
    event_children: ClassVar[tuple[str, ...]] = ("lines", "attachments")
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "demands.submit",
        "cancel": "demands.submit",
        "change": "demands.process",
        "analyse": "demands.process",
        "verify": "demands.verify",
        "approve": "demands.approve",
        "match": "demands.process",
        "dispatch": "demands.process",
        "close": "demands.process",
        "reject": "demands.process",
    }

    code = models.CharField(_("number"), max_length=30, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    requester = models.CharField(_("requester"), max_length=100)
    requester_contact = models.CharField(_("requester contact"), max_length=100, blank=True)
    incident = models.CharField(_("incident or exercise"), max_length=200, blank=True)
    is_exercise = models.BooleanField(
        _("exercise"),
        default=False,
        help_text=_("Exercises match real data but reserve in their own ledger."),
    )
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("handling jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    division_path = PathField(editable=False, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DemandStatus.choices, default=DemandStatus.RECEIVED
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    stale_policy = models.CharField(
        _("stale holdings"),
        max_length=10,
        choices=StalePolicy.choices,
        default=StalePolicy.PENALIZE,
    )
    stale_penalty_km = models.PositiveIntegerField(
        _("stale penalty (km)"),
        default=50,
        help_text=_("A stale holding is used only when it is this much nearer than a fresh one."),
        validators=BOUNDED,
    )
    owner_cap_percent = models.PositiveSmallIntegerField(
        _("cap per owner (%)"),
        null=True,
        blank=True,
        help_text=_("No owner provides more than this share of a type's demanded quantity."),
        validators=CAP_PERCENT,
    )
    township_cap_percent = models.PositiveSmallIntegerField(
        _("cap per township (%)"),
        null=True,
        blank=True,
        help_text=_("No township provides more than this share of a type's demanded quantity."),
        validators=CAP_PERCENT,
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    edxl_message_id = models.CharField(_("EDXL-RM message ID"), max_length=200, blank=True)
    # Lines of a received EDXL-RM message whose resource name matched nothing in the catalogue:
    # [{"element_id", "name", "quantity"}]; the rest of the message became the demand's lines.
    unresolved_lines = models.JSONField(_("unresolved lines"), default=list, blank=True)
    # What the steps found (需求分析, 现地核查): stored on the demand, so each step's event
    # carries them; on-site photos are attachments marked as such.
    analysis_notes = models.TextField(_("analysis notes"), blank=True)
    analysis_conclusion = models.CharField(_("analysis conclusion"), max_length=300, blank=True)
    site_findings = models.TextField(_("on-site findings"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_cap_percent__isnull=True)
                | Q(owner_cap_percent__gte=1, owner_cap_percent__lte=100),
                name="demand_owner_cap_percent",
                violation_error_message=_("A cap is a share between 1 and 100 percent."),
            ),
            models.CheckConstraint(
                condition=Q(township_cap_percent__isnull=True)
                | Q(township_cap_percent__gte=1, township_cap_percent__lte=100),
                name="demand_township_cap_percent",
                violation_error_message=_("A cap is a share between 1 and 100 percent."),
            ),
        ]

    def __str__(self) -> str:
        if self.is_exercise:
            return gettext("[exercise] {code} {title}").format(code=self.code, title=self.title)
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("demand_detail", args=[self.pk])

    # Events that name other units' holdings and missions: not for a unit's reporter.
    EVENTS_FOR_OFFICES: ClassVar[tuple[str, ...]] = ("demand.approve_matching", "demand.dispatch")

    @classmethod
    def narrows_view(cls, user: Actor) -> bool:
        return not user.has_role_perm("demands.view")

    @classmethod
    def visibility(cls, user: Actor, action: str = "view") -> Visibility | None:
        """A member-unit reporter sees the demands that gave their unit a mission, wherever the
        demand is handled (restrict_for_role); everyone else by jurisdiction."""
        base = super().visibility(user, action)
        if base is not None and cls.narrows_view(user):
            return Visibility(base.path, anywhere=True)
        return base

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        if not cls.narrows_view(user):
            return queryset
        if user.organization_id is None:
            return queryset.none()
        # Through the reverse relation of guodong.missions (which this app must not import).
        return queryset.filter(
            pk__in=cls.objects.filter(missions__unit_id=user.organization_id).values("pk")
        )

    @classmethod
    def event_filter(cls, user: Actor) -> Q:
        return super().event_filter(user) & ~Q(action__in=cls.EVENTS_FOR_OFFICES)

    def audit_scope_path(self) -> str:
        return str(self.division_path)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.division_path = self.division.path
        super().save(*args, **kwargs)


class DemandLine(models.Model):
    """One resource asked for: a type (or a kind with a minimum capability level), how many,
    where and by when."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField(_("line"))
    resource_type = models.ForeignKey(
        "registry.ResourceType",
        verbose_name=_("resource type or kind"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_capability = models.PositiveSmallIntegerField(
        _("minimum capability level"), choices=CapabilityLevel.choices, null=True, blank=True
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=BOUNDED)
    destination_division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("destination area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination = models.CharField(_("destination"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    report_by = models.DateTimeField(_("report by"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    readiness = models.CharField(
        _("ready within"), max_length=10, choices=Readiness.choices, default=Readiness.HOURS_72
    )
    substitutes_ok = models.BooleanField(_("substitutes acceptable"), default=False)
    requirements = models.TextField(_("special requirements"), blank=True)
    edxl_element_id = models.CharField(_("EDXL-RM element ID"), max_length=100, blank=True)
    # A name written by another office resolves to a type or to a set of acceptable types; the
    # line keeps the name as written, the candidates (type ids) and how they were found, so the
    # analyst confirms or narrows them at analysis.
    requested_name = models.CharField(_("name as written"), max_length=200, blank=True)
    candidate_types = models.JSONField(_("candidate types"), default=list, blank=True)
    name_match = models.CharField(
        _("name resolved by"), max_length=10, choices=NameMatch.choices, blank=True
    )

    class Meta:
        verbose_name = _("demand line")
        verbose_name_plural = _("demand lines")
        ordering = ["demand", "number"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "number"], name="demandline_number"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="demandline_quantity_positive",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.resource_type.name} × {self.quantity}"

    @property
    def candidates(self) -> list[ResourceType]:
        """The acceptable types the name as written resolved to, in catalogue order."""
        return list(ResourceType.objects.filter(pk__in=self.candidate_types).order_by("path"))


def attachment_path(instance: DemandAttachment, filename: str) -> str:
    return f"demands/{instance.demand_id}/{filename}"


class DemandAttachment(models.Model):
    """A file given with a demand (the order, a map) or a photo taken at the on-site check;
    served only to who may see the demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(
        _("purpose"),
        max_length=10,
        choices=AttachmentPurpose.choices,
        default=AttachmentPurpose.DEMAND,
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ReserveFloor(ScopedModel):
    """A quantity of one type a division keeps back: matching never draws it below the floor."""

    scope_field: ClassVar[str] = "division__path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "demands.process",
        "change": "demands.process",
        "delete": "demands.process",
    }

    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    resource_type = models.ForeignKey(
        "registry.ResourceType",
        verbose_name=_("resource type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.PositiveIntegerField(_("quantity kept back"), validators=BOUNDED)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reserve floor")
        verbose_name_plural = _("reserve floors")
        ordering = ["division__path", "resource_type__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "resource_type"], name="reservefloor_division_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division} · {self.resource_type} ≥ {self.quantity}"

    def get_absolute_url(self) -> str:
        return reverse("reservefloor_edit", args=[self.pk])

    def audit_scope_path(self) -> str:
        return str(self.division.path)
