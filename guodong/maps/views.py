"""The potential map page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from guodong.core.forms import style_widgets
from guodong.registry.choices import CatalogueLevel
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.models import Holding, ResourceType

FILTERS = ("category", "type", "readiness", "freshness", "owner_kind")


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
                "fresh": _("Fresh"),
                "ageing": _("Ageing"),
                "stale": _("Stale"),
                "available": _("available quantity"),
                "records": _("Show the records"),
                "details": _("Details"),
                "capacity": _("protected capacity (persons)"),
                "resolution": _("Cells:"),
                "nothing": _("Nothing inside."),
            },
        }
