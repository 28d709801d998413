"""Facility pages: one set of generic views per kind of facility."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView
from guodong.registry.filtersets import (
    CivilDefenceWorkFilterSet,
    SirenFilterSet,
    WarehouseFilterSet,
)
from guodong.registry.forms import facility_form
from guodong.registry.models import CivilDefenceWork, Siren, Warehouse
from guodong.registry.models.facilities import Facility
from guodong.registry.services import create_facility, update_facility

COMMON_TAIL = [
    Column("division.name", _("division")),
    Column("managing_unit.name", _("managing unit")),
    Column("status", _("status")),
]
EXTRA_COLUMNS = {
    CivilDefenceWork: [
        Column("kind", _("kind")),
        Column("area_m2", _("area (m²)")),
        Column("capacity_persons", _("protected capacity (persons)")),
    ],
    Siren: [
        Column("kind", _("kind")),
        Column("model_name", _("model")),
        Column("last_tested_at", _("last tested")),
    ],
    Warehouse: [Column("kind", _("kind")), Column("area_m2", _("area (m²)"))],
}
FILTERSETS = {
    CivilDefenceWork: CivilDefenceWorkFilterSet,
    Siren: SirenFilterSet,
    Warehouse: WarehouseFilterSet,
}


def facility_views(model: type[Facility]) -> dict[str, Any]:
    """List, detail, edit and history views for one facility model."""
    name = model._meta.model_name
    columns = [Column("name", _("name"), link=True), *EXTRA_COLUMNS[model], *COMMON_TAIL]

    class ListView(ObjectListView):
        filterset_class = FILTERSETS[model]
        add_url_name = f"{name}_add"

    class DetailView(ObjectDetailView):
        template_name = "registry/facility_detail.html"

    class EditView(ObjectEditView):
        request: AuthenticatedHttpRequest
        form_class = facility_form(model)

        def save(self, form: Any) -> Any:
            if self.object is None:
                return create_facility(self.request.user, model, dict(form.cleaned_data))
            return update_facility(
                self.request.user, cast(Facility, self.object), dict(form.cleaned_data)
            )

    class HistoryView(ObjectHistoryView):
        pass

    views: dict[str, Any] = {}
    for kind, base in (
        ("list", ListView),
        ("detail", DetailView),
        ("edit", EditView),
        ("history", HistoryView),
    ):
        attrs: dict[str, Any] = {"model": model}
        if kind == "list":
            attrs["columns"] = columns
        if kind == "detail":
            attrs["fields"] = [
                *columns,
                Column("address", _("address")),
                Column("notes", _("notes")),
            ]
        views[kind] = type(f"{model.__name__}{kind.title()}View", (base,), attrs)
    return views


FACILITY_VIEWS: dict[type, dict[str, Any]] = {
    m: facility_views(m) for m in (CivilDefenceWork, Siren, Warehouse)
}
