"""The home dashboard and the potential map."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from guodong.accounts.models import User
from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.exports import caption_for, export_response
from guodong.core.forms import style_widgets
from guodong.core.models import Event
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.maps.boundaries import jurisdiction_division
from guodong.maps.dashboard import dashboard_tables
from guodong.orgs.choices import OrganizationKind
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.models import Holding, ResourceType

FILTERS = ("category", "type", "readiness", "freshness", "owner_kind")


class HomeView(LoginRequiredMixin, TemplateView):
    """Real figures for the user's jurisdiction."""

    template_name = "maps/home.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        divisions = Division.objects.visible_to(user).filter(effective_to__isnull=True)
        by_level = dict(divisions.values_list("level").annotate(n=Count("id")).order_by())
        organizations = Organization.objects.visible_to(user).filter(is_active=True)
        by_kind = dict(organizations.values_list("kind").annotate(n=Count("id")).order_by())
        context = super().get_context_data(**kwargs)
        context.update(
            division_counts=[(DivisionLevel(k).label, by_level[k]) for k in sorted(by_level)],
            organization_counts=[
                (OrganizationKind(k).label, by_kind[k], k)
                for k in OrganizationKind.values
                if k in by_kind
            ],
            division_total=sum(by_level.values()),
            organization_total=sum(by_kind.values()),
            user_total=User.objects.visible_to(user).filter(is_active=True).count(),
            recent_events=Event.objects.visible_to(user).select_related("actor")[:10],
            home_division=jurisdiction_division(user),
            tables=(tables := dashboard_tables(user)),
            chart_data={
                t.key: {"header": t.header, "rows": [[str(v) for v in r] for r in t.rows]}
                for t in tables
            },
        )
        return context


class DashboardExportView(LoginRequiredMixin, View):
    """Any dashboard table as an xlsx file (formula injection escaped)."""

    def get(self, request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
        table = next((t for t in dashboard_tables(request.user) if t.key == key), None)
        if table is None:
            raise Http404
        caption = caption_for(table.title, request.user)
        return export_response(f"dashboard-{key}", table.header, table.rows, "xlsx", caption)


class MapView(LoginRequiredMixin, TemplateView):
    template_name = "maps/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        filterset = HoldingFilterSet(
            self.request.GET, queryset=Holding.objects.none(), request=self.request
        )
        style_widgets(filterset.form)
        filterset.form.fields["type"].queryset = ResourceType.objects.filter(
            level=CatalogueLevel.TYPE
        ).order_by("path")
        return {
            **super().get_context_data(**kwargs),
            "fields": [filterset.form[name] for name in FILTERS],
            "labels": {
                "holdings": _("Holdings"),
                "shelters": _("Civil air-defence works"),
                "sirens": _("Air-raid sirens"),
                "warehouses": _("Reserve warehouses"),
                "specialists": _("Specialists"),
                "demands": _("Open demands"),
                "proposed": _("proposed, not yet reserved"),
                "report_to": _("report to"),
                "exercise": _("Exercise"),
                "fresh": _("Fresh"),
                "ageing": _("Ageing"),
                "stale": _("Stale"),
                "available": _("available quantity"),
                "records": _("Show the records"),
                "details": _("Details"),
                "capacity": _("protected capacity (persons)"),
                "resolution": _("Cells:"),
                "nothing": _("Nothing inside."),
                "too_large": _("The area holds too many records; draw a smaller one."),
            },
        }
