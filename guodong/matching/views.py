"""The demand's page and its steps: the workflow, the matching with its explanation, approval and
dispatch. They live here, not in guodong.demands, because they read and act on demands,
missions and matchings together, and only this app may import all three (DESIGN.md §3)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.demands.choices import MATCHABLE, AttachmentPurpose
from guodong.demands.models import Demand
from guodong.demands.services import STEP_RECORDS, allowed_actions, transition
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.choices import MissionStatus
from guodong.missions.edxl import commit_message
from guodong.missions.models import Allocation, MatchingRun, Mission
from guodong.missions.services import dispatch, open_quantities
from guodong.missions.views import say
from guodong.registry.models import Holding

EXCLUDED_LABELS = {
    "not_ready": gettext_lazy("not available"),
    "readiness": gettext_lazy("not ready in time"),
    "no_point": gettext_lazy("no coordinates"),
    "reserved": gettext_lazy("already reserved"),
    "declined": gettext_lazy("unit declined"),
    "stale": gettext_lazy("stale (excluded)"),
}


DONE = {
    "analyse": gettext_lazy("Analysis recorded."),
    "verify": gettext_lazy("On-site check recorded."),
    "approve": gettext_lazy("Demand approved."),
    "close": gettext_lazy("Demand closed."),
    "reject": gettext_lazy("Demand rejected."),
    "cancel": gettext_lazy("Demand cancelled."),
}


class DemandDetailView(LoginRequiredMixin, DetailView[Demand]):
    template_name = "matching/demand_detail.html"

    request: AuthenticatedHttpRequest

    def get_queryset(self) -> QuerySet[Demand]:
        return Demand.objects.visible_to(self.request.user).select_related("division")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        demand, user = context["object"], self.request.user
        remaining = open_quantities(demand)
        lines = list(demand.lines.select_related("resource_type", "destination_division"))
        missions = Mission.objects.visible_to(user).filter(demand=demand).select_related("unit")
        # A member unit sees its own missions' items; the matching, which names every other
        # unit's holdings, is for the offices that may see the whole demand.
        whole_demand = not Demand.narrows_view(user)
        run = demand.matchings.filter(superseded=False).first() if whole_demand else None
        allocations = (
            run.allocations.all()
            if run
            else Allocation.objects.filter(mission__in=missions)
            if not whole_demand
            else Allocation.objects.none()
        )
        by_line: dict[int, list[Allocation]] = {}
        for allocation in allocations.select_related("holding__type", "holding__division"):
            by_line.setdefault(allocation.line_id, []).append(allocation)
        explained = run.explanation if run else {}
        alternative_ids = [
            a["holding"] for e in explained.values() for a in e.get("alternatives", [])
        ]
        holdings = Holding.objects.select_related("type").in_bulk(alternative_ids)
        may_match = Demand.objects.visible_to(user, "match").filter(pk=demand.pk).exists()
        context.update(
            lines=[
                (
                    line,
                    remaining[line.pk],
                    by_line.get(line.pk, []),
                    _explained(explained.get(str(line.pk), {}), holdings) if run else None,
                )
                for line in lines
            ],
            run=run,
            run_km=run.cost_m / 1000 if run else None,
            # Matching is offered while something is still open (the service refuses otherwise).
            offer_matching=may_match
            and demand.status in MATCHABLE
            and any(n > 0 for n in remaining.values()),
            may_match=may_match,
            may_approve=Demand.objects.visible_to(user, "approve").filter(pk=demand.pk).exists(),
            actions=allowed_actions(user, demand),
            missions=missions,
            pending=missions.filter(status=MissionStatus.PENDING).exists(),
            site_photos=demand.attachments.filter(purpose=AttachmentPurpose.SITE_PHOTO),
            documents=demand.attachments.exclude(purpose=AttachmentPurpose.SITE_PHOTO),
        )
        return context


def _explained(explanation: dict[str, Any], holdings: dict[int, Holding]) -> dict[str, Any]:
    excluded = explanation.get("excluded", {})
    return {
        **explanation,
        "excluded": [(EXCLUDED_LABELS.get(k, k), v) for k, v in excluded.items()],
        "alternatives": [
            {**a, "holding": holdings.get(a["holding"])}
            for a in explanation.get("alternatives", [])
        ],
    }


class DemandActionView(LoginRequiredMixin, View):
    """One POST per step: a workflow transition, match, approve the matching, dispatch."""

    def post(self, request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
        demand = get_object_or_404(Demand.objects.visible_to(request.user), pk=pk)
        try:
            if action == "match":
                run = run_matching(request.user, demand)
                messages.success(
                    request, _("Matching computed in {ms} ms.").format(ms=run.elapsed_ms)
                )
            elif action == "approve_matching":
                run = get_object_or_404(MatchingRun, demand=demand, pk=request.POST.get("matching"))
                missions = approve_matching(request.user, run)
                messages.success(
                    request, _("Reserved; {n} missions created.").format(n=len(missions))
                )
            elif action == "dispatch":
                missions = dispatch(request.user, demand)
                messages.success(request, _("{n} missions dispatched.").format(n=len(missions)))
            else:
                record = {name: request.POST.get(name, "") for name in STEP_RECORDS.get(action, ())}
                transition(
                    request.user, demand, action, request.POST.get("reason", ""),
                    record=record, photos=request.FILES.getlist("photos"),
                )  # fmt: skip
                messages.success(request, str(DONE.get(action, gettext_lazy("Done."))))
        except (ValidationError, PermissionDenied) as error:
            say(request, error)
        return HttpResponseRedirect(demand.get_absolute_url())


class CommitXmlView(LoginRequiredMixin, View):
    """The platform's answer to a demand as an EDXL-RM CommitResource download."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        demand = get_object_or_404(Demand.objects.visible_to(request.user), pk=pk)
        response = HttpResponse(commit_message(demand), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{demand.code}-commit.xml"'
        return response
