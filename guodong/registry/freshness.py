"""Freshness: a holding is fresh, ageing or stale by the age of its last verification against
its category's period. Computed in SQL with one threshold pair per category (about ten)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from guodong.registry.choices import AGEING_SHARE, CatalogueLevel, Freshness
from guodong.registry.models import ResourceType


def _thresholds(now: dt.datetime | None = None) -> dict[int, tuple[dt.datetime, dt.datetime]]:
    """category id → (fresh after, stale before)."""
    now = now or timezone.now()
    periods = ResourceType.objects.filter(level=CatalogueLevel.CATEGORY).values_list(
        "pk", "freshness_days"
    )
    return {
        pk: (now - dt.timedelta(days=days * AGEING_SHARE), now - dt.timedelta(days=days))
        for pk, days in periods
        if days
    }


def freshness_q(state: str, now: dt.datetime | None = None) -> Q:
    """Rows of holdings in `state`."""
    result = Q(pk__in=[])
    for category_id, (fresh_after, stale_before) in _thresholds(now).items():
        in_category = Q(category_id=category_id)
        if state == Freshness.FRESH:
            result |= in_category & Q(last_verified_at__gte=fresh_after)
        elif state == Freshness.AGEING:
            result |= in_category & Q(
                last_verified_at__lt=fresh_after, last_verified_at__gte=stale_before
            )
        else:
            result |= in_category & (
                Q(last_verified_at__lt=stale_before) | Q(last_verified_at__isnull=True)
            )
    return result


def with_freshness(queryset: QuerySet[Any], now: dt.datetime | None = None) -> QuerySet[Any]:
    """The queryset with `freshness` (fresh, ageing, stale) by its category's period."""
    whens = []
    for category_id, (fresh_after, stale_before) in _thresholds(now).items():
        whens.append(
            When(
                category_id=category_id,
                last_verified_at__gte=fresh_after,
                then=Value(Freshness.FRESH),
            )
        )
        whens.append(
            When(
                category_id=category_id,
                last_verified_at__gte=stale_before,
                then=Value(Freshness.AGEING),
            )
        )
    # Rows gain a `freshness` attribute the model does not declare: typed as Any.
    annotated: QuerySet[Any] = queryset.annotate(
        freshness=Case(*whens, default=Value(Freshness.STALE), output_field=CharField())
    )
    return annotated


def freshness_of(
    last_verified_at: dt.datetime | None, period_days: int, now: dt.datetime | None = None
) -> str:
    if last_verified_at is None:
        return Freshness.STALE
    age = (now or timezone.now()) - last_verified_at
    if age <= dt.timedelta(days=period_days * AGEING_SHARE):
        return Freshness.FRESH
    if age <= dt.timedelta(days=period_days):
        return Freshness.AGEING
    return Freshness.STALE
