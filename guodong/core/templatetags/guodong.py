from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value: Any) -> Any:
    """Display a table value the way a Chinese office worker reads it."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(
            value.normalize() if value == value.to_integral() else value, force_grouping=True
        )
    return value


@register.filter
def verbose_name(obj: Any) -> str:
    return str(obj._meta.verbose_name)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping is not None else None


@register.filter
def index(sequence: Any, position: int) -> Any:
    return sequence[position] if 0 <= position < len(sequence) else ""
