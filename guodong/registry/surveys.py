"""What a survey campaign's page shows: who is late, what changed (writes: services/surveys.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from guodong.registry.models import Holding, ResourceType, SurveyAssignment, SurveyCampaign
from guodong.registry.models.surveys import AssignmentStatus


@dataclass
class CategoryChange:
    category: ResourceType
    now: Decimal
    before: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        return None if self.before is None else self.now - self.before


def assignment_rows(campaign: SurveyCampaign) -> list[tuple[SurveyAssignment, bool]]:
    """Each assignee with whether they are late."""
    today = timezone.localdate()
    rows = campaign.assignments.select_related("organization").order_by(
        "status", "organization__name"
    )
    return [(a, a.status == AssignmentStatus.PENDING and campaign.deadline < today) for a in rows]


def _totals(campaign: SurveyCampaign) -> dict[int, Decimal]:
    """What the campaign's imports reported: their holdings, including those a later survey has
    since replaced, but not duplicates merged within the campaign itself."""
    rows = (
        Holding.objects.filter(source_import__assignment__campaign=campaign)
        .exclude(merged_into__source_import__assignment__campaign=campaign)
        .order_by()
        .values("category_id")
        .annotate(total=Sum("quantity_total"))
    )
    return {r["category_id"]: r["total"] for r in rows}


def changes_since_last(campaign: SurveyCampaign) -> list[CategoryChange]:
    """Totals reported in this campaign beside the previous campaign of the same area."""
    previous = (
        SurveyCampaign.objects.filter(
            division=campaign.division, created_at__lt=campaign.created_at
        )
        .order_by("-created_at")
        .first()
    )
    now, before = _totals(campaign), _totals(previous) if previous else {}
    return [
        CategoryChange(c, now.get(c.pk, Decimal(0)), before.get(c.pk) if previous else None)
        for c in campaign.categories.order_by("path")
    ]
