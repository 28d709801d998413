"""Administrative divisions: province → city → county → township → village → grid."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.forms import Widget
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from guodong.core.models import ScopedModel
from guodong.core.scope import SEPARATOR, PathField, child_path
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.validation import ParentInfo, official_errors

GRID_LOCAL_CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")


def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin and initials, lower case, e.g. 大桥镇 → ("daqiaozhen", "dqz")."""
    syllables = [s.lower() for s in lazy_pinyin(name) if s.strip()]
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:60]


class Division(ScopedModel):
    """An administrative division with its official code and effective dates.

    Codes change from year to year and can be reused, so rows are keyed by id; a code is unique
    only among divisions in force. Revoked divisions stay, with `effective_to` set.
    """

    scope_field: ClassVar[str] = "path"
    action_permissions: ClassVar[dict[str, str]] = {
        "add": "divisions.change",
        "change": "divisions.change",
    }

    code = models.CharField(_("code"), max_length=40, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Materialized path of ids ("/1/22/333/"): the index behind every jurisdiction query.
    path = PathField(_("path"), db_index=True, editable=False)
    pinyin = models.CharField(_("pinyin"), max_length=200, db_index=True, editable=False)
    pinyin_initials = models.CharField(
        _("pinyin initials"), max_length=60, db_index=True, editable=False
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("revoked on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(effective_to__isnull=True),
                name="division_code_unique_in_force",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope_path(self) -> str:
        return str(self.path)

    @staticmethod
    def chooser_widget() -> Widget:
        """The widget of a generated filter on a division (core.filters): a type-ahead, since
        a jurisdiction holds up to tens of thousands of divisions."""
        from guodong.divisions.choosers import DivisionChooser  # the chooser imports this model

        return DivisionChooser()

    def get_absolute_url(self) -> str:
        return reverse("division_detail", args=[self.pk])

    @property
    def in_force(self) -> bool:
        return self.effective_to is None

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip(SEPARATOR).split(SEPARATOR) if part]

    def ancestors(self) -> models.QuerySet[Division]:
        """Ancestors from the province down, excluding self (one indexed query, no recursion)."""
        return Division.objects.filter(pk__in=self.ancestor_ids()[:-1]).order_by("level")

    def full_name(self) -> str:
        return "".join(d.name for d in self.ancestors()) + self.name

    @staticmethod
    def roll_up(areas: Iterable[Division], division_ids: Iterable[int]) -> dict[int, int]:
        """division id → the area (one of `areas`) whose subtree holds it; one query.

        Aggregates are grouped by division in SQL, then added up per area here: a few hundred
        groups, however many rows were aggregated.
        """
        prefixes = [(area.path, area.pk) for area in areas]
        paths = Division.objects.filter(pk__in=set(division_ids)).values_list("pk", "path")
        return {
            division_id: area_id
            for division_id, path in paths
            for prefix, area_id in prefixes
            if path.startswith(prefix)
        }

    @staticmethod
    def county_ids(divisions: Iterable[Division]) -> dict[int, int | None]:
        """division id → its county-level ancestor (or itself), read from the paths; one query."""
        divisions = list(divisions)
        ancestors = {a for d in divisions for a in d.ancestor_ids()}
        counties = set(
            Division.objects.filter(pk__in=ancestors, level=DivisionLevel.COUNTY).values_list(
                "pk", flat=True
            )
        )
        return {
            d.pk: None
            if d.level < DivisionLevel.COUNTY
            else next((a for a in d.ancestor_ids() if a in counties), None)
            for d in divisions
        }

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.level == DivisionLevel.GRID:
            self._clean_grid(errors)
        else:
            self._clean_official(errors)
        if "code" not in errors and self._code_taken():
            errors["code"] = _("A division in force already has code “{code}”.").format(
                code=self.code
            )
        if errors:
            raise ValidationError(errors)

    def _code_taken(self) -> bool:
        if self.effective_to is not None:
            return False
        same = Division.objects.filter(code=self.code, effective_to__isnull=True)
        return same.exclude(pk=self.pk).exists()

    def _parent_info(self) -> ParentInfo | None:
        parent = self.parent
        return ParentInfo(parent.code, parent.level, parent.name) if parent else None

    def _clean_official(self, errors: dict[str, Any]) -> None:
        errors.update(official_errors(self.code or "", self.level, self._parent_info()))

    def _clean_grid(self, errors: dict[str, Any]) -> None:
        parent = self.parent
        if parent is None or parent.level != DivisionLevel.VILLAGE:
            errors["parent"] = _("A grid must sit under a village or community.")
            return
        local = (self.code or "").removeprefix(f"{parent.code}-")
        if not GRID_LOCAL_CODE.match(local):
            errors["code"] = _(
                "Grid code “{code}” may only hold letters and digits (at most 20)."
            ).format(code=local)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pinyin, self.pinyin_initials = pinyin_of(self.name)
        super().save(*args, **kwargs)
        path = child_path(self.parent.path if self.parent else "", self.pk)
        if self.path != path:
            self.path = path
            Division.objects.filter(pk=self.pk).update(path=path)


class DivisionLoad(ScopedModel):
    """One run of a division loader: where the data came from and what it changed."""

    scope_field: ClassVar[str] = "scope_path"

    source = models.CharField(_("source"), max_length=200)
    data_as_of = models.DateField(_("data as of"), null=True, blank=True)
    scope_path = PathField(_("scope"), blank=True, editable=False)
    scope_name = models.CharField(_("area"), max_length=100)
    created = models.PositiveIntegerField(_("created"), default=0)
    renamed = models.PositiveIntegerField(_("renamed"), default=0)
    revoked = models.PositiveIntegerField(_("revoked"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("division load")
        verbose_name_plural = _("division loads")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.scope_name} · {self.source}"

    def audit_scope_path(self) -> str:
        return str(self.scope_path)
