"""Survey campaigns: opening them, and what their page shows (who is late, what changed)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.scope import is_within
from guodong.core.services import create_object
from guodong.orgs.models import Organization
from guodong.registry.models import Holding, ResourceType, SurveyAssignment, SurveyCampaign
from guodong.registry.models.surveys import AssignmentStatus


@transaction.atomic
def open_campaign(
    acting_user: Any,
    fields: dict[str, Any],
    *,
    categories: list[ResourceType],
    assignees: list[Organization],
) -> SurveyCampaign:
    if not categories:
        raise ValidationError({"categories": _("Choose at least one category.")})
    if not assignees:
        raise ValidationError({"assignees": _("Choose at least one assignee.")})
    division = fields["division"]
    outside = [o.name for o in assignees if not is_within(o.division.path, division.path)]
    if outside:
        raise ValidationError(
            {"assignees": _("Outside the survey area: {names}.").format(names="、".join(outside))}
        )
    if fields["deadline"] < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline is in the past.")})
    campaign = create_object(acting_user, SurveyCampaign, fields)
    campaign.categories.set(categories)
    SurveyAssignment.objects.bulk_create(
        SurveyAssignment(campaign=campaign, organization=o) for o in assignees
    )
    return campaign


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
