"""Load or refresh the national divisions down to townships (MCA data)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guodong.core.services import SystemActor
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.loader import LoadError, load_official


class Command(BaseCommand):
    help = "Load every province, city, county and township from the packaged MCA dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--revoke-missing",
            action="store_true",
            help="Revoke divisions in force that the dataset no longer lists.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = load_official(
                SystemActor("load_divisions"), revoke_missing=options["revoke_missing"]
            )
        except LoadError as error:
            raise CommandError(str(error)) from error
        for level, count in sorted(result.created.items()):
            self.stdout.write(f"created {DivisionLevel(level).label}: {count}")
        self.stdout.write(
            f"renamed: {result.renamed}, revoked: {result.revoked}, "
            f"took {time.monotonic() - started:.1f}s"
        )
