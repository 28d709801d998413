"""The catalogue pages: the tree and one type with its URN and metrics."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectListView
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import CatalogueVersion, ResourceType


class ResourceTypeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=CatalogueLevel.choices, label=_("level"))

    class Meta:
        model = ResourceType
        fields = ["q", "level"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class ResourceTypeListView(ObjectListView):
    model = ResourceType
    filterset_class = ResourceTypeFilterSet
    paginate_by = 250
    title = _("Resource catalogue")
    template_name = "registry/catalogue.html"
    columns: ClassVar[list[Column]] = [
        Column("code", _("code")),
        Column("indented_name", _("name"), link=True),
        Column("level", _("level")),
        Column("unit", _("unit")),
        Column("capability_level", _("capability level")),
        Column("urn", _("URN")),
    ]

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("path")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["version"] = CatalogueVersion.objects.first()
        return context


class ResourceTypeDetailView(ObjectDetailView):
    model = ResourceType
    template_name = "registry/resourcetype_detail.html"
    fields: ClassVar[list[Column]] = [
        Column("code", _("code")),
        Column("name", _("name")),
        Column("level", _("level")),
        Column("category.name", _("category")),
        Column("parent.name", _("parent")),
        Column("unit", _("unit")),
        Column("capability_level", _("capability level")),
        Column("urn", _("URN")),
        Column("introduced_in", _("introduced in version")),
        Column("retired_in", _("retired in version")),
    ]
