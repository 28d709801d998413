"""Demand and mission pages: intake, the workflow, matching with its explanation, approval,
dispatch, the unit's answers, the handover receipt and the printable notice."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from guodong.core.forms import style_widgets
from guodong.core.tables import Column
from guodong.core.views import ObjectEditView, ObjectHistoryView, ObjectListView, apply_errors
from guodong.demands import missions as steps
from guodong.demands.choices import MissionStatus
from guodong.demands.edxl.exchange import commit_message, deployment_report, import_message
from guodong.demands.forms import (
    DemandForm,
    HandoverForm,
    LineForm,
    ReasonForm,
    ReserveFloorForm,
)
from guodong.demands.matching import approve_matching, open_quantities, run_matching
from guodong.demands.models import (
    Allocation,
    Demand,
    DemandAttachment,
    MatchingRun,
    Mission,
    ReserveFloor,
)
from guodong.demands.services import (
    allowed_actions,
    create_demand,
    create_floor,
    transition,
    update_floor,
)
from guodong.divisions.models import Division
from guodong.registry.models import Holding

LINE_ROWS = 3
EXCLUDED_LABELS = {
    "not_ready": gettext_lazy("not available"),
    "readiness": gettext_lazy("not ready in time"),
    "no_point": gettext_lazy("no coordinates"),
    "reserved": gettext_lazy("already reserved"),
    "declined": gettext_lazy("unit declined"),
    "stale": gettext_lazy("stale (excluded)"),
}


def _say(request: HttpRequest, error: Exception) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


class DemandListView(ObjectListView):
    model = Demand
    filterset_fields: ClassVar[list[str]] = ["status", "is_exercise"]
    add_url_name = "demand_add"
    columns: ClassVar[list[Column]] = [
        Column("code", gettext_lazy("number"), link=True),
        Column("title", gettext_lazy("title")),
        Column("requester", gettext_lazy("requester")),
        Column("division.name", gettext_lazy("handling jurisdiction")),
        Column("status", gettext_lazy("status")),
        Column("is_exercise", gettext_lazy("exercise")),
        Column("created_at", gettext_lazy("received")),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("division")  # one query, not one per row


class DemandCreateView(LoginRequiredMixin, FormView):
    """A demand and its lines on one page; nothing is kept unless every line is accepted."""

    template_name = "demands/demand_form.html"
    form_class = DemandForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not Demand.permits(request.user, "add"):
            raise PermissionDenied(_("Your role may not perform this action."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def line_forms(self) -> list[LineForm]:
        data = self.request.POST if self.request.method == "POST" else None
        rows = [
            LineForm(data, prefix=f"line{n}", user=self.request.user, use_required_attribute=n == 0)
            for n in range(LINE_ROWS)
        ]
        for row in rows:
            style_widgets(row)
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        style_widgets(context["form"])
        context.setdefault("lines", self.line_forms())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        rows = self.line_forms()
        used = [row for n, row in enumerate(rows) if n == 0 or _filled(row)]
        valid = form.is_valid() & all([row.is_valid() for row in used])
        if valid:
            try:
                demand = create_demand(
                    request.user, form.cleaned_data, [row.cleaned_data for row in used],
                    attachments=request.FILES.getlist("attachments"),
                )  # fmt: skip
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Demand {code} received.").format(code=demand.code))
                return HttpResponseRedirect(demand.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, lines=rows))


def _filled(row: LineForm) -> bool:
    """An optional line row counts once its type or quantity is given (other fields have
    defaults)."""
    return any(row.data.get(row.add_prefix(name)) for name in ("resource_type", "quantity"))


class DemandDetailView(LoginRequiredMixin, DetailView):
    template_name = "demands/demand_detail.html"

    def get_queryset(self) -> Any:
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
        by_line: dict[int, list] = {}
        for allocation in allocations.select_related("holding__type", "holding__division"):
            by_line.setdefault(allocation.line_id, []).append(allocation)
        explained = run.explanation if run else {}
        alternative_ids = [
            a["holding"] for e in explained.values() for a in e.get("alternatives", [])
        ]
        holdings = Holding.objects.select_related("type").in_bulk(alternative_ids)
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
            may_match=Demand.objects.visible_to(user, "match").filter(pk=demand.pk).exists(),
            may_approve=Demand.objects.visible_to(user, "approve").filter(pk=demand.pk).exists(),
            actions=allowed_actions(user, demand),
            missions=missions,
            pending=missions.filter(status=MissionStatus.PENDING).exists(),
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


class AttachmentView(LoginRequiredMixin, View):
    """Attachments are served only to users who can see the demand (never from /media)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = get_object_or_404(
            DemandAttachment.objects.filter(demand__in=Demand.objects.visible_to(request.user)),
            pk=pk,
        )
        return FileResponse(attachment.file.open("rb"), filename=attachment.name)


