"""Writing validated rows: COPY on PostgreSQL, batched executemany elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from guodong.core.crypto import encrypt
from guodong.maps.h3cells import cell_of
from guodong.registry.choices import VerificationMethod
from guodong.registry.importing.validate import ValidRow
from guodong.registry.models import Holding

WRITE_COLUMNS = (
    "owner_kind", "owner_id", "owner_name", "type_id", "category_id", "quantity_total",
    "quantity_available", "condition", "readiness", "division_id", "division_path", "county_id",
    "address", "latitude", "longitude", "h3_cell", "contact_name", "contact_phone", "notes",
    "last_verified_at", "last_verified_by_id", "verification_method", "source_import_id",
    "created_at", "updated_at",
)  # fmt: skip


class RowWriter:
    """Turns valid rows into database rows; phone numbers are encrypted once per distinct value
    within an import (the ciphertext of equal numbers is then equal, which the blind index of
    ID numbers already discloses for specialists; nothing else is learned)."""

    def __init__(self, acting_user: Any, job_id: int | None = None) -> None:
        self.user_id = getattr(acting_user, "pk", None)
        self.job_id = job_id
        self.now = timezone.now()
        self._cipher: dict[str, str] = {}

    def _phone(self, phone: str) -> str:
        if not phone:
            return ""
        if phone not in self._cipher:
            self._cipher[phone] = encrypt(phone)
        return self._cipher[phone]

    def tuples(self, rows: Iterable[ValidRow]) -> Iterable[tuple]:
        user_id, now, survey, job_id = (
            self.user_id,
            self.now,
            VerificationMethod.SURVEY,
            self.job_id,
        )
        for row in rows:
            v = row.values
            yield (
                v["owner_kind"], v["owner_id"], v["owner_name"], v["type_id"], v["category_id"],
                v["quantity_total"], v["quantity_available"], v["condition"], v["readiness"],
                v["division_id"], v["division_path"], v["county_id"], v["address"], v["latitude"],
                v["longitude"], cell_of(v["latitude"], v["longitude"]), v["contact_name"],
                self._phone(v["contact_phone"]), v["notes"],
                v["verified_at"], user_id, survey, job_id, now, now,
            )  # fmt: skip

    def write(self, rows: list[ValidRow]) -> int:
        if not rows:
            return 0
        table = Holding._meta.db_table
        columns = ", ".join(WRITE_COLUMNS)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for record in self.tuples(rows):
                        copy.write_row(record)
            else:
                placeholders = ", ".join(["%s"] * len(WRITE_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                    list(self.tuples(rows)),
                )
        return len(rows)
