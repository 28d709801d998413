"""Load NBS village codes for any code prefix from a china-division villages.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guodong.core.services import SystemActor
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.loader import DEMO_VILLAGES, LoadError, counts_under, load_villages
from guodong.divisions.models import Division


class Command(BaseCommand):
    help = "Load village-level divisions whose code starts with --prefix (townships first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, default=DEMO_VILLAGES, help="villages.csv path")
        parser.add_argument("--prefix", default="3304", help="code prefix, e.g. 33 or 3304")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail when a village's township is not loaded, instead of skipping it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["csv"].is_file():
            raise CommandError(f"no such file: {options['csv']}")
        try:
            result = load_villages(
                SystemActor("load_villages"),
                csv_path=options["csv"],
                prefix=options["prefix"],
                strict=options["strict"],
            )
        except LoadError as error:
            raise CommandError(str(error)) from error
        for row in result.skipped[:20]:
            self.stderr.write(
                f"skipped line {row.line}: {row.code} {row.name} "
                f"(township {row.parent_code} is not loaded)"
            )
        self.stdout.write(
            f"villages created: {result.created[DivisionLevel.VILLAGE]}, "
            f"renamed: {result.renamed}, skipped: {len(result.skipped)}"
        )
        load = result.load
        if load is not None and load.scope_path:
            root = Division.objects.get(path=load.scope_path)
            for level, count in sorted(counts_under(root).items()):
                self.stdout.write(f"{root.name} {DivisionLevel(level).label}: {count}")
