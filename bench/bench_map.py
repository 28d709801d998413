"""Issue 5 benchmark: the holdings layer endpoint over 1,000,000 holdings on PostgreSQL, at city
and county zoom, beside the plain SQL GROUP BY it rests on. Goal: p50 under 200 ms.

Reuses the registry benchmark's database (run bench_registry.py first, or this script imports
nothing and says so)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import p50, setup_django

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
BATCH = 20_000


def fill_cells() -> None:
    """Rows imported before holdings had an H3 column get theirs (cells come from Python)."""
    from django.db import connection, transaction

    from guodong.divisions.h3cells import cell_of
    from guodong.registry.models import Holding

    missing = Holding.objects.filter(h3_cell__isnull=True).exclude(latitude=None)
    while batch := list(missing.values_list("pk", "latitude", "longitude")[:BATCH]):
        values = ",".join(f"({pk},{cell_of(lat, lon)})" for pk, lat, lon in batch)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Holding._meta.db_table} AS h SET h3_cell = v.cell "
                f"FROM (VALUES {values}) AS v(id, cell) WHERE h.id = v.id"
            )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Holding._meta.db_table}")


def main() -> None:
    if not setup_django():
        return
    from django.db import connection
    from django.test import Client

    from guodong.accounts.models import User
    from guodong.divisions.h3cells import KEEP_MASK, _low_digits
    from guodong.maps.layers import resolution_for
    from guodong.registry.models import Holding

    if Holding.objects.count() < ROWS:
        print(f"the benchmark database holds fewer than {ROWS:,} holdings: run bench_registry.py")
        return
    fill_cells()
    from common import timed

    from guodong.matching.snapshot import SNAPSHOT

    print(f"\n## Holdings layer endpoint over {Holding.objects.count():,} holdings (PostgreSQL)")
    SNAPSHOT.columns = None
    build_seconds = timed(SNAPSHOT.current)
    print(f"building the in-memory snapshot once per process: {build_seconds:.1f} s")
    for username, zoom, label in (
        ("city_staff", 9, "city zoom"),
        ("nanhu_staff", 11, "county zoom"),
    ):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        resolution = resolution_for(zoom)
        bits = (resolution << 52) | _low_digits(resolution)
        path = user.jurisdiction_path
        sql = (
            f"SELECT (h3_cell & %s) | %s AS cell, COUNT(*), SUM(quantity_available) "
            f"FROM {Holding._meta.db_table} WHERE division_path >= %s AND division_path < %s "
            "AND merged_into_id IS NULL AND h3_cell IS NOT NULL GROUP BY 1"
        )

        def raw(sql: str = sql, params: list = [KEEP_MASK, bits, path, path[:-1] + "0"]) -> None:  # noqa: B006
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        def endpoint(client: Client = client, zoom: int = zoom) -> None:
            response = client.get(f"/api/v1/map/holdings/?zoom={zoom}", HTTP_HOST="127.0.0.1")
            assert response.status_code == 200

        cells = len(
            client.get(f"/api/v1/map/holdings/?zoom={zoom}", HTTP_HOST="127.0.0.1").json()["cells"]
        )
        sql_p50, endpoint_p50 = p50(raw, runs=9), p50(endpoint, runs=9)
        print(f"{label} (H3-{resolution}, {cells} cells, {username}):")
        print(f"  plain SQL GROUP BY         p50 {sql_p50 * 1000:7.1f} ms")
        print(
            f"  layer endpoint (HTTP+JSON) p50 {endpoint_p50 * 1000:7.1f} ms"
            f"  = {endpoint_p50 / sql_p50:.2f} x SQL (goal < 200 ms)"
        )


if __name__ == "__main__":
    main()
