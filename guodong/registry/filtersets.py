"""Registry filters, shared by the pages, the potential query, exports and the API."""

from __future__ import annotations

from typing import Any, cast

import django_filters  # type: ignore[import-untyped]
from django.db.models import Field, Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guodong.core.filters import FilterSet, H3CellFilter, IdChoiceFilter
from guodong.core.scope import within
from guodong.divisions.choosers import DivisionFilter
from guodong.divisions.h3cells import STORED_RESOLUTION, descendant_range
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.choices import (
    Availability,
    CatalogueLevel,
    Condition,
    Freshness,
    OwnerKind,
    Readiness,
)
from guodong.registry.freshness import freshness_q
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ResourceType,
    Siren,
    Specialist,
    Warehouse,
)
from guodong.registry.models.facilities import FacilityStatus


def catalogue_choices() -> list[tuple[int, str]]:
    rows = ResourceType.objects.filter(level__lte=CatalogueLevel.KIND).order_by("path")
    return [(t.pk, ("　" * (t.level - 1)) + t.name) for t in rows]


def owner_choices(request: Any) -> QuerySet[Any]:
    if request is None:
        return Organization.objects.none()
    return Organization.objects.visible_to(request.user).filter(kind="member_unit")


def in_catalogue_node(
    queryset: QuerySet[Any], value: str, field: str = "type__path"
) -> QuerySet[Any]:
    """Records under one catalogue category or kind (none for an unknown node)."""
    node = ResourceType.objects.filter(pk=value).first()
    return queryset.filter(within(field, node.path)) if node else queryset.none()


def in_area(queryset: QuerySet[Any], name: str, value: Division) -> QuerySet[Any]:
    return queryset.filter(within("division_path", value.path))


class AreaFilter(DivisionFilter):
    """Any division the user can see narrows the list to its subtree (the potential table links
    down to villages), chosen by type-ahead."""

    def __init__(self) -> None:
        super().__init__(method=in_area, label=_("division"))


class HoldingFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(
        method="in_catalogue", label=_("category"), choices=catalogue_choices
    )
    type = IdChoiceFilter(
        queryset=ResourceType.objects.filter(level=CatalogueLevel.TYPE), label=_("resource type")
    )
    division = AreaFilter()
    readiness = django_filters.ChoiceFilter(choices=Readiness.choices, label=_("readiness"))
    freshness = django_filters.ChoiceFilter(
        choices=Freshness.choices, method="by_freshness", label=_("freshness")
    )
    owner_kind = django_filters.ChoiceFilter(choices=OwnerKind.choices, label=_("owner kind"))
    condition = django_filters.ChoiceFilter(choices=Condition.choices, label=_("condition"))
    owner = IdChoiceFilter(queryset=owner_choices, label=_("owner unit"))
    h3 = H3CellFilter(method="in_cell", label=_("map cell"), max_resolution=STORED_RESOLUTION)

    class Meta:
        model = Holding
        fields = [
            "q",
            "h3",
            "category",
            "type",
            "division",
            "readiness",
            "freshness",
            "owner_kind",
            "condition",
            "owner",
        ]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(
            Q(owner_name__icontains=value)
            | Q(address__icontains=value)
            | Q(type__name__icontains=value)
        )

    def in_catalogue(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return in_catalogue_node(queryset, value)

    def in_cell(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        """Holdings inside one map cell (any resolution up to the stored one), from the map's
        popup link; the field has checked the cell."""
        low, high = descendant_range(value)
        return queryset.filter(h3_cell__gte=low, h3_cell__lte=high)

    def by_freshness(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(freshness_q(value))


class SpecialistFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    qualification = IdChoiceFilter(
        field_name="qualifications__type",
        queryset=ResourceType.objects.filter(level=CatalogueLevel.TYPE, category__code="HR"),
        label=_("qualification"),
    )
    category = django_filters.ChoiceFilter(
        method="in_catalogue", label=_("category"), choices=catalogue_choices
    )
    division = AreaFilter()
    availability = django_filters.ChoiceFilter(
        choices=Availability.choices, label=_("availability")
    )

    class Meta:
        model = Specialist
        fields = ["q", "qualification", "category", "division", "availability"]

    def in_catalogue(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Specialists with any qualification under a catalogue category or kind."""
        return in_catalogue_node(queryset, value, "qualifications__type__path").distinct()


class FacilityFilterBase(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("status"))
    division = AreaFilter()


def facility_filterset(model: type[Model]) -> type[django_filters.FilterSet]:
    """The same filters for shelters, sirens and warehouses (plus each one's kind)."""
    meta = type("Meta", (), {"model": model, "fields": ["q", "status", "division", "kind"]})
    # Declared, not generated: django-filter would read the field's verbose name once at import,
    # before any language is active, and show "Kind" in English.
    kind = django_filters.ChoiceFilter(
        choices=cast(Field[Any, Any], model._meta.get_field("kind")).choices, label=_("kind")
    )
    return type(f"{model.__name__}FilterSet", (FacilityFilterBase,), {"Meta": meta, "kind": kind})


CivilDefenceWorkFilterSet = facility_filterset(CivilDefenceWork)
SirenFilterSet = facility_filterset(Siren)
WarehouseFilterSet = facility_filterset(Warehouse)
