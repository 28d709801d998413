"""`guodong backup FILE`: the database and uploaded media in one signed archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write every table and every file under MEDIA_ROOT to one gzip tar with a manifest of "
        "SHA-256 sums and row counts, signed with this node's Ed25519 key. Restore it with "
        "`guodong restore FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            help="archive to write (default: guodong-backup-<time>.tar.gz here)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        path = Path(options["file"] or f"guodong-backup-{stamp}.tar.gz")
        verbose = options["verbosity"] > 1
        try:
            summary = create_backup(path, progress=self.stdout.write if verbose else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Backup written to {path}: {rows} rows in {tables} tables, {files} media files "
                "({megabytes:.1f} MB); signed by key {fingerprint}."
            ).format(
                path=path,
                rows=summary.total_rows,
                tables=sum(1 for count in summary.rows.values() if count),
                files=summary.media_files,
                megabytes=summary.media_bytes / 1e6,
                fingerprint=summary.key_fingerprint,
            )
        )
