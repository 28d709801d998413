"""Routes of the demands app, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from django.db.models import QuerySet

from guodong.core.actors import Actor
from guodong.core.testing.routes import ACTION, DETAIL, EXPORT, LAYER, LIST, PAGE, register
from guodong.demands.models import Demand, DemandAttachment, ReserveFloor
from guodong.divisions.models import Division


def _attachments_of_visible_demands(user: Actor) -> QuerySet[DemandAttachment]:
    return DemandAttachment.objects.filter(demand__in=Demand.objects.visible_to(user))


def _whole_demands(user: Actor) -> QuerySet[Demand]:
    """Demands whose every unit's part the user may read (not a reporter's, seen for a mission)."""
    return Demand.objects.none() if Demand.narrows_view(user) else Demand.objects.visible_to(user)


register("demand_list", LIST, Demand)
register("demand_list", EXPORT, Demand, query="export=csv", marker="code")
register("demand_add", PAGE)
register("demand_edxl", PAGE)
register("demand_detail", DETAIL, Demand)
register("demand_history", DETAIL, Demand)
register("demand_commit_xml", DETAIL, Demand)
register("demand_action", ACTION, Demand, kwargs=lambda d: {"pk": d.pk, "action": "analyse"})
register("demand_attachment", DETAIL, DemandAttachment, visible=_attachments_of_visible_demands)
register("reservefloor_list", LIST, ReserveFloor)
register("reservefloor_add", PAGE)
register("reservefloor_edit", DETAIL, ReserveFloor, action="change")
register("demand-list", LIST, Demand)
register("demand-detail", DETAIL, Demand)
register("demand-edxl", PAGE)
# The whole demand's matching and commitment (every unit's holdings): not for a unit's reporter.
register("demand-edxl-commit", DETAIL, Demand, visible=_whole_demands)
register("demand-matchings", DETAIL, Demand, visible=_whole_demands)
for _step in ("approve-matching", "attachments", "dispatch-missions", "match", "transition"):
    register(f"demand-{_step}", ACTION, Demand)
register("map_demands", LAYER, Demand)
register("division_centre", DETAIL, Division)
