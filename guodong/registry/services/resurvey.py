"""A re-survey replaces what the last one reported.

A valid row that names the owner, type and place of a holding already registered (the key the
duplicates page uses) is counted when the file is checked. When the user keeps the default at
commit, each such older holding is merged into the first new holding of its key in one UPDATE:
it leaves every list and total, keeps its history, and the new survey's figures count. Holdings
with reservations are left alone (missions rely on them), as is anything outside what the
uploader may change.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet

from guodong.core.actors import Actor
from guodong.registry.importing.validate import ValidRows
from guodong.registry.models import Holding, ImportJob

KEY = Holding.DUPLICATE_KEY


def replaceable(acting_user: Actor) -> QuerySet[Holding]:
    """Holdings an import by this user may replace."""
    return Holding.objects.visible_to(acting_user, "change").filter(
        quantity_reserved=0, quantity_reserved_exercise=0
    )


class RepeatCounter:
    """Counts valid rows whose key is already registered. Keys are kept as hashes: a million
    registered holdings cost a set of integers, and the figure is a count for the report (the
    replacement itself compares the real values in SQL)."""

    def __init__(self, acting_user: Actor) -> None:
        keys = replaceable(acting_user).order_by().values_list(*KEY)
        self.registered = {hash(key) for key in keys.iterator(chunk_size=20_000)}

    def count(self, rows: ValidRows) -> int:
        if not self.registered:
            return 0
        c = rows.columns
        keys = zip(c["owner_name"], c["type_id"], c["division_id"], strict=True)
        return sum(hash(key) in self.registered for key in keys)


def replace_older(job: ImportJob, at: dt.datetime) -> int:
    """Merge the older holdings that share a key with this job's holdings into them, stamped
    `at` (the commit's event records it, so a replay stamps the same)."""
    candidates = replaceable(job.uploaded_by).exclude(source_import=job).order_by().values("id")
    scope_sql, scope_params = candidates.query.sql_with_params()
    table = Holding._meta.db_table
    join = " AND ".join(f"{table}.{column} = firsts.{column}" for column in KEY)
    statement = (
        f"UPDATE {table} SET merged_into_id = firsts.id, updated_at = %s "  # noqa: S608
        f"FROM (SELECT MIN(id) AS id, {', '.join(KEY)} FROM {table} "
        f"WHERE source_import_id = %s GROUP BY {', '.join(KEY)}) AS firsts "
        f"WHERE {join} AND {table}.id IN ({scope_sql})"
    )
    with connection.cursor() as cursor:
        # The planners' statistics predate the rows just written (SQLite has none at all);
        # without fresh ones both join the new rows to the old by nested loops over the type
        # index: minutes, not seconds, for a large survey.
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(statement, [at, job.pk, *scope_params])
        replaced: int = cursor.rowcount
        return replaced
