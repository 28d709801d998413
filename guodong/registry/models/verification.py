"""On-site verification (现地核查): tasks of holdings for grid workers or staff to check."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.models import ScopedModel
from guodong.registry.choices import Condition

_QS = TypeVar("_QS", bound="models.QuerySet[Any, Any]")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CONFIRMED = "confirmed", _("Confirmed")
    ADJUSTED = "adjusted", _("Adjusted")
    NOT_FOUND = "not_found", _("Not found")


class VerificationTask(ScopedModel):
    """A batch of holdings one person must check on site."""

    scope_field: ClassVar[str] = "division__path"
    event_children: ClassVar[tuple[str, ...]] = ("items",)
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "registry.change",
        "change": "registry.change",
        "record": "registry.verify",
    }

    title = models.CharField(_("title"), max_length=100)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="verification_tasks",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification task")
        verbose_name_plural = _("verification tasks")
        ordering = ["status", "due_date", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("verificationtask_detail", args=[self.pk])

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        """Recording results is for the assignee only."""
        if action == "record":
            return queryset.filter(assignee=user)
        return queryset

    def audit_scope_path(self) -> str:
        return str(self.division.path)


class VerificationItem(models.Model):
    """One holding of a task and what the checker found."""

    task = models.ForeignKey(
        VerificationTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="items"
    )
    holding = models.ForeignKey(
        "registry.Holding", verbose_name=_("holding"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    found_total = models.DecimalField(
        _("total found"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    found_available = models.DecimalField(
        _("available found"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    found_condition = models.CharField(
        _("condition found"), max_length=10, choices=Condition.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    photo = models.FileField(_("photo"), upload_to="verification/%Y/%m/", blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification item")
        verbose_name_plural = _("verification items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "holding"], name="verification_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.holding_id}"
