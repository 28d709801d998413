"""Rules for official division codes, shared by the model and the bulk loaders."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext as _

from guodong.divisions.choices import CODE_LENGTH, SIGNIFICANT_DIGITS, DivisionLevel


class ParentInfo(NamedTuple):
    code: str
    level: int
    name: str


def official_errors(code: str, level: int, parent: ParentInfo | None) -> dict[str, str]:
    """Field → reason for an official (non-grid) division; empty when valid."""
    if level not in CODE_LENGTH:
        return {"level": _("“{level}” is not an official division level.").format(level=level)}
    length = CODE_LENGTH[DivisionLevel(level)]
    if not code.isdigit() or len(code) != length:
        return {
            "code": _(
                "“{code}” is not a valid code for this level: it must be {length} digits."
            ).format(code=code, length=length)
        }
    if level == DivisionLevel.PROVINCE:
        errors = {} if code.endswith("0000") else {"code": _("A province code ends in 0000.")}
        if parent is not None:
            errors["parent"] = _("A province has no parent.")
        return errors
    if level == DivisionLevel.CITY and not code.endswith("00"):
        return {"code": _("A city code ends in 00.")}
    return parent_errors(code, level, parent)


def parent_errors(code: str, level: int, parent: ParentInfo | None) -> dict[str, str]:
    if parent is None:
        return {"parent": _("This level needs a parent division.")}
    if parent.level >= level:
        return {
            "parent": _("A {level} cannot sit under a {parent_level} (“{parent}”).").format(
                level=DivisionLevel(level).label,
                parent_level=DivisionLevel(parent.level).label,
                parent=parent.name,
            )
        }
    prefix = parent.code[: SIGNIFICANT_DIGITS.get(DivisionLevel(parent.level), len(parent.code))]
    if level != DivisionLevel.GRID and not code.startswith(prefix):
        return {
            "code": _("Code “{code}” does not belong under “{parent}” ({prefix}…).").format(
                code=code, parent=parent.name, prefix=prefix
            )
        }
    return {}
