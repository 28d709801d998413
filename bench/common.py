"""Shared setup for the benchmarks: a PostgreSQL database of their own with the demo city."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/guodong_bench")


def setup_django(url: str = BENCH_DB) -> bool:
    """Point Django at a benchmark database (created if missing); False when it is a
    PostgreSQL database and the server is not reachable."""
    if url.startswith("postgres"):
        import psycopg

        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        name = url.rsplit("/", 1)[1]
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if not exists:
                    connection.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as error:
            print(f"PostgreSQL not reachable ({error}); benchmarks skipped.")
            return False
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guodong.settings")
    os.environ.setdefault(
        "GUODONG_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from guodong.core.services import SystemActor
    from guodong.demo.seed import ensure_divisions, seed_organizations, seed_users
    from guodong.registry.catalogue import load_catalogue

    ensure_divisions()
    seed_organizations()
    seed_users()
    load_catalogue(SystemActor("bench"))
    return True


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def p50(function: Callable[[], object], runs: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        function()
    return statistics.median(timed(function) for _ in range(runs))
