"""`guodong replay`: check that this node's event log rebuilds its domain tables (ADR 9)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guodong.core.replay import replay_differences


class Command(BaseCommand):
    help = (
        "Replay this node's event log into its emptied domain tables inside a transaction that "
        "is always rolled back, and compare table by table: nothing is changed. Fails naming "
        "the tables the log cannot rebuild."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--node", default=None, help="node id (default: this node)")

    def handle(self, *args: Any, **options: Any) -> None:
        differ = replay_differences(options["node"] or settings.NODE_ID)
        if differ:
            lines = [
                _("{table}: {before} rows, {after} after replay").format(
                    table=table, before=before, after=after
                )
                for table, (before, after) in sorted(differ.items())
            ]
            raise CommandError(
                _("The event log does not rebuild these tables:") + "\n" + "\n".join(lines)
            )
        self.stdout.write(_("The event log rebuilds every domain table."))
