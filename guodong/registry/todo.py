"""On-site verification tasks and survey returns on their assignees' to-do lists
(guodong.core.todo)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.todo import TodoItem, register
from guodong.registry.models import SurveyAssignment, VerificationTask
from guodong.registry.models.surveys import AssignmentStatus, CampaignStatus
from guodong.registry.models.verification import Outcome, TaskStatus


def _keeps_registry(user: Actor) -> bool:
    """Office staff keep the registry (assign tasks, open surveys): the to-dos below are the
    assignees', shown to an office user only when one is theirs."""
    return user.has_role_perm("registry.change")


def _open_tasks(user: Actor) -> QuerySet[VerificationTask]:
    # visible_to(…, "record") keeps only the tasks assigned to the user (restrict_for_role).
    return VerificationTask.objects.visible_to(user, "record").filter(status=TaskStatus.OPEN)


@register
class VerificationTodos:
    """The open verification tasks assigned to the user."""

    def applies(self, user: Actor) -> bool:
        if not user.has_role_perm("registry.verify"):
            return False
        return not _keeps_registry(user) or _open_tasks(user).exists()

    def items(self, user: Actor) -> list[TodoItem]:
        tasks: Any = _open_tasks(user).annotate(
            total=Count("items"), pending=Count("items", filter=Q(items__outcome=Outcome.PENDING))
        )
        return [
            TodoItem(
                kind=_("Verify on site"),
                title=task.title,
                url=task.get_absolute_url(),
                due=task.due_date,
                note=_("{done} of {total} checked").format(
                    done=task.total - task.pending, total=task.total
                ),
            )
            for task in tasks
        ]


def _pending_assignments(user: Actor) -> QuerySet[SurveyAssignment]:
    if user.organization_id is None:
        return SurveyAssignment.objects.none()
    return SurveyAssignment.objects.filter(
        organization_id=user.organization_id,
        status=AssignmentStatus.PENDING,
        campaign__status=CampaignStatus.OPEN,
    ).select_related("campaign")


@register
class SurveyTodos:
    """The open survey campaigns the user's unit has still to return."""

    def applies(self, user: Actor) -> bool:
        if user.organization_id is None:
            return False
        # Who reports for a unit (may import) always has the list; anyone else (a station's
        # grid worker, an office) when a survey awaits their organization.
        reports = user.has_role_perm("registry.import") and not _keeps_registry(user)
        return reports or _pending_assignments(user).exists()

    def items(self, user: Actor) -> list[TodoItem]:
        may_upload = user.has_role_perm("registry.import")
        return [
            TodoItem(
                kind=_("Return the survey"),
                title=assignment.campaign.name,
                # The upload page fills the campaign's categories in for the assignment.
                url=(
                    f"{reverse('import_upload')}?{urlencode({'assignment': assignment.pk})}"
                    if may_upload
                    else assignment.campaign.get_absolute_url()
                ),
                due=assignment.campaign.deadline,
            )
            for assignment in _pending_assignments(user)
        ]
