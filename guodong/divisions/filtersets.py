"""Division filters, shared by the tree page and the API."""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.filters import FilterSet
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.choosers import DivisionFilter
from guodong.divisions.models import Division


def search_divisions(queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
    """By name, code prefix, full pinyin or pinyin initials (dqz → 大桥镇)."""
    value = value.strip()
    if not value:
        return queryset
    lowered = value.lower()
    return queryset.filter(
        Q(name__icontains=value)
        | Q(code__startswith=value)
        | Q(pinyin_initials__startswith=lowered)
        | Q(pinyin__startswith=lowered)
    )


class DivisionFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=DivisionLevel.choices, label=_("level"))
    parent = DivisionFilter(field_name="parent", label=_("parent"))
    in_force = django_filters.BooleanFilter(
        field_name="effective_to", lookup_expr="isnull", label=_("in force")
    )

    class Meta:
        model = Division
        fields = ["q", "level", "parent", "in_force"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return search_divisions(queryset, value)
