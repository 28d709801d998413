"""`guodong audit verify`: walk the event-log hash chain and report the first break."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guodong.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit-log tools. `verify` checks the hash chain of this node (or --node)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify"])
        parser.add_argument("--node", default=None, help="node id (default: this node)")

    def handle(self, *args: Any, **options: Any) -> None:
        node = options["node"] or settings.NODE_ID
        checked, broken = verify_chain(node)
        if broken is not None:
            where = f"entry id {broken.event_id}" if broken.event_id else "chain head"
            raise CommandError(
                f"audit chain of {node} BROKEN at sequence {broken.sequence} ({where}): "
                f"{broken.reason}; {checked} entries verified before it"
            )
        self.stdout.write(f"audit chain of {node} OK: {checked} entries verified")
