"""Demand filters, shared by the demand list page, its export and the API."""

from __future__ import annotations

from typing import Any, TypeVar

import django_filters  # type: ignore[import-untyped]
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.filters import FilterSet
from guodong.core.scope import within
from guodong.demands.choices import DemandStatus, Priority, Source
from guodong.demands.models import Demand
from guodong.divisions.choosers import DivisionFilter
from guodong.divisions.models import Division

QS = TypeVar("QS", bound="QuerySet[Any]")


def in_division(queryset: QS, user: Actor | None, value: int, field: str) -> QS:
    """Rows whose `field` path lies under a division the user can see (none for another)."""
    division = Division.objects.visible_to(user).filter(pk=value).first() if user else None
    return queryset.filter(within(field, division.path)) if division else queryset.none()


class DemandFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=DemandStatus.choices, label=_("status"))
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, method="by_priority", label=_("priority")
    )
    is_exercise = django_filters.BooleanFilter(label=_("exercise"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("source"))
    division = DivisionFilter(method="in_jurisdiction", label=_("handling jurisdiction"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("received from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("received until")
    )

    class Meta:
        model = Demand
        fields = [
            "q", "status", "priority", "is_exercise", "source", "division", "created_after",
            "created_before",
        ]  # fmt: skip

    def search(self, queryset: QuerySet[Demand], name: str, value: str) -> QuerySet[Demand]:
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(requester__icontains=value)
        )

    def by_priority(self, queryset: QuerySet[Demand], name: str, value: str) -> QuerySet[Demand]:
        """Demands with at least one line of this priority."""
        return queryset.filter(pk__in=Demand.objects.filter(lines__priority=value).values("pk"))

    def in_jurisdiction(
        self, queryset: QuerySet[Demand], name: str, value: Division
    ) -> QuerySet[Demand]:
        user = getattr(self.request, "user", None)
        return in_division(queryset, user, value.pk, "division_path")
