"""Matchings with their proposed allocations, missions (任务) and handover receipts.

The tables were created by `guodong.demands` and keep their names (`db_table`): the models moved
here without touching the data (migrations 0001 of this app and 0004 of demands change only
Django's state). Reservations live on the holdings (Holding.quantity_reserved and, for exercises,
quantity_reserved_exercise).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.crypto import EncryptedTextField, mask_phone
from guodong.core.models import ScopedModel
from guodong.core.scope import PathField
from guodong.demands.models import BOUNDED, Demand, DemandLine
from guodong.missions.choices import AllocationState, MissionStatus

_QS = TypeVar("_QS", bound="models.QuerySet[Any, Any]")


class MatchingRun(ScopedModel):
    """One computation of the optimal allocation for a demand's open quantities, with its
    proposed allocations (its events carry them). It names every unit's holdings, so only the
    offices that see the whole demand see it (a unit's reporter does not)."""

    scope_field: ClassVar[str] = "demand__division_path"
    event_children: ClassVar[tuple[str, ...]] = ("allocations",)
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "demands.process",
        "approve": "demands.approve",
    }

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
        db_table = "demands_matchingrun"
        verbose_name = _("matching")
        verbose_name_plural = _("matchings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.demand.code} #{self.pk}"

    @classmethod
    def narrows_view(cls, user: Actor) -> bool:
        return Demand.narrows_view(user)

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        return queryset.none() if cls.narrows_view(user) else queryset

    def audit_scope_path(self) -> str:
        return str(self.demand.division_path)


class Mission(ScopedModel):
    """The tasks of one responsible unit for one demand (动员任务清单)."""

    scope_field: ClassVar[str] = "division_path"
    # A mission's events carry its items (allocations): their state, reservation and handover.
    event_children: ClassVar[tuple[str, ...]] = ("allocations",)
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
        db_table = "demands_mission"
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["report_by", "id"]

    def __str__(self) -> str:
        if self.is_exercise:
            return gettext("[exercise] {code} {title}").format(
                code=self.code, title=self.owner_name
            )
        return f"{self.code} {self.owner_name}"

    def get_absolute_url(self) -> str:
        return reverse("mission_detail", args=[self.pk])

    @classmethod
    def permits(cls, user: Actor, action: str) -> bool:
        if action == "respond" and user.has_role_perm(cls.RESPOND_ON_BEHALF):
            return True
        return super().permits(user, action)

    @classmethod
    def own_unit_only(cls, user: Actor, action: str) -> bool:
        """A unit's reporter sees and answers only their own unit's missions — wherever the
        holdings they provide are kept (own_rows_anywhere)."""
        return not user.has_role_perm("demands.view")

    def audit_scope_path(self) -> str:
        return str(self.division_path)

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
    quantity = models.PositiveIntegerField(_("quantity"), validators=BOUNDED)
    distance_m = models.PositiveIntegerField(_("distance (m)"), validators=BOUNDED)
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
    handed_quantity = models.PositiveIntegerField(
        _("quantity handed over"), null=True, blank=True, validators=BOUNDED
    )

    class Meta:
        db_table = "demands_allocation"
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


class Handover(ScopedModel):
    """The receipt of a mission's handover (交接): who received what, when, in what state.

    Seen by whoever sees its mission (the same jurisdiction and unit rule)."""

    scope_field: ClassVar[str] = "mission__division_path"
    unit_field: ClassVar[str] = "mission__unit_id"
    own_rows_anywhere: ClassVar[bool] = True

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
        db_table = "demands_handover"
        verbose_name = _("handover receipt")
        verbose_name_plural = _("handover receipts")

    def __str__(self) -> str:
        return f"{self.mission.code} · {self.received_by}"

    @classmethod
    def own_unit_only(cls, user: Actor, action: str) -> bool:
        return Mission.own_unit_only(user, action)

    def audit_scope_path(self) -> str:
        return str(self.mission.division_path)
