from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.accounts.choices import Role
from guodong.accounts.models import User
from guodong.core.filters import FilterSet, IdChoiceFilter
from guodong.orgs.filtersets import visible_organizations


class UserFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("role"))
    organization = IdChoiceFilter(queryset=visible_organizations, label=_("organization"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = User
        fields = ["q", "role", "organization", "is_active"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(
            Q(username__icontains=value)
            | Q(display_name__icontains=value)
            | Q(organization__name__icontains=value)
        )
