"""Organization pages: list, detail with duty list, edit, history."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView
from guodong.orgs.filtersets import OrganizationFilterSet
from guodong.orgs.forms import DutyItemForm, OrganizationForm
from guodong.orgs.models import DutyItem, Organization
from guodong.orgs.services import (
    add_duty,
    create_organization,
    remove_duty,
    update_duty,
    update_organization,
)

COLUMNS = [
    Column("name", gettext_lazy("name"), link=True),
    Column("kind", gettext_lazy("kind")),
    Column("unit_type", gettext_lazy("unit type")),
    Column("division.name", gettext_lazy("division")),
    Column("parent.name", gettext_lazy("parent organization")),
    Column("contact_name", gettext_lazy("contact person")),
    Column("contact_phone", gettext_lazy("office phone")),
]


class OrganizationListView(ObjectListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    add_url_name = "organization_add"
    columns: ClassVar[list[Column]] = COLUMNS

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("division", "parent")


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    template_name = "orgs/organization_detail.html"
    fields: ClassVar[list[Column]] = [
        *COLUMNS,
        Column("address", gettext_lazy("address")),
        Column("is_active", gettext_lazy("active")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization, user = context["object"], self.request.user
        context["duties"] = organization.duties.all()
        context["may_change_duties"] = DutyItem.permits(user, "change") and (
            user.has_role_perm("orgs.change_duties") or user.organization_id == organization.pk
        )
        context["members"] = organization.users.visible_to(user)
        context["children"] = organization.children.visible_to(user)
        return context


class OrganizationEditView(ObjectEditView):
    model = Organization
    form_class = OrganizationForm
    create_service = staticmethod(create_organization)
    update_service = staticmethod(update_organization)


class OrganizationHistoryView(ObjectHistoryView):
    model = Organization


class DutyEditView(ObjectEditView):
    """Add (under an organization) or change a duty item."""

    model = DutyItem
    form_class = DutyItemForm
    update_service = staticmethod(update_duty)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if "organization_pk" in kwargs and request.user.is_authenticated:
            self.organization = get_object_or_404(
                Organization.objects.visible_to(request.user), pk=kwargs["organization_pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def save(self, form: BaseForm) -> DutyItem:
        if self.object is None:
            return add_duty(
                self.request.user, {**form.cleaned_data, "organization": self.organization}
            )
        return cast(DutyItem, super().save(form))


class DutyDeleteView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.is_authenticated:
            raise PermissionDenied
        duty = get_object_or_404(DutyItem.objects.visible_to(request.user), pk=pk)
        remove_duty(request.user, duty)
        messages.success(request, _("Removed “{object}”.").format(object=duty))
        return HttpResponseRedirect(duty.get_absolute_url())