class DemandActionView(LoginRequiredMixin, View):
    """One POST per step: a workflow transition, match, approve the matching, dispatch."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
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
                missions = steps.dispatch(request.user, demand)
                messages.success(request, _("{n} missions dispatched.").format(n=len(missions)))
            else:
                transition(request.user, demand, action, request.POST.get("reason", ""))
                messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as error:
            _say(request, error)
        return HttpResponseRedirect(demand.get_absolute_url())


class DemandHistoryView(ObjectHistoryView):
    model = Demand


class EdxlForm(forms.Form):
    message = forms.FileField(label=gettext_lazy("EDXL-RM message (XML)"))
    division = forms.ModelChoiceField(label=gettext_lazy("handling jurisdiction"),
                                      queryset=Division.objects.none())  # fmt: skip
    is_exercise = forms.BooleanField(label=gettext_lazy("exercise"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.visible_to(user).filter(level__lte=4)
        self.fields["division"].initial = user.organization.division_id


class EdxlImportView(LoginRequiredMixin, FormView):
    template_name = "demands/edxl_import.html"
    form_class = EdxlForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        style_widgets(form)
        return form

    def form_valid(self, form: EdxlForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            demand = import_message(
                self.request.user,
                data["message"].read(),
                division=data["division"],
                is_exercise=data["is_exercise"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error("message", " ".join(getattr(error, "messages", [str(error)])))
            return self.form_invalid(form)
        return HttpResponseRedirect(demand.get_absolute_url())


class CommitXmlView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        demand = get_object_or_404(Demand.objects.visible_to(request.user), pk=pk)
        response = HttpResponse(commit_message(demand), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{demand.code}-commit.xml"'
        return response


class MissionListView(ObjectListView):
    model = Mission
    filterset_fields: ClassVar[list[str]] = ["status", "is_exercise"]
    columns: ClassVar[list[Column]] = [
        Column("code", gettext_lazy("number"), link=True),
        Column("owner_name", gettext_lazy("responsible party")),
        Column("demand.title", gettext_lazy("demand")),
        Column("report_by", gettext_lazy("report by")),
        Column("status", gettext_lazy("status")),
        Column("is_exercise", gettext_lazy("exercise")),
    ]


class MissionDetailView(LoginRequiredMixin, DetailView):
    template_name = "demands/mission_detail.html"

    def get_queryset(self) -> Any:
        return Mission.objects.visible_to(self.request.user).select_related("demand", "unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mission = context["object"]
        items = list(
            mission.allocations.select_related("holding__type", "holding__division", "line")
        )
        reserved = [i for i in items if i.state == "reserved"]
        handover = kwargs.get("handover_form") or HandoverForm(items=reserved)
        style_widgets(handover)
        context.update(
            items=items,
            steps=steps.allowed_steps(self.request.user, mission),
            handover_form=handover,
            receipt=getattr(mission, "handover", None),
        )
        return context


class MissionActionView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        mission = get_object_or_404(Mission.objects.visible_to(request.user), pk=pk)
        reason = ReasonForm(request.POST)
        text = reason.cleaned_data["reason"] if reason.is_valid() else ""
        try:
            if step == "acknowledge":
                steps.acknowledge(request.user, mission)
            elif step == "decline":
                steps.decline(request.user, mission, text)
            elif step == "progress":
                steps.report_progress(request.user, mission, text)
            elif step == "return":
                steps.return_mission(request.user, mission)
            elif step == "cancel":
                steps.cancel_mission(request.user, mission, text)
            elif step == "handover":
                return self.handover(request, mission)
            messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as error:
            _say(request, error)
        return HttpResponseRedirect(mission.get_absolute_url())

    def handover(self, request: HttpRequest, mission: Mission) -> HttpResponse:
        items = list(mission.allocations.select_related("holding__type").filter(state="reserved"))
        form = HandoverForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    steps.record_handover(
                        request.user, mission, received_by=data["received_by"],
                        received_at=data["received_at"], condition=data["condition"],
                        notes=data["notes"], quantities=form.quantities(),
                    )  # fmt: skip
            except (ValidationError, PermissionDenied) as error:
                _say(request, error)
            else:
                messages.success(request, _("Handover recorded."))
                return HttpResponseRedirect(mission.get_absolute_url())
        view = MissionDetailView(request=request, kwargs={"pk": mission.pk}, object=mission)
        context = view.get_context_data(object=mission, handover_form=form)
        return render(request, MissionDetailView.template_name, context)


class MissionNoticeView(MissionDetailView):
    """动员任务通知书: one printable page per mission."""

    template_name = "demands/mission_notice.html"


class DeploymentXmlView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        mission = get_object_or_404(Mission.objects.visible_to(request.user), pk=pk)
        try:
            data = deployment_report(mission)
        except ValidationError as error:
            _say(request, error)
            return HttpResponseRedirect(mission.get_absolute_url())
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{mission.code}-status.xml"'
        return response


class MissionHistoryView(ObjectHistoryView):
    model = Mission


class ReserveFloorListView(ObjectListView):
    """Quantities each division keeps back from every matching (保留底数)."""

    model = ReserveFloor
    filterset_fields: ClassVar[list[str]] = ["division", "resource_type"]
    add_url_name = "reservefloor_add"
    columns: ClassVar[list[Column]] = [
        Column("division.name", gettext_lazy("division")),
        Column("resource_type.name", gettext_lazy("resource type"), link=True),
        Column("quantity", gettext_lazy("quantity kept back")),
        Column("note", gettext_lazy("note")),
    ]


class ReserveFloorEditView(ObjectEditView):
    model = ReserveFloor
    form_class = ReserveFloorForm
    create_service = staticmethod(create_floor)
    update_service = staticmethod(update_floor)
