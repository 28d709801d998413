"""Organization filters, shared by the list page and the API."""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.filters import FilterSet, IdFilter
from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.orgs.choices import DutyCycle, OrganizationKind, UnitType
from guodong.orgs.models import DutyItem, Organization


class OrganizationFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("kind"))
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices, label=_("unit type"))
    within_division = IdFilter(method="in_subtree", label=_("within division"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "unit_type", "within_division", "is_active"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=value) | Q(division__name__icontains=value))

    def in_subtree(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        division = Division.objects.filter(pk=value).first()
        if division is None:
            return queryset.none()
        return queryset.filter(within("division__path", division.path))


class DutyItemFilterSet(FilterSet):
    organization = IdFilter(field_name="organization_id", label=_("organization"))
    cycle = django_filters.ChoiceFilter(choices=DutyCycle.choices, label=_("cycle"))

    class Meta:
        model = DutyItem
        fields = ["organization", "cycle"]
