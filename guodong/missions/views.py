"""Mission pages: the list, a mission with its items and the unit's answers, the handover
receipt, the printable notice (动员任务通知书) and the EDXL-RM deployment status."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.forms import style_widgets
from guodong.core.tables import Column
from guodong.core.views import ObjectHistoryView, ObjectListView
from guodong.demands.models import Demand
from guodong.missions import services
from guodong.missions.choices import AllocationState
from guodong.missions.edxl import deployment_report
from guodong.missions.filtersets import MissionFilterSet
from guodong.missions.forms import HandoverForm, ReasonForm
from guodong.missions.models import Mission


def say(request: AuthenticatedHttpRequest, error: Exception) -> None:
    """Show a refused step's reasons as the page's error message."""
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


class MissionListView(ObjectListView):
    model = Mission
    filterset_class = MissionFilterSet
    columns: ClassVar[list[Column]] = [
        Column("code", gettext_lazy("number"), link=True),
        Column("owner_name", gettext_lazy("responsible party")),
        Column("demand.title", gettext_lazy("demand")),
        Column("report_by", gettext_lazy("report by")),
        Column("status", gettext_lazy("status")),
        Column("is_exercise", gettext_lazy("exercise")),
    ]


class MissionDetailView(LoginRequiredMixin, DetailView[Mission]):
    template_name = "missions/mission_detail.html"

    request: AuthenticatedHttpRequest

    def get_queryset(self) -> QuerySet[Mission]:
        return Mission.objects.visible_to(self.request.user).select_related("demand", "unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mission = context["object"]
        items = list(
            mission.allocations.select_related("holding__type", "holding__division", "line")
        )
        reserved = [i for i in items if i.state == AllocationState.RESERVED]
        handover = kwargs.get("handover_form") or HandoverForm(items=reserved)
        style_widgets(handover)
        context.update(
            items=items,
            steps=services.allowed_steps(self.request.user, mission),
            handover_form=handover,
            receipt=getattr(mission, "handover", None),
            # A grid worker may act on a mission in their township whose demand the district
            # handles: the demand is named, but linked only for those who may open it.
            demand_visible=Demand.objects.visible_to(self.request.user)
            .filter(pk=mission.demand_id)
            .exists(),
        )
        return context


# What the unit or the office reads after a step: what happened, not a bare "done".
STEP_DONE = {
    "acknowledge": gettext_lazy("Mission acknowledged."),
    "decline": gettext_lazy("Mission declined: the office will find another unit."),
    "progress": gettext_lazy("Progress reported."),
    "return": gettext_lazy("Items returned."),
    "cancel": gettext_lazy("Mission cancelled."),
}


class MissionActionView(LoginRequiredMixin, View):
    def post(self, request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
        mission = get_object_or_404(Mission.objects.visible_to(request.user), pk=pk)
        reason = ReasonForm(request.POST)
        text = reason.cleaned_data["reason"] if reason.is_valid() else ""
        try:
            if step == "acknowledge":
                services.acknowledge(request.user, mission)
            elif step == "decline":
                services.decline(request.user, mission, text)
            elif step == "progress":
                services.report_progress(request.user, mission, text)
            elif step == "return":
                services.return_mission(request.user, mission)
            elif step == "cancel":
                services.cancel_mission(request.user, mission, text)
            elif step == "handover":
                return self.handover(request, mission)
            messages.success(request, str(STEP_DONE.get(step, gettext_lazy("Done."))))
        except (ValidationError, PermissionDenied) as error:
            say(request, error)
        return HttpResponseRedirect(mission.get_absolute_url())

    def handover(self, request: AuthenticatedHttpRequest, mission: Mission) -> HttpResponse:
        items = list(
            mission.allocations.select_related("holding__type").filter(
                state=AllocationState.RESERVED
            )
        )
        form = HandoverForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_handover(
                    request.user, mission, received_by=data["received_by"],
                    received_at=data["received_at"], condition=data["condition"],
                    notes=data["notes"], quantities=form.quantities(),
                )  # fmt: skip
            except (ValidationError, PermissionDenied) as error:
                say(request, error)
            else:
                messages.success(request, _("Handover recorded."))
                return HttpResponseRedirect(mission.get_absolute_url())
        view = MissionDetailView(request=request, kwargs={"pk": mission.pk}, object=mission)
        context = view.get_context_data(object=mission, handover_form=form)
        return render(request, MissionDetailView.template_name, context)


class MissionNoticeView(MissionDetailView):
    """动员任务通知书: one printable page per mission."""

    template_name = "missions/mission_notice.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mission, user = context["object"], self.request.user
        # The recipient must be able to call the contact: the unit and the office read it in
        # full (the reveal is logged); anyone else reads it masked.
        context["contact_phone"] = (
            services.reveal_contact(user, mission)
            if mission.contact_phone and services.may_see_contact(user, mission)
            else mission.contact_phone_masked
        )
        return context


class DeploymentXmlView(LoginRequiredMixin, View):
    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        mission = get_object_or_404(Mission.objects.visible_to(request.user), pk=pk)
        try:
            data = deployment_report(mission)
        except ValidationError as error:
            say(request, error)
            return HttpResponseRedirect(mission.get_absolute_url())
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{mission.code}-status.xml"'
        return response


class MissionHistoryView(ObjectHistoryView):
    model = Mission
