"""`guodong audit verify|checkpoint`: check the event-log hash chain against its signed
checkpoints, and sign a new checkpoint of this node's head (ADR 2, ADR 8)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guodong.core.checkpoints import CheckpointBreak, verify_with_checkpoints, write_checkpoint
from guodong.core.models import Event


class Command(BaseCommand):
    help = (
        "Audit-log tools. `verify` checks the hash chain of this node (or --node) and its signed "
        "checkpoints, then signs a new checkpoint; `checkpoint` does the same for a schedule "
        "(cron or a systemd timer) and prints only the checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "checkpoint"])
        parser.add_argument("--node", default=None, help="node id (default: this node)")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="with `checkpoint`: keep running and sign a checkpoint this often, whenever the "
            "chain has grown (what `make run` starts; production uses a systemd timer or cron)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        node = options["node"] or settings.NODE_ID
        if options["subcommand"] == "checkpoint" and node != settings.NODE_ID:
            raise CommandError(_("Only this node's own chain can be checkpointed."))
        every = options["every"]
        if every < 0 or (every and options["subcommand"] != "checkpoint"):
            raise CommandError(_("--every takes a positive number of seconds, with `checkpoint`."))
        if not every:
            self._check_and_sign(node, options["subcommand"])
            return
        signed_at = -1
        while True:  # ended by the signal of whoever started it (make run, systemd)
            if Event.objects.filter(node_id=node).count() != signed_at:
                signed_at = self._check_and_sign(node, options["subcommand"])
            time.sleep(every)

    def _check_and_sign(self, node: str, subcommand: str) -> int:
        """Verify the chain against its checkpoints, sign its head; the length verified."""
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
        if subcommand == "verify":
            self.stdout.write(f"audit chain of {node} OK: {checked} entries verified")
        if checkpoint is not None:
            self.stdout.write(
                _("Signed checkpoint: sequence {sequence}, hash {hash}.").format(
                    sequence=checkpoint["sequence"], hash=checkpoint["hash"][:16]
                )
            )
        return checked
