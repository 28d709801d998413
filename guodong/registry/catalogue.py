"""Loading and changing the resource catalogue; every change is a new catalogue version."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from guodong.core.audit import BULK_KEY, bulk_rows, record_event, snapshot
from guodong.core.scope import child_path
from guodong.core.services import create_object, update_object
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import CatalogueVersion, ResourceType
from guodong.registry.names import fold, split_synonyms

SEED_FILE = Path(__file__).parent / "data" / "catalogue.csv"
SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.csv"
MAX_SYNONYMS = 50
MAX_SYNONYM_LENGTH = 60


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
def load_catalogue(acting_user: Any, seed: Path = SEED_FILE, synonyms: Path = SYNONYMS_FILE) -> int:
    """Create the types of the seed file that are missing and give the seed's synonyms to nodes
    without any; returns how many types were created."""
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
    with_synonyms = _seed_synonyms(existing.values(), synonyms)
    if with_synonyms and version is None:
        version = _next_version(_("Synonyms loaded from {file}").format(file=synonyms.name))
    if version is not None:
        record_event(
            acting_user,
            "catalogueversion.create",
            version,  # type: ignore[arg-type]  # a version is global: scope_path="" below
            before=None,
            after={
                **snapshot(version),
                "types_created": created,
                "synonyms_set": with_synonyms,
                # The whole catalogue as it now is (a few hundred rows): a replay upserts it.
                BULK_KEY: bulk_rows(ResourceType, ResourceType.objects.order_by("pk")),
            },
            scope_path="",
        )
    return created


def _seed_synonyms(nodes: Iterable[ResourceType], seed: Path) -> int:
    """Give the seed's synonyms to the nodes that have none yet (an administrator's list is kept);
    returns how many nodes were given synonyms."""
    by_code = {node.code: node for node in nodes}
    changed = []
    with seed.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            node = by_code.get(row["code"])
            if node is None or node.synonyms:
                continue
            names = [n for n in split_synonyms(row["synonyms"]) if n != node.name]
            if names:
                node.synonyms = names
                changed.append(node)
    ResourceType.objects.bulk_update(changed, ["synonyms"])
    return len(changed)


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
    metrics: list[dict[str, str]] | None = None,
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


@transaction.atomic
def set_synonyms(acting_user: Any, node: ResourceType, synonyms: Iterable[str]) -> ResourceType:
    """Replace the other names a kind or type is known by (what EDXL-RM intake resolves): a new
    catalogue version when the list changes."""
    names = split_synonyms("\n".join(synonyms))
    if node.level == CatalogueLevel.CATEGORY:
        raise ValidationError({"synonyms": _("Give synonyms to a kind or a type.")})
    if len(names) > MAX_SYNONYMS:
        raise ValidationError(
            {"synonyms": _("At most {n} synonyms.").format(n=MAX_SYNONYMS)}
        )  # fmt: skip
    for name in names:
        if len(name) > MAX_SYNONYM_LENGTH or not fold(name).core:
            raise ValidationError(
                {"synonyms": _(
                    "“{name}” cannot be a synonym: give words, not only figures, in at most "
                    "{n} characters."
                ).format(name=name, n=MAX_SYNONYM_LENGTH)}
            )  # fmt: skip
    names = [name for name in names if name != node.name]
    if names == node.synonyms:
        return node
    _next_version(_("Synonyms of {name} changed").format(name=node.name))
    return update_object(acting_user, node, {"synonyms": names}, scope_field="code")
