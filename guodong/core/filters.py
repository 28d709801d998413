"""Filter fields for ids and H3 cells that refuse bad values before they reach the database.

A query string is typed by anyone: `?owner=99999999999999999999` overflows SQLite's 64-bit
integers, `?division=²` passes `str.isdigit()` and `?organization=-1.47e+76` is a valid decimal.
Every id and map-cell filter uses the fields below, so such values become a form error that
names the field and the value (a 400 in the API, an error beside the filter on a page) instead
of a server error. `FilterSet` gives filters that django-filter generates from model fields
(`Meta.fields`, DRF's `filterset_fields`) the same id checking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import django_filters  # type: ignore[import-untyped]
import h3
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.related import OneToOneRel
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters.rest_framework import (  # type: ignore[import-untyped]
    DjangoFilterBackend,
)
from rest_framework.exceptions import ValidationError as APIValidationError

# Ids are positive 64-bit integers on both databases (BigAutoField).
MAX_ID = 2**63 - 1
# An H3 cell's index in hexadecimal (h3 itself raises on a sign or a too-large number).
H3_TEXT = re.compile(r"[0-9a-f]{15,16}")
# An echoed value is cut short so an error message stays readable.
ECHO_LENGTH = 40


def echo(value: object) -> str:
    text = str(value)
    return text if len(text) <= ECHO_LENGTH else text[: ECHO_LENGTH - 1] + "…"


def parse_id(value: object) -> int:
    """An id from a query string: ASCII digits only (no sign, exponent, spaces or other
    scripts' digits, all of which `int()` would take), from 1 to `MAX_ID`."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise ValidationError(
            _("“{value}” is not an id: use a whole number from 1 to {maximum}.").format(
                value=echo(value), maximum=MAX_ID
            ),
            code="invalid_id",
        )
    return int(text)


def id_or_none(value: object) -> int | None:
    """`parse_id` for a view's optional parameter: a bad value is no id at all."""
    try:
        return parse_id(value)
    except ValidationError:
        return None


class IdField(forms.Field):
    """A bare id (no lookup): the filter compares it with a foreign key or a subtree root."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        return parse_id(value)


class IdChoiceField(filter_fields.ModelChoiceField):  # type: ignore[misc]
    """A model choice whose key is checked as an id before the lookup; an id the queryset does
    not hold (unknown, or outside the user's scope) is named in the error."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, models.Model):
            return value
        parse_id(value)
        try:
            return super().to_python(value)
        except ValidationError as error:
            raise ValidationError(
                _("No record “{value}” among those you can choose.").format(value=echo(value)),
                code="invalid_choice",
            ) from error


class IdFilter(django_filters.Filter):  # type: ignore[misc]
    """Filters by an id compared as an integer (a foreign key column or a method's argument)."""

    field_class = IdField


class IdChoiceFilter(django_filters.ModelChoiceFilter):  # type: ignore[misc]
    field_class = IdChoiceField


class H3CellField(forms.Field):
    """A map cell as H3 writes it (15 hexadecimal digits), at a resolution from 0 to
    `max_resolution` (finer cells than the stored ones select nothing meaningful)."""

    def __init__(self, *args: Any, max_resolution: int = 15, **kwargs: Any) -> None:
        self.max_resolution = max_resolution
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        valid = H3_TEXT.fullmatch(text) is not None and h3.is_valid_cell(text)
        if not valid or h3.get_resolution(text) > self.max_resolution:
            raise ValidationError(
                _("“{value}” is not a map cell (H3, resolution 0 to {maximum}).").format(
                    value=echo(value), maximum=self.max_resolution
                ),
                code="invalid_cell",
            )
        cell: int = h3.str_to_int(text)
        return cell


class H3CellFilter(django_filters.Filter):  # type: ignore[misc]
    """Filters by one valid H3 cell, given to the filter (or its method) as an integer."""

    field_class = H3CellField

    def __init__(self, *args: Any, max_resolution: int = 15, **kwargs: Any) -> None:
        super().__init__(*args, max_resolution=max_resolution, **kwargs)


def visible_choices(relation: type) -> Callable[[models.Field[Any, Any]], dict[str, Any]]:
    """A generated relation filter offers the rows the user may see (django-filter's default is
    the whole table: every division of the country in one dropdown)."""
    default_extra = django_filters.FilterSet.FILTER_DEFAULTS[relation]["extra"]

    def extra(field: models.Field[Any, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = default_extra(field)
        manager = field.related_model._default_manager  # type: ignore[union-attr]
        if hasattr(manager, "visible_to"):

            def visible(request: Any) -> models.QuerySet[Any]:
                user = getattr(request, "user", None)
                return manager.visible_to(user) if user is not None else manager.none()

            kwargs["queryset"] = visible
        # A model too large for one dropdown (divisions) names its type-ahead widget.
        if chooser := getattr(field.related_model, "chooser_widget", None):
            kwargs["widget"] = chooser()
        return kwargs

    return extra


# Every relation and primary key django-filter generates a filter for checks its ids.
ID_FILTER_DEFAULTS: dict[Any, dict[str, Any]] = {
    models.AutoField: {"filter_class": IdFilter},
    models.BigAutoField: {"filter_class": IdFilter},
    **{
        relation: {"filter_class": IdChoiceFilter, "extra": visible_choices(relation)}
        for relation in (models.ForeignKey, models.OneToOneField, OneToOneRel)
    },
}


class FilterSet(django_filters.FilterSet):  # type: ignore[misc]
    """The project's filterset base: generated relation filters check their ids."""

    FILTER_DEFAULTS = {**django_filters.FilterSet.FILTER_DEFAULTS, **ID_FILTER_DEFAULTS}


class FilterBackend(DjangoFilterBackend):  # type: ignore[misc]
    """DRF's django-filter backend, generating `filterset_fields` filtersets from `FilterSet`."""

    filterset_base = FilterSet

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        """As django-filter's, but a refused value answers 400 with the form's messages as
        they are: django-filter applies `message % params` to each again, which raised a
        TypeError (a 500) for a message quoting a value that holds "%" (`?division=50%`)."""
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise APIValidationError(
                {name: list(messages) for name, messages in filterset.errors.items()}
            )
        return filterset.qs
