"""The potential query page: totals by catalogue × division, drill-down, export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from guodong.core.exports import export_response
from guodong.core.forms import style_widgets
from guodong.divisions.models import Division
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.models import Holding, ResourceType, Specialist
from guodong.registry.potential import PotentialTable, add_people, potential_table

# The filters of the holdings list that narrow the totals (the catalogue node and the area
# choose the table's rows and columns instead).
TABLE_FILTERS = ("readiness", "freshness", "owner_kind", "condition")


def build_table(request: HttpRequest) -> tuple[PotentialTable, HoldingFilterSet]:
    user = request.user
    visible_divisions = Division.objects.visible_to(user)
    params = request.GET.copy()
    area = visible_divisions.filter(pk=params.get("division") or 0).first()
    if area is None and user.organization_id:
        area = user.organization.division
        params["division"] = str(area.pk)
    node = ResourceType.objects.filter(pk=params.get("category") or 0).first()
    filterset = HoldingFilterSet(params, queryset=Holding.objects.visible_to(user), request=request)
    holdings = filterset.qs
    table = potential_table(holdings, node=node, area=area, divisions=visible_divisions)
    add_people(table, Specialist.objects.visible_to(user))
    return table, filterset


class PotentialView(LoginRequiredMixin, TemplateView):
    template_name = "registry/potential.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") in ("csv", "xlsx"):
            table, _filterset = build_table(request)
            header, *rows = table.as_rows()
            return export_response("potential", header, rows, request.GET["export"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        table, filterset = build_table(self.request)
        style_widgets(filterset.form)
        cells_of = table.cell, table.people_cell
        base = self.request.GET.copy()
        for key in ("category", "division", "page", "export"):
            base.pop(key, None)
        return {
            **super().get_context_data(**kwargs),
            "title": _("Potential query"),
            "table": table,
            "filter": filterset,
            "filter_query": base.urlencode(),
            "grid": [
                (
                    row,
                    [
                        (column, *(cell(row.pk, column.pk) for cell in cells_of))
                        for column in table.columns
                    ],
                    table.row_total(row.pk),
                )
                for row in table.rows
            ],
        }
