"""Holding pages: list, detail, edit, history, reveal, self-report, duplicates."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import BaseForm
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.forms import HoldingForm
from guodong.registry.freshness import with_freshness
from guodong.registry.importing.validate import as_given
from guodong.registry.models import Holding, Specialist
from guodong.registry.services import (
    confirm_own_holdings,
    create_holding,
    merge_holdings,
    reveal,
    update_holding,
)

COLUMNS = [
    Column("type.name", gettext_lazy("resource type"), link=True),
    Column("quantity_available", gettext_lazy("available quantity")),
    Column("quantity_total", gettext_lazy("total quantity")),
    Column("type.unit", gettext_lazy("unit")),
    Column("owner_name", gettext_lazy("owner")),
    Column("division.name", gettext_lazy("division")),
    Column("readiness", gettext_lazy("readiness")),
    Column("freshness_label", gettext_lazy("freshness")),
    Column("contact_name", gettext_lazy("requisition contact")),
    Column("contact_phone_masked", gettext_lazy("contact phone")),
]
# The export also says what is booked, in what condition and where exactly.
EXPORT_COLUMNS = [
    *COLUMNS[:3],
    Column("quantity_reserved", gettext_lazy("reserved quantity")),
    Column("quantity_reserved_exercise", gettext_lazy("reserved quantity (exercise)")),
    *COLUMNS[3:6],
    Column("condition", gettext_lazy("condition")),
    Column("address", gettext_lazy("address")),
    *COLUMNS[6:],
]


class GivenTimeColumn(Column):
    """A moment shown as it was given: a date imported from a survey reads as that date, not as
    "2026年11月22日 20:00" (the noon UTC it is stored at)."""

    def value(self, obj: models.Model) -> Any:
        return as_given(super().value(obj) or None) or ""


class HoldingListView(ObjectListView):
    model = Holding
    filterset_class = HoldingFilterSet
    add_url_name = "holding_add"
    template_name = "registry/holding_list.html"
    columns: ClassVar[list[Column]] = COLUMNS
    export_columns: ClassVar[list[Column]] = EXPORT_COLUMNS

    def get_queryset(self) -> QuerySet[Any]:
        return with_freshness(super().get_queryset().select_related("type", "division"))


class HoldingDetailView(ObjectDetailView):
    request: AuthenticatedHttpRequest

    model = Holding
    template_name = "registry/holding_detail.html"
    fields: ClassVar[list[Column]] = [
        Column("type.name", gettext_lazy("resource type")),
        Column("category.name", gettext_lazy("category")),
        Column("quantity_total", gettext_lazy("total quantity")),
        Column("quantity_available", gettext_lazy("available quantity")),
        Column("type.unit", gettext_lazy("unit")),
        Column("condition", gettext_lazy("condition")),
        Column("readiness", gettext_lazy("readiness")),
        Column("owner_kind", gettext_lazy("owner kind")),
        Column("owner_name", gettext_lazy("owner")),
        Column("division.full_name", gettext_lazy("division")),
        Column("address", gettext_lazy("address")),
        Column("latitude", gettext_lazy("latitude")),
        Column("longitude", gettext_lazy("longitude")),
        Column("contact_name", gettext_lazy("requisition contact")),
        Column("contact_phone_masked", gettext_lazy("contact phone")),
        Column("freshness_label", gettext_lazy("freshness")),
        GivenTimeColumn("last_verified_at", gettext_lazy("last verified")),
        Column("verification_method", gettext_lazy("verification method")),
        Column("notes", gettext_lazy("notes")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return with_freshness(super().get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_reveal"] = self.request.user.has_role_perm("registry.reveal_pii")
        return context


class HoldingEditView(ObjectEditView):
    request: AuthenticatedHttpRequest

    model = Holding
    form_class = HoldingForm

    def save(self, form: BaseForm) -> Holding:
        fields = dict(form.cleaned_data)
        confirm = fields.pop("confirm_location", False)
        if self.object is None:
            return create_holding(self.request.user, fields, confirm_location=confirm)
        holding = cast(Holding, self.object)
        return update_holding(self.request.user, holding, fields, confirm_location=confirm)


class HoldingHistoryView(ObjectHistoryView):
    model = Holding


class RevealView(LoginRequiredMixin, View):
    """POST: show the clear personal data of one record (logged). Renders a small fragment."""

    model: type[Holding] | type[Specialist] = Holding
    fields: ClassVar[list[str]] = ["contact_phone"]

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.model.objects.visible_to(request.user), pk=pk)
        values = reveal(request.user, obj, self.fields)
        return render(request, "registry/_revealed.html", {"values": values.values()})


class ConfirmOwnHoldingsView(LoginRequiredMixin, View):
    """A reporter confirms their unit's holdings are still accurate, in one action."""

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        count = confirm_own_holdings(request.user)
        messages.success(
            request, _("Confirmed {count} holdings of your unit as accurate.").format(count=count)
        )
        return HttpResponseRedirect(
            reverse("holding_list") + f"?owner={request.user.organization_id}"
        )


class DuplicateListView(LoginRequiredMixin, TemplateView):
    """Groups of holdings with the same owner, type and place, offered for merging."""

    request: AuthenticatedHttpRequest

    template_name = "registry/duplicates.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        visible = Holding.objects.visible_to(self.request.user)
        keys = (
            visible.order_by()
            .values(*Holding.DUPLICATE_KEY)
            .annotate(n=Count("id"))
            .filter(n__gt=1)[:100]
        )
        groups = []
        for key in keys:
            members = (
                visible.filter(**{field: key[field] for field in Holding.DUPLICATE_KEY})
                .select_related("type", "division")
                .order_by("-last_verified_at", "-id")
            )
            groups.append(list(members))
        return {**super().get_context_data(**kwargs), "groups": groups}


class MergeView(LoginRequiredMixin, View):
    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        visible = Holding.objects.visible_to(request.user)
        survivor = get_object_or_404(visible, pk=pk)
        duplicate = get_object_or_404(visible, pk=request.POST.get("duplicate") or 0)
        try:
            merge_holdings(request.user, survivor, duplicate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            raise
        else:
            messages.success(
                request, _("Merged the duplicate into “{object}”.").format(object=survivor)
            )
        return HttpResponseRedirect(reverse("holding_duplicates"))
