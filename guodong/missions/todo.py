"""A member unit's missions on its reporter's to-do list (guodong.core.todo)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.todo import TodoItem, register
from guodong.missions.choices import MissionStatus
from guodong.missions.models import Mission

# What the unit does next at each open state (the steps on the mission's page).
NEXT_STEP = {
    MissionStatus.DISPATCHED: _("Acknowledge the mission"),
    MissionStatus.ACKNOWLEDGED: _("Carry out the mission"),
    MissionStatus.IN_PROGRESS: _("Carry out the mission"),
}


@register
class MissionTodos:
    """The dispatched missions of the user's own unit, not yet handed over or declined. Office
    staff may answer on a unit's behalf, but the missions are the unit's to-dos, not theirs."""

    def applies(self, user: Actor) -> bool:
        return (
            user.organization_id is not None
            and user.has_role_perm("missions.respond")
            # Whoever answers on a unit's behalf (an office, an administrator) is no unit.
            and not user.has_role_perm(Mission.RESPOND_ON_BEHALF)
        )

    def items(self, user: Actor) -> list[TodoItem]:
        missions = (
            Mission.objects.visible_to(user, "respond")
            .filter(unit_id=user.organization_id, status__in=NEXT_STEP)
            .select_related("demand")
        )
        return [
            TodoItem(
                kind=NEXT_STEP[MissionStatus(m.status)],
                title=f"{m} · {m.demand.title}",
                url=m.get_absolute_url(),
                due=m.report_by,
                note=m.get_status_display(),
            )
            for m in missions
        ]
