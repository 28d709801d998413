"""Demand pages: the list, intake on a page or as an EDXL-RM message, attachments, history, the
CommitResource answer and the reserve floors. The demand's own page, which shows its matching
and missions, is in guodong.matching.views (this app may not import those built on it)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.forms import style_widgets
from guodong.core.tables import Column
from guodong.core.views import ObjectEditView, ObjectHistoryView, ObjectListView, apply_errors
from guodong.demands.edxl.exchange import import_message, unresolved_line_text
from guodong.demands.filtersets import DemandFilterSet
from guodong.demands.forms import DemandForm, EdxlForm, LineForm, ReserveFloorForm
from guodong.demands.models import Demand, DemandAttachment, ReserveFloor
from guodong.demands.points import division_centre
from guodong.demands.services import create_demand, create_floor, update_floor
from guodong.divisions.models import Division

LINE_ROWS = 3


class DemandListView(ObjectListView):
    model = Demand
    filterset_class = DemandFilterSet
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


class DemandCreateView(LoginRequiredMixin, FormView[DemandForm]):
    """A demand and its lines on one page; nothing is kept unless every line is accepted."""

    template_name = "demands/demand_form.html"
    form_class = DemandForm
    request: AuthenticatedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not Demand.permits(user, "add"):
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

    def empty_row(self, n: int) -> LineForm:
        row = LineForm(prefix=f"line{n}", user=self.request.user, use_required_attribute=False)
        style_widgets(row)
        return row

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        style_widgets(context["form"])
        context.setdefault("lines", self.line_forms())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        rows = self.line_forms()
        used = [row for n, row in enumerate(rows) if n == 0 or _filled(row)]
        # An optional row left empty is ignored, and shown again empty (a bound empty row
        # would show "required" under every field).
        rows = [row if row in used else self.empty_row(n) for n, row in enumerate(rows)]
        valid = form.is_valid() & all([row.is_valid() for row in used])
        if valid:
            try:
                demand = create_demand(
                    self.request.user, form.cleaned_data, [row.cleaned_data for row in used],
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


class DivisionCentreView(LoginRequiredMixin, View):
    """The default destination point of an area the user may choose (JSON for the demand form's
    map): its centre, or the centre of the area above it that stands in, and whose it is."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
        area = get_object_or_404(Division.objects.visible_to(request.user), pk=pk)
        centre = division_centre(area)
        if centre is None:
            return JsonResponse({"latitude": None, "longitude": None, "note": ""})
        return JsonResponse(
            {
                "latitude": centre.latitude,
                "longitude": centre.longitude,
                "note": centre.describe(area),
            }
        )


class AttachmentView(LoginRequiredMixin, View):
    """Attachments are served only to users who can see the demand (never from /media)."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
        attachment = get_object_or_404(
            DemandAttachment.objects.filter(demand__in=Demand.objects.visible_to(request.user)),
            pk=pk,
        )
        return FileResponse(attachment.file.open("rb"), filename=attachment.name)


class DemandHistoryView(ObjectHistoryView):
    model = Demand


class EdxlImportView(LoginRequiredMixin, FormView[EdxlForm]):
    template_name = "demands/edxl_import.html"
    form_class = EdxlForm
    request: AuthenticatedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The role first: a user who may not submit gets 403 before the upload is read.
        user = request.user
        if user.is_authenticated and not user.has_role_perm("demands.submit"):
            raise PermissionDenied(_("Your role may not perform this action."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_form(self, form_class: Any = None) -> EdxlForm:
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
        for line in demand.unresolved_lines:
            messages.warning(
                self.request, _("Not in the demand: {line}").format(line=unresolved_line_text(line))
            )
        return HttpResponseRedirect(demand.get_absolute_url())


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
