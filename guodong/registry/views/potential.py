"""The potential query page: totals by catalogue × division, drill-down, export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from guodong.core.actors import AuthenticatedHttpRequest, AuthenticatedRequest
from guodong.core.exports import caption_for, export_response
from guodong.core.forms import style_widgets
from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.registry.choices import CatalogueLevel
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.models import Holding, ResourceType, Specialist
from guodong.registry.potential import PotentialTable, add_people, potential_table

# The page's request or the API's (both behind sign-in).
AnyRequest = AuthenticatedHttpRequest | AuthenticatedRequest

# The filters of the holdings list that narrow the totals (the catalogue node and the area
# choose the table's rows and columns instead).
TABLE_FILTERS = ("readiness", "freshness", "owner_kind", "condition")


def potential_filters(request: AnyRequest) -> HoldingFilterSet:
    """The holdings filters of the query, the user's own area when none is asked for."""
    user = request.user
    params = request.GET.copy()
    if not params.get("division") and user.organization is not None:
        params["division"] = str(user.organization.division_id)
    return HoldingFilterSet(params, queryset=Holding.objects.visible_to(user), request=request)


def chosen_node(filterset: HoldingFilterSet) -> ResourceType | None:
    """The catalogue node the query is about: a resource type (发电机组) when one is chosen,
    else the category or kind."""
    chosen_type: ResourceType | None = filterset.form.cleaned_data.get("type")
    if chosen_type is not None:
        return chosen_type
    category = filterset.form.cleaned_data.get("category")
    return ResourceType.objects.filter(pk=category).first() if category else None


def contents_of(node: ResourceType | None) -> list[ResourceType]:
    """The resource types a chosen category or kind holds, so the user sees that 发电装备
    holds power vehicles as well as generator sets before counting them together."""
    if node is None or node.level >= CatalogueLevel.TYPE:
        return []
    types = ResourceType.objects.filter(
        within("path", node.path), level=CatalogueLevel.TYPE, retired_in__isnull=True
    )
    return list(types.order_by("path"))


def table_for(request: AnyRequest, filterset: HoldingFilterSet) -> PotentialTable:
    """The table for valid filters: the chosen area's children as columns, the chosen
    catalogue node's children as rows."""
    user = request.user
    area = filterset.form.cleaned_data.get("division")
    node = chosen_node(filterset)
    visible_divisions = Division.objects.visible_to(user)
    table = potential_table(filterset.qs, node=node, area=area, divisions=visible_divisions)
    return add_people(table, Specialist.objects.visible_to(user))


def build_table(request: AnyRequest) -> tuple[PotentialTable, HoldingFilterSet]:
    """The table for the query, or a ValidationError naming each bad filter and its value
    (the API answers it as a 400)."""
    filterset = potential_filters(request)
    if not filterset.is_valid():
        raise ValidationError(filterset.form.errors.as_data())
    return table_for(request, filterset), filterset


class PotentialView(LoginRequiredMixin, TemplateView):
    template_name = "registry/potential.html"
    request: AuthenticatedHttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = potential_filters(self.request)
        # With a bad filter there is nothing to export: the page says which filter is wrong.
        if request.GET.get("export") in ("csv", "xlsx") and filterset.is_valid():
            header, *rows = table_for(self.request, filterset).as_rows()
            caption = caption_for(_("Potential query"), self.request.user, filterset.form)
            return export_response("potential", header, rows, request.GET["export"], caption)
        return super().get(request, *args, filterset=filterset, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        filterset = kwargs.pop("filterset")
        style_widgets(filterset.form)
        context = {**super().get_context_data(**kwargs), "title": _("Potential query")}
        if not filterset.is_valid():
            return {**context, "filter": filterset}
        table = table_for(self.request, filterset)
        cells_of = table.cell, table.people_cell
        base = self.request.GET.copy()
        for key in ("category", "type", "division", "page", "export"):
            base.pop(key, None)
        return {
            **context,
            "table": table,
            "contents": contents_of(table.node),
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
