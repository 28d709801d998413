"""`guodong audit verify|checkpoint`: check the event-log hash chain against its signed
checkpoints, and sign a new checkpoint of this node's head (ADR 2, ADR 8)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guodong.core.checkpoints import CheckpointBreak, verify_with_checkpoints, write_checkpoint


class Command(BaseCommand):
    help = (
        "Audit-log tools. `verify` checks the hash chain of this node (or --node) and its signed "
        "checkpoints, then signs a new checkpoint; `checkpoint` does the same for a schedule "
        "(cron or a systemd timer) and prints only the checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "checkpoint"])
        parser.add_argument("--node", default=None, help="node id (default: this node)")

    def handle(self, *args: Any, **options: Any) -> None:
        node = options["node"] or settings.NODE_ID
        if options["subcommand"] == "checkpoint" and node != settings.NODE_ID:
            raise CommandError(_("Only this node's own chain can be checkpointed."))
        checked, broken = verify_with_checkpoints(node)
        if isinstance(broken, CheckpointBreak):
            raise CommandError(broken.reason)
        if broken is not None:
            where = f"entry id {broken.event_id}" if broken.event_id else "chain head"
            raise CommandError(
                f"audit chain of {node} BROKEN at sequence {broken.sequence} ({where}): "
                f"{broken.reason}; {checked} entries verified before it"
            )
        # A checkpoint is signed only after the chain checked out, so it never vouches for a
        # tampered log.
        checkpoint = write_checkpoint(checked, node)
        if options["subcommand"] == "verify":
            self.stdout.write(f"audit chain of {node} OK: {checked} entries verified")
        if checkpoint is not None:
            self.stdout.write(
                _("Signed checkpoint: sequence {sequence}, hash {hash}.").format(
                    sequence=checkpoint["sequence"], hash=checkpoint["hash"][:16]
                )
            )
