"""Specialist pages: identity data masked everywhere, revealed on request (logged)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from django.forms import BaseForm
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView
from guodong.registry.filtersets import SpecialistFilterSet
from guodong.registry.forms import SpecialistForm
from guodong.registry.models import Specialist
from guodong.registry.services import create_specialist, update_specialist
from guodong.registry.views.holdings import RevealView

COLUMNS = [
    Column("name", _("name"), link=True),
    Column("id_number_masked", _("ID number")),
    Column("phone_masked", _("phone")),
    Column("qualification_names", _("qualifications")),
    Column("employer_name", _("employer")),
    Column("division.name", _("division")),
    Column("availability", _("availability")),
]


class SpecialistListView(ObjectListView):
    model = Specialist
    filterset_class = SpecialistFilterSet
    add_url_name = "specialist_add"
    columns: ClassVar[list[Column]] = COLUMNS

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("division")
            .prefetch_related("qualifications__type")
        )


class SpecialistDetailView(ObjectDetailView):
    request: AuthenticatedHttpRequest

    model = Specialist
    template_name = "registry/specialist_detail.html"
    fields: ClassVar[list[Column]] = [*COLUMNS, Column("notes", _("notes"))]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_reveal"] = self.request.user.has_role_perm("registry.reveal_pii")
        return context


class SpecialistEditView(ObjectEditView):
    request: AuthenticatedHttpRequest

    model = Specialist
    form_class = SpecialistForm

    def save(self, form: BaseForm) -> Specialist:
        fields = dict(form.cleaned_data)
        if self.object is None:
            qualifications = [(t, 3) for t in fields.pop("qualifications", [])]
            return create_specialist(self.request.user, fields, qualifications)
        return update_specialist(self.request.user, cast(Specialist, self.object), fields)


class SpecialistHistoryView(ObjectHistoryView):
    model = Specialist


class SpecialistRevealView(RevealView):
    model = Specialist
    fields: ClassVar[list[str]] = ["id_number", "phone"]
