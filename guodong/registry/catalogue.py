"""Loading and changing the resource catalogue; every change is a new catalogue version."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from guodong.core.audit import record_event
from guodong.core.scope import child_path
from guodong.core.services import create_object, update_object
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import CatalogueVersion, ResourceType

SEED_FILE = Path(__file__).parent / "data" / "catalogue.csv"


def _parse_metrics(text: str) -> list[dict[str, str]]:
    metrics = []
    for part in filter(None, text.split(";")):
        key, name, unit = part.split(":")
        metrics.append({"key": key, "name": name, "unit": unit})
    return metrics


def _next_version(note: str) -> CatalogueVersion:
    top = CatalogueVersion.objects.select_for_update().aggregate(top=Max("number"))["top"] or 0
    return CatalogueVersion.objects.create(number=top + 1, note=note[:200])


def _node(
    code: str, name: str, level: int, parent: ResourceType | None, **extra: Any
) -> ResourceType:
    node = ResourceType(code=code, name=name, level=level, parent=parent, **extra)
    node.category = parent.category if parent and parent.category_id else parent
    node.save()
    if level == CatalogueLevel.CATEGORY:
        node.category = node
    node.path = child_path(parent.path if parent else "", node.pk)
    node.save(update_fields=["path", "category"])
    return node


@transaction.atomic
def load_catalogue(acting_user: Any, seed: Path = SEED_FILE) -> int:
    """Create the types of the seed file that are missing; returns how many were created."""
    existing = {t.code: t for t in ResourceType.objects.all()}
    created = 0
    version: CatalogueVersion | None = None
    with seed.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            codes = (
                row["category"],
                f"{row['category']}.{row['kind']}",
                f"{row['category']}.{row['kind']}.{row['type']}",
            )
            if codes[2] in existing:
                continue
            version = version or _next_version(
                _("Catalogue loaded from {file}").format(file=seed.name)
            )
            if codes[0] not in existing:
                existing[codes[0]] = _node(
                    codes[0],
                    row["category_name"],
                    CatalogueLevel.CATEGORY,
                    None,
                    freshness_days=int(row["freshness_days"]),
                    introduced_in=version.number,
                )
            if codes[1] not in existing:
                existing[codes[1]] = _node(
                    codes[1],
                    row["kind_name"],
                    CatalogueLevel.KIND,
                    existing[codes[0]],
                    introduced_in=version.number,
                )
            existing[codes[2]] = _node(
                codes[2],
                row["type_name"],
                CatalogueLevel.TYPE,
                existing[codes[1]],
                unit=row["unit"],
                capability_level=int(row["capability_level"]) if row["capability_level"] else None,
                metrics=_parse_metrics(row["metrics"]),
                introduced_in=version.number,
            )
            created += 1
    if version is not None:
        record_event(
            acting_user,
            "catalogueversion.create",
            version,
            before=None,
            after={"number": version.number, "note": version.note, "types_created": created},
            scope_path="",
        )
    return created


TYPE_CODE = re.compile(r"[A-Z0-9-]{1,20}")


@transaction.atomic
def add_type(
    acting_user: Any,
    *,
    parent: ResourceType,
    code: str,
    name: str,
    unit: str,
    capability_level: int | None = None,
    metrics: list | None = None,
) -> ResourceType:
    """Add a type under a kind: a new catalogue version."""
    if parent.level != CatalogueLevel.KIND:
        raise ValidationError({"parent": _("A type sits under a kind.")})
    if not TYPE_CODE.fullmatch(code):
        raise ValidationError(
            {"code": _("“{code}”: use capital letters, digits and hyphens (at most 20).").format(
                code=code
            )}
        )  # fmt: skip
    version = _next_version(_("Added type {name}").format(name=name))
    resource_type = create_object(
        acting_user,
        ResourceType,
        {
            "code": f"{parent.code}.{code}",
            "name": name,
            "level": CatalogueLevel.TYPE,
            "parent": parent,
            "category": parent.category,
            "unit": unit,
            "capability_level": capability_level,
            "metrics": metrics or [],
            "introduced_in": version.number,
        },
        scope_field="code",
    )
    resource_type.path = child_path(parent.path, resource_type.pk)
    resource_type.save(update_fields=["path"])
    return resource_type


@transaction.atomic
def retire_type(acting_user: Any, resource_type: ResourceType) -> ResourceType:
    """Retire a type: existing holdings keep it, new ones cannot use it."""
    version = _next_version(_("Retired type {name}").format(name=resource_type.name))
    return update_object(
        acting_user, resource_type, {"retired_in": version.number}, scope_field="code"
    )
