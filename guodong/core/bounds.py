"""Integer fields hold what both databases hold.

SQLite stores any integer column as 64 bits, so on SQLite Django bounds a PositiveIntegerField
by 2^63 − 1, while PostgreSQL's integer column stops at 2^31 − 1: a capacity of three billion
saved on a SQLite node could not be replicated to a PostgreSQL one, and a value past 2^63
overflows SQLite itself. Every integer field of the project's models therefore carries the
validators of the narrower column type (PostgreSQL's, which SQLite also holds), whichever
database runs. Model forms (through `full_clean`) and DRF model serializers (which read a model
field's validators into `min_value`/`max_value`) then refuse an out-of-range number with the
field's name and its limit. Decimal fields are bounded by their `max_digits` already.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

PROJECT_PREFIX = "guodong."


def portable_range(field: models.IntegerField[Any, Any]) -> tuple[int, int]:
    """The values an integer column of this type holds on every supported database."""
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]


def bound_integer_fields() -> None:
    """Give every integer field of the project's models its portable range's validators
    (keys and relations excepted: their values come from the database)."""
    for model in apps.get_models():
        if not model.__module__.startswith(PROJECT_PREFIX):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.IntegerField) or isinstance(field, models.AutoField):
                continue
            low, high = portable_range(field)
            # `validators` is a cached property: the field's own validators plus, for an
            # integer field, the connection's range, which this replaces. Setting the cache
            # leaves `deconstruct()` (and so the migrations) untouched.
            own = models.Field.validators.func(field)  # type: ignore[attr-defined]
            field.__dict__["validators"] = [
                *own,
                MinValueValidator(low),
                MaxValueValidator(high),
            ]
