"""Issue 3 benchmarks on PostgreSQL, each beside its baseline measured in the same run.

1. Import of a 1,000,000-row CSV: rows/s of the importer (check pass, write pass) beside a raw
   COPY of the same file into a table of text columns. Goal: write pass >= 0.5 x COPY. Beside
   them, two more baselines from the same run: COPY of the resolved rows into the holdings table
   itself, and into a bare copy of it with no index or key (the floor for any importer).
2. Category x county aggregation over those 1,000,000 holdings: p50 of the ORM query behind
   the potential page beside the hand-written SQL GROUP BY. Goal: within 1.5 x and < 300 ms.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import p50, setup_django, timed

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))


def measure_import(path: Path, user: Any, size_mb: float) -> None:
    from django.db import connection

    from guodong.registry.importing.columns import COLUMNS
    from guodong.registry.models import Holding, ImportJob
    from guodong.registry.models.surveys import ImportStatus
    from guodong.registry.services.imports import check_import, write_import

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Holding._meta.db_table} CASCADE")
        columns = ", ".join(f"c{i} text" for i in range(len(COLUMNS)))
        cursor.execute(
            f"DROP TABLE IF EXISTS bench_raw; CREATE UNLOGGED TABLE bench_raw ({columns})"
        )

    def raw_copy() -> None:
        statement = "COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)"
        with (
            connection.cursor() as cursor,
            path.open("rb") as stream,
            cursor.cursor.copy(statement) as copy,
        ):
            while chunk := stream.read(1 << 20):
                copy.write(chunk)

    copy_seconds = timed(raw_copy)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw")

    job = ImportJob.objects.create(
        uploaded_by=user, scope_path=user.jurisdiction_path, original_name=path.name,
        file=f"bench/{path.name}", status=ImportStatus.VALIDATING, encoding="auto",
    )  # fmt: skip
    check_seconds = timed(lambda: check_import(job.pk))
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED, job.message
    write_seconds = timed(lambda: write_import(job.pk))
    job.refresh_from_db()
    assert job.imported_rows == ROWS == job.valid_rows, (
        job.imported_rows,
        job.valid_rows,
        job.errors[:3],
    )

    print(f"\n## Import of {ROWS:,} rows ({size_mb:.0f} MB CSV) into PostgreSQL")
    print(f"raw COPY (baseline)        {copy_seconds:7.2f} s  {ROWS / copy_seconds:>10,.0f} rows/s")
    print(
        f"importer: write pass       {write_seconds:7.2f} s  {ROWS / write_seconds:>10,.0f} rows/s"
        f"  = {copy_seconds / write_seconds:.2f} x COPY (goal >= 0.5)"
    )
    print(
        f"importer: check pass       {check_seconds:7.2f} s  {ROWS / check_seconds:>10,.0f} rows/s"
    )
    total = check_seconds + write_seconds
    print(
        f"importer: check + write    {total:7.2f} s  {ROWS / total:>10,.0f} rows/s"
        f"  = {copy_seconds / total:.2f} x COPY"
    )
    table_seconds, bare_seconds = copy_into_holdings(path.with_suffix(".resolved.csv"))
    print(
        f"raw COPY of the resolved rows into the holdings table itself (indexes, keys): "
        f"{table_seconds:.2f} s, {ROWS / table_seconds:,.0f} rows/s; write pass = "
        f"{table_seconds / write_seconds:.2f} x that, check + write = "
        f"{table_seconds / total:.2f} x that"
    )
    print(
        f"floor: raw COPY of the resolved rows into a bare copy of the table (no index, no key): "
        f"{bare_seconds:.2f} s = {copy_seconds / bare_seconds:.2f} x the text COPY's speed"
    )


def copy_into_holdings(dump: Path) -> tuple[float, float]:
    """Two more baselines: the same rows, already resolved to ids, COPYed straight into the
    holdings table with its indexes and foreign keys (what any import into it must pay), and
    into a bare copy of the table without them (what no importer of typed rows can beat)."""
    from django.db import connection, transaction

    from guodong.registry.models import Holding
    from guodong.registry.services.holding_rows import WRITE_COLUMNS

    table, columns = Holding._meta.db_table, ", ".join(WRITE_COLUMNS)
    with connection.cursor() as cursor, dump.open("wb") as stream:
        with cursor.cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT") as copy:
            for data in copy:
                stream.write(data)
        cursor.execute(f"TRUNCATE {table} CASCADE")

    def load(into: str = table) -> None:
        statement = f"COPY {into} ({columns}) FROM STDIN"
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            dump.open("rb") as stream,
            cursor.cursor.copy(statement) as copy,
        ):
            while chunk := stream.read(1 << 20):
                copy.write(chunk)

    seconds = timed(load)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP TABLE IF EXISTS bench_bare; CREATE TABLE bench_bare "
            f"(LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
    bare_seconds = timed(lambda: load("bench_bare"))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare")
    dump.unlink()
    return seconds, bare_seconds


def measure_resurvey(user: Any, path: Path) -> None:
    """The same file imported again as next year's survey: every row replaces the holding it
    reports again (BENCH_RESURVEY=1; it leaves the replaced million rows in the table)."""
    from guodong.registry.models import ImportJob
    from guodong.registry.models.surveys import ImportStatus
    from guodong.registry.services import imports as jobs
    from guodong.registry.services.imports import check_import, write_import

    job = ImportJob.objects.create(
        uploaded_by=user, scope_path=user.jurisdiction_path, original_name=path.name,
        file=f"bench/{path.name}", status=ImportStatus.VALIDATING, encoding="auto",
    )  # fmt: skip
    check_seconds = timed(lambda: check_import(job.pk))
    replacing: list[float] = []
    replace_older = jobs.replace_older

    def timed_replace(job: Any, at: Any) -> int:
        started = time.perf_counter()
        replaced = replace_older(job, at)
        replacing.append(time.perf_counter() - started)
        return replaced

    jobs.replace_older = timed_replace
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    write_seconds = timed(lambda: write_import(job.pk))
    jobs.replace_older = replace_older
    job.refresh_from_db()
    print(f"\n## Re-survey: the same {ROWS:,} rows imported again, replacing what they report")
    print(f"check pass {check_seconds:7.2f} s ({job.repeated_rows:,} rows already registered)")
    print(
        f"write pass {write_seconds:7.2f} s, of which replacing {job.replaced_holdings:,} older "
        f"holdings {replacing[0]:.2f} s"
    )


def main() -> None:
    if not setup_django():
        return
    from django.conf import settings
    from django.db import connection
    from synthetic import write_csv

    from guodong.accounts.models import User
    from guodong.registry.models import Holding
    from guodong.registry.potential import county_category_totals

    folder = Path(settings.MEDIA_ROOT) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"holdings-{ROWS}.csv"
    if not path.exists():
        print(f"writing {ROWS:,} synthetic rows to {path} …")
        write_csv(path, ROWS)
    size_mb = path.stat().st_size / 1e6
    user = User.objects.get(username="city_staff")
    if os.environ.get("BENCH_REUSE") == "1" and Holding.objects.count() == ROWS:
        print(f"reusing the {ROWS:,} holdings already imported (BENCH_REUSE=1)")
    else:
        measure_import(path, user, size_mb)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Holding._meta.db_table}")
    holdings = Holding.objects.visible_to(user)
    table = Holding._meta.db_table
    sql = (
        f"SELECT category_id, county_id, SUM(quantity_available), COUNT(*) FROM {table} "
        "WHERE division_path >= %s AND division_path < %s AND merged_into_id IS NULL "
        "GROUP BY category_id, county_id"
    )
    bounds = [user.jurisdiction_path, user.jurisdiction_path[:-1] + "0"]

    def raw_sql() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, bounds)
            return cursor.fetchall()

    orm_rows, raw_rows = county_category_totals(holdings), raw_sql()
    assert len(orm_rows) == len(raw_rows) and sum(r["count"] for r in orm_rows) == ROWS
    sql_p50, orm_p50 = p50(raw_sql), p50(lambda: county_category_totals(holdings))
    print(
        f"\n## Category x county aggregation over {ROWS:,} holdings (PostgreSQL, city staff scope)"
    )
    print(f"hand-written SQL GROUP BY  p50 {sql_p50 * 1000:7.1f} ms")
    print(
        f"potential query (ORM)      p50 {orm_p50 * 1000:7.1f} ms  = {orm_p50 / sql_p50:.2f} x SQL"
        f" (goal <= 1.5 x and < 300 ms)"
    )
    if os.environ.get("BENCH_RESURVEY") == "1":
        measure_resurvey(user, path)


if __name__ == "__main__":
    main()
