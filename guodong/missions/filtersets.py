"""Mission filters, shared by the mission list page, its export and the API."""

from __future__ import annotations

import django_filters  # type: ignore[import-untyped]
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.filters import FilterSet, IdChoiceFilter, IdFilter
from guodong.demands.filtersets import in_division
from guodong.divisions.choosers import DivisionFilter
from guodong.divisions.models import Division
from guodong.missions.choices import MissionStatus
from guodong.missions.models import Mission
from guodong.orgs.filtersets import visible_organizations


class MissionFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=MissionStatus.choices, label=_("status"))
    is_exercise = django_filters.BooleanFilter(label=_("exercise"))
    demand = IdFilter(field_name="demand_id", label=_("demand"))
    unit = IdChoiceFilter(queryset=visible_organizations, label=_("responsible unit"))
    division = DivisionFilter(method="in_area", label=_("division"))
    report_after = django_filters.DateFilter(
        field_name="report_by", lookup_expr="date__gte", label=_("report by, from")
    )
    report_before = django_filters.DateFilter(
        field_name="report_by", lookup_expr="date__lte", label=_("report by, until")
    )

    class Meta:
        model = Mission
        fields = [
            "q", "status", "is_exercise", "demand", "unit", "division", "report_after",
            "report_before",
        ]  # fmt: skip

    def search(self, queryset: QuerySet[Mission], name: str, value: str) -> QuerySet[Mission]:
        return queryset.filter(Q(code__icontains=value) | Q(owner_name__icontains=value))

    def in_area(self, queryset: QuerySet[Mission], name: str, value: Division) -> QuerySet[Mission]:
        user = getattr(self.request, "user", None)
        return in_division(queryset, user, value.pk, "division_path")
