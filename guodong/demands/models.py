"""Demands (需求), their lines, matchings with proposed allocations, missions (任务) and
handover receipts. Reservations live on the holdings (see Holding.quantity_reserved)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.crypto import EncryptedTextField, mask_phone
from guodong.core.models import ScopedModel, Visibility
from guodong.core.scope import PathField
from guodong.demands.choices import (
    AllocationState,
    DemandStatus,
    MissionStatus,
    Priority,
    Source,
    StalePolicy,
)
from guodong.registry.choices import CapabilityLevel, Readiness
from guodong.registry.models.catalogue import NameMatch


class Demand(ScopedModel):
    """A request for resources — what, how many, when, where — handled by one office."""

    scope_field: ClassVar[str] = "division_path"
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
    )
    owner_cap_percent = models.PositiveSmallIntegerField(
        _("cap per owner (%)"),
        null=True,
        blank=True,
        help_text=_("No owner provides more than this share of a type's demanded quantity."),
    )
    township_cap_percent = models.PositiveSmallIntegerField(
        _("cap per township (%)"),
        null=True,
        blank=True,
        help_text=_("No township provides more than this share of a type's demanded quantity."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    edxl_message_id = models.CharField(_("EDXL-RM message ID"), max_length=200, blank=True)
    # Lines of a received EDXL-RM message whose resource name matched nothing in the catalogue:
    # [{"element_id", "name", "quantity"}]; the rest of the message became the demand's lines.
    unresolved_lines = models.JSONField(_("unresolved lines"), default=list, blank=True)
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
                violation_error_message=_("A cap is a share between 1 and 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(township_cap_percent__isnull=True)
                | Q(township_cap_percent__gte=1, township_cap_percent__lte=100),
                name="demand_township_cap_percent",
                violation_error_message=_("A cap is a share between 1 and 100 %."),
            ),
        ]

    def __str__(self) -> str:
        marker = "【演练】" if self.is_exercise else ""
        return f"{marker}{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("demand_detail", args=[self.pk])

    # Events that name other units' holdings and missions: not for a unit's reporter.
    EVENTS_FOR_OFFICES: ClassVar[tuple[str, ...]] = (
        "demand.match",
        "demand.approve_matching",
        "demand.dispatch",
    )

    @classmethod
    def narrows_view(cls, user: Any) -> bool:
        return not user.has_role_perm("demands.view")

    @classmethod
    def visibility(cls, user: Any, action: str = "view") -> Visibility | None:
        """A member-unit reporter sees the demands that gave their unit a mission, wherever the
        demand is handled (restrict_for_role); everyone else by jurisdiction."""
        base = super().visibility(user, action)
        if base is not None and cls.narrows_view(user):
            return Visibility(base.path, anywhere=True)
        return base

    @classmethod
    def restrict_for_role(
        cls, queryset: models.QuerySet, user: Any, action: str
    ) -> models.QuerySet:
        if not cls.narrows_view(user):
            return queryset
        if user.organization_id is None:
            return queryset.none()
        return queryset.filter(
            pk__in=Mission.objects.filter(unit_id=user.organization_id).values("demand_id")
        )

    @classmethod
    def event_filter(cls, user: Any) -> Q:
        return super().event_filter(user) & ~Q(action__in=cls.EVENTS_FOR_OFFICES)

    def audit_scope_path(self) -> str:
        return self.division_path

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
    quantity = models.PositiveIntegerField(_("quantity"))
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


def attachment_path(instance: DemandAttachment, filename: str) -> str:
    return f"demands/{instance.demand_id}/{filename}"


class DemandAttachment(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
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


class MatchingRun(models.Model):
    """One computation of the optimal allocation for a demand's open quantities."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="matchings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    cost_m = models.BigIntegerField(_("total transport (unit-metres)"))
    rounds = models.PositiveSmallIntegerField(_("certificate rounds"))
    arcs = models.PositiveIntegerField(_("arcs solved"))
    candidates = models.PositiveIntegerField(_("candidate holdings"))
    elapsed_ms = models.FloatField(_("time taken (ms)"))
    # Per line id: {"unmet": n, "reason": str, "alternatives": [...], "excluded": {...},
    # "suggestions": [...]} — the explanation shown beside the allocation.
    explanation = models.JSONField(_("explanation"), default=dict)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    superseded = models.BooleanField(_("superseded"), default=False)

    class Meta:
        verbose_name = _("matching")
        verbose_name_plural = _("matchings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.demand.code} #{self.pk}"


class Mission(ScopedModel):
    """The tasks of one responsible unit for one demand (动员任务清单)."""

    scope_field: ClassVar[str] = "division_path"
    action_permissions: ClassVar[dict[str, str]] = {
        "change": "demands.process",
        "dispatch": "demands.process",
        "cancel": "demands.process",
        "return": "demands.process",
        "respond": "missions.respond",
    }
    RESPOND_ON_BEHALF: ClassVar[str] = "demands.process"
    unit_field: ClassVar[str] = "unit_id"
    own_rows_anywhere: ClassVar[bool] = True

    code = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="missions")
    unit = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missions",
    )
    owner_name = models.CharField(_("responsible party"), max_length=100)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    division_path = PathField(editable=False, db_index=True)
    is_exercise = models.BooleanField(_("exercise"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=MissionStatus.choices, default=MissionStatus.PENDING
    )
    report_by = models.DateTimeField(_("report by"))
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    progress_note = models.CharField(_("latest progress"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["report_by", "id"]

    def __str__(self) -> str:
        marker = "【演练】" if self.is_exercise else ""
        return f"{marker}{self.code} {self.owner_name}"

    def get_absolute_url(self) -> str:
        return reverse("mission_detail", args=[self.pk])

    @classmethod
    def permits(cls, user: Any, action: str) -> bool:
        if action == "respond" and user.has_role_perm(cls.RESPOND_ON_BEHALF):
            return True
        return super().permits(user, action)

    @classmethod
    def own_unit_only(cls, user: Any, action: str) -> bool:
        """A unit's reporter sees and answers only their own unit's missions — wherever the
        holdings they provide are kept (own_rows_anywhere)."""
        return not user.has_role_perm("demands.view")

    def audit_scope_path(self) -> str:
        return self.division_path

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class Allocation(models.Model):
    """A quantity of one holding for one demand line: proposed by a matching, then reserved,
    handed over and perhaps returned."""

    matching = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="allocations")
    line = models.ForeignKey(DemandLine, on_delete=models.PROTECT, related_name="allocations")
    holding = models.ForeignKey(
        "registry.Holding", on_delete=models.PROTECT, related_name="allocations"
    )
    mission = models.ForeignKey(
        Mission, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    stale = models.BooleanField(_("stale at matching"), default=False)
    # The holding's `updated_at` when matched: approving refuses a holding changed since.
    holding_version = models.DateTimeField()
    is_exercise = models.BooleanField(_("exercise"), default=False)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AllocationState.choices,
        default=AllocationState.PROPOSED,
    )
    handed_quantity = models.PositiveIntegerField(_("quantity handed over"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line", "distance_m", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handed_quantity__isnull=True)
                | Q(handed_quantity__lte=models.F("quantity")),
                name="allocation_handed_within_allocated",
                violation_error_message=_("More cannot be handed over than was allocated."),
            ),
        ]
        indexes = [models.Index(fields=["holding", "state"], name="allocation_holding_state")]

    def __str__(self) -> str:
        return f"{self.holding_id} → {self.line} × {self.quantity}"

    @property
    def distance_km(self) -> float:
        return round(self.distance_m / 1000, 1)


class Handover(models.Model):
    """The receipt of a mission's handover (交接): who received what, when, in what state."""

    mission = models.OneToOneField(Mission, on_delete=models.PROTECT, related_name="handover")
    received_by = models.CharField(_("received by"), max_length=100)
    received_at = models.DateTimeField(_("received at"))
    condition = models.CharField(_("condition"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("handover receipt")
        verbose_name_plural = _("handover receipts")

    def __str__(self) -> str:
        return f"{self.mission.code} · {self.received_by}"


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
    quantity = models.PositiveIntegerField(_("quantity kept back"))
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
        return self.division.path
