"""`guodong restore FILE`: put a `guodong backup` archive back, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guodong.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Check a backup against its signed manifest, replace every table in one transaction, "
        "reset sequences, verify the event chain and put the media folder in place. Refuses a "
        "tampered or truncated archive, and a database or media folder that holds data unless "
        "--force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="archive written by `guodong backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and media folder that already hold data",
        )
        parser.add_argument(
            "--trust-key",
            default=None,
            metavar="FINGERPRINT",
            help="accept a backup signed by another node's key (its fingerprint, printed by "
            "`guodong backup`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 1
        try:
            summary = restore_backup(
                Path(options["file"]),
                force=options["force"],
                trusted_fingerprint=options["trust_key"],
                progress=self.stdout.write if verbose else None,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        for label, count in summary.rows.items():
            if count:
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            _(
                "Restored {path}: {rows} rows in {tables} tables, {files} media files; event "
                "chain verified ({events} entries)."
            ).format(
                path=summary.path,
                rows=summary.total_rows,
                tables=sum(1 for count in summary.rows.values() if count),
                files=summary.media_files,
                events=summary.events_verified,
            )
        )
