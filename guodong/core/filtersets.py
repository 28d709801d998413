"""Filters for the event log, shared by its page and its API."""

from __future__ import annotations

import django_filters  # type: ignore[import-untyped]
from django.utils.translation import gettext_lazy as _

from guodong.core.filters import FilterSet
from guodong.core.models import Event


class EventFilterSet(FilterSet):
    q = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label=_("Search")
    )
    object_type = django_filters.CharFilter(label=_("object type"))
    object_id = django_filters.CharFilter(label=_("object id"))
    action = django_filters.CharFilter(lookup_expr="icontains", label=_("action"))
    actor_name = django_filters.CharFilter(label=_("actor"))
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From")
    )
    until = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("To")
    )

    class Meta:
        model = Event
        fields = ["q", "object_type", "object_id", "action", "actor_name", "since", "until"]
