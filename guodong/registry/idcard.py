"""Resident identity card numbers (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> str | None:
    """Why `value` is not a valid ID number, or None."""
    value = value.strip().upper()
    if (
        len(value) != 18
        or not value[:17].isdigit()
        or not (value[17].isdigit() or value[17] == "X")
    ):
        return _("“{value}” is not an 18-character ID number.").format(value=value)
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("“{value}” has an impossible birth date.").format(value=value)
    if check_char(value[:17]) != value[17]:
        return _(
            "“{value}” fails the check digit (GB 11643): the last character should be {char}."
        ).format(value=value, char=check_char(value[:17]))
    return None
