"""Organization filters, shared by the list page and the API."""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.filters import FilterSet, IdChoiceFilter
from guodong.core.scope import within
from guodong.divisions.choosers import DivisionFilter
from guodong.divisions.models import Division
from guodong.orgs.choices import DutyCycle, OrganizationKind, UnitType
from guodong.orgs.models import DutyItem, Organization


def visible_organizations(request: Any) -> QuerySet[Organization]:
    """The organizations a filter offers: those the requesting user may see."""
    user = getattr(request, "user", None)
    return Organization.objects.visible_to(user) if user else Organization.objects.none()


class OrganizationFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("kind"))
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices, label=_("unit type"))
    within_division = DivisionFilter(method="in_subtree", label=_("within division"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "unit_type", "within_division", "is_active"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=value) | Q(division__name__icontains=value))

    def in_subtree(self, queryset: QuerySet[Any], name: str, value: Division) -> QuerySet[Any]:
        return queryset.filter(within("division__path", value.path))


class DutyItemFilterSet(FilterSet):
    organization = IdChoiceFilter(queryset=visible_organizations, label=_("organization"))
    cycle = django_filters.ChoiceFilter(choices=DutyCycle.choices, label=_("cycle"))

    class Meta:
        model = DutyItem
        fields = ["organization", "cycle"]
