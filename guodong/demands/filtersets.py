"""Demand filters, shared by the demand list page, its export and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.scope import within
from guodong.demands.choices import DemandStatus, Priority, Source
from guodong.demands.models import Demand
from guodong.divisions.models import Division

# The largest id either database stores (a bigint); anything else is a form error, not a query.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 up to the largest stored id, else the filter's form error
    (400 through the API) naming the field — never a database error on overflow.

    Stand-in until the shared id filter of guodong.core lands (issue 10, section 4)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def in_division(queryset: QuerySet, user: Any, value: int, field: str) -> QuerySet:
    """Rows whose `field` path lies under a division the user can see (none for another)."""
    division = Division.objects.visible_to(user).filter(pk=value).first() if user else None
    return queryset.filter(within(field, division.path)) if division else queryset.none()


class DemandFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=DemandStatus.choices, label=_("status"))
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, method="by_priority", label=_("priority")
    )
    is_exercise = django_filters.BooleanFilter(label=_("exercise"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("source"))
    division = IdFilter(method="in_jurisdiction", label=_("handling jurisdiction"))
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

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(requester__icontains=value)
        )

    def by_priority(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Demands with at least one line of this priority."""
        return queryset.filter(pk__in=Demand.objects.filter(lines__priority=value).values("pk"))

    def in_jurisdiction(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        user = getattr(self.request, "user", None)
        return in_division(queryset, user, value, "division_path")
