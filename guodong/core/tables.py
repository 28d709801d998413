"""Declarative columns for the generic list, detail and export views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    accessor: str  # dotted path, e.g. "division.name"
    label: str | Promise
    link: bool = False  # link the cell to the row's detail page

    def value(self, obj: models.Model) -> Any:
        """The display value: choice labels instead of stored codes, "" for missing."""
        current: Any = obj
        parts = self.accessor.split(".")
        for i, part in enumerate(parts):
            if current is None:
                return ""
            is_last = i == len(parts) - 1
            display = getattr(current, f"get_{part}_display", None)
            current = display() if is_last and display else getattr(current, part)
            if callable(current) and not isinstance(current, models.Model):
                current = current()
        return "" if current is None else current
