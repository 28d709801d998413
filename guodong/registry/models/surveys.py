"""Survey campaigns (潜力调查), their assignees, and file imports."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.models import ScopedModel
from guodong.core.scope import PathField

_QS = TypeVar("_QS", bound="models.QuerySet[Any, Any]")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyCampaign(ScopedModel):
    """An office's survey of its area for some categories, with a deadline."""

    scope_field: ClassVar[str] = "division__path"
    event_children: ClassVar[tuple[str, ...]] = ("assignments",)
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "registry.change",
        "change": "registry.change",
    }

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(
        "registry.ResourceType", verbose_name=_("categories"), related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign_detail", args=[self.pk])

    def audit_scope_path(self) -> str:
        return str(self.division.path)


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")


class SurveyAssignment(models.Model):
    """One assignee (member unit or station) of a campaign."""

    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="survey_assignments",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)

    class Meta:
        verbose_name = _("survey assignment")
        verbose_name_plural = _("survey assignments")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organization}"


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", _("Validating")
    VALIDATED = "validated", _("Checked, waiting for your decision")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class ImportJob(ScopedModel):
    """An uploaded file: checked row by row, then committed (all valid rows) or discarded."""

    scope_field: ClassVar[str] = "scope_path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "registry.import",
        "change": "registry.import",
    }

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope_path = PathField(db_index=True, editable=False)
    assignment = models.ForeignKey(
        SurveyAssignment,
        verbose_name=_("survey assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imports",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    # The uploader's interface language: the row report is written in it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    # Valid rows naming the owner, type and place of a holding already registered (a re-survey),
    # whether the user chose to let them replace those holdings, and how many were replaced.
    repeated_rows = models.PositiveIntegerField(_("rows already registered"), default=0)
    replace_older = models.BooleanField(_("replace older holdings"), default=True)
    replaced_holdings = models.PositiveIntegerField(_("holdings replaced"), default=0)
    # The first errors, each {"row", "column", "value", "reason"}; the full list is in the report.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("import_detail", args=[self.pk])

    @classmethod
    def narrows_view(cls, user: Any) -> bool:
        return not user.has_role_perm("registry.change")

    @classmethod
    def restrict_for_role(cls, queryset: _QS, user: Actor, action: str) -> _QS:
        """Office staff see every import in their area; others only their own uploads."""
        if user.has_role_perm("registry.change"):
            return queryset
        return queryset.filter(uploaded_by=user)

    def audit_scope_path(self) -> str:
        return str(self.scope_path)
