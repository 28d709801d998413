"""Survey campaigns: opening them, and an assignee's submission."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.actors import Actor
from guodong.core.scope import is_within
from guodong.core.services import create_object, recording
from guodong.orgs.models import Organization
from guodong.registry.models import ResourceType, SurveyAssignment, SurveyCampaign
from guodong.registry.models.surveys import AssignmentStatus


@transaction.atomic
def open_campaign(
    acting_user: Actor,
    fields: dict[str, Any],
    *,
    categories: list[ResourceType],
    assignees: list[Organization],
) -> SurveyCampaign:
    """Open a survey of an area for some categories; each assignee must lie inside the area.
    The campaign's row is one event, its categories and assignees ("surveycampaign.assign",
    the assignments as child rows) the next."""
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
    with recording(acting_user, "surveycampaign.assign", campaign, save=False):
        campaign.categories.set(categories)
        SurveyAssignment.objects.bulk_create(
            SurveyAssignment(campaign=campaign, organization=o) for o in assignees
        )
    return campaign


def submit_assignment(
    acting_user: Actor, assignment: SurveyAssignment, *, rows_imported: int = 0
) -> SurveyAssignment:
    """Mark an assignee's part of a campaign as submitted (by the import that reported it, or
    by the demo). Runs inside the caller's transaction; the campaign's event carries its
    assignments."""
    campaign = SurveyCampaign.objects.select_for_update().get(pk=assignment.campaign_id)
    with recording(acting_user, "surveycampaign.submit", campaign, save=False):
        assignment.status, assignment.submitted_at = AssignmentStatus.SUBMITTED, timezone.now()
        assignment.rows_imported = rows_imported
        assignment.save(update_fields=["status", "submitted_at", "rows_imported"])
    return assignment
