"""End to end (issue 4): a stored demand of 50 lines → certified-optimal allocation → approved
reservation → persisted missions, over 100,000 holdings, on SQLite and on PostgreSQL.

The holdings snapshot is kept warm between demands, as in a running server; the first, cold
matching (which builds it) is printed too. Goal: under 2 s per demand.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, setup_django

ROWS = int(os.environ.get("BENCH_E2E_ROWS", 100_000))
LINES = 50
DATABASES = {
    "SQLite": f"sqlite:///{ROOT / 'var' / 'bench-demand.sqlite3'}",
    "PostgreSQL": "postgres://postgres@127.0.0.1:5432/guodong_bench_demand",
}


def load_holdings(user: object) -> None:
    from django.conf import settings
    from synthetic import write_csv

    from guodong.registry.models import Holding, ImportJob
    from guodong.registry.models.surveys import ImportStatus
    from guodong.registry.services.imports import check_import, write_import

    if Holding.objects.count() >= ROWS:
        return
    folder = Path(settings.MEDIA_ROOT) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"holdings-{ROWS}.csv"
    if not path.exists():
        write_csv(path, ROWS)
    job = ImportJob.objects.create(
        uploaded_by=user, scope_path=user.jurisdiction_path, original_name=path.name,
        file=f"bench/{path.name}", status=ImportStatus.VALIDATING, encoding="auto",
    )  # fmt: skip
    check_import(job.pk)
    write_import(job.pk)


def approved_demand(liaison: object, staff: object, seed: int) -> object:
    import datetime as dt
    import random

    from django.db.models import Sum
    from django.utils import timezone

    from guodong.demands.services import create_demand, transition
    from guodong.divisions.models import Division
    from guodong.registry.models import Holding

    rng = random.Random(seed)
    city = Division.objects.get(code="330400", effective_to__isnull=True)
    totals = list(
        Holding.objects.values("type").annotate(total=Sum("quantity_available")).order_by("type")
    )
    points = list(Holding.objects.values_list("latitude", "longitude", "division")[:2000])
    lines = []
    for row in rng.sample(totals, LINES):
        lat, lon, division = rng.choice(points)
        lines.append({
            "resource_type_id": row["type"], "quantity": max(1, int(row["total"]) // 20),
            "destination_division_id": division, "destination": "集结点",
            "latitude": lat, "longitude": lon,
            "report_by": timezone.now() + dt.timedelta(hours=12),
        })  # fmt: skip
    from guodong.registry.models import ResourceType

    types = ResourceType.objects.in_bulk([line["resource_type_id"] for line in lines])
    divisions = Division.objects.in_bulk([line["destination_division_id"] for line in lines])
    for line in lines:
        line["resource_type"] = types[line.pop("resource_type_id")]
        line["destination_division"] = divisions[line.pop("destination_division_id")]
    demand = create_demand(liaison, {
        "title": f"基准需求 {seed}", "requester": "嘉兴军分区", "division": city,
    }, lines)  # fmt: skip
    transition(staff, demand, "analyse")
    return transition(staff, demand, "approve")


def measure(label: str) -> None:
    if not setup_django(DATABASES[label]):
        return
    from guodong.accounts.models import User
    from guodong.matching.services import approve_matching, run_matching

    staff = User.objects.get(username="city_staff")
    liaison = User.objects.get(username="liaison")
    load_holdings(staff)
    times, cold = [], None
    for seed in range(4):
        demand = approved_demand(liaison, staff, seed)
        started = time.perf_counter()
        run = run_matching(staff, demand)
        missions = approve_matching(staff, run)
        elapsed = time.perf_counter() - started
        allocations = run.allocations.count()
        if cold is None:
            cold = elapsed
        else:
            times.append(elapsed)
    print(f"{label:10}: {statistics.median(times) * 1000:7.0f} ms per demand (median of "
          f"{len(times)}, warm snapshot; cold first demand {cold * 1000:.0f} ms)  "
          f"{allocations} allocations, {len(missions)} missions — goal < 2000 ms")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1:
        measure(sys.argv[1])
        return
    (ROOT / "var").mkdir(exist_ok=True)
    print(f"{ROWS:,} holdings × {LINES} lines: stored demand → matching → reservation → missions")
    for label in DATABASES:
        subprocess.run([sys.executable, __file__, label], check=True)


if __name__ == "__main__":
    main()
