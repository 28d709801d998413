"""Signed checkpoints: this node's chain head anchored outside the database (ADR 8).

`audit verify` alone trusts the database: whoever can write to it can drop the last entries and
move the chain head back, or rewrite a suffix and re-hash it. A checkpoint is the head sequence
and hash, signed with the node's Ed25519 key (a file under var/, never in the database) and
appended to a JSON-lines file. `verify_with_checkpoints` refuses a chain shorter than a signed
checkpoint, a chain whose entry at a checkpoint's sequence has another hash, and a checkpoint
line whose signature does not verify.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.audit import ChainBreak, canonical_json, verify_chain
from guodong.core.models import Event

SIGNED_FIELDS = ("node_id", "sequence", "hash", "created_at", "key_fingerprint")
SHOWN_ON_EVENT_PAGE = 5


def node_key_file() -> Path:
    """Where the node's private key lives (settings.NODE_KEY_FILE, env GUODONG_NODE_KEY_FILE)."""
    configured = getattr(settings, "NODE_KEY_FILE", None) or os.environ.get("GUODONG_NODE_KEY_FILE")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "node_key.pem"


def checkpoint_file() -> Path:
    """The append-only checkpoint file (settings.CHECKPOINT_FILE)."""
    configured = getattr(settings, "CHECKPOINT_FILE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "checkpoints.jsonl"


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: two processes starting at once must not each write a different key; the loser
    # simply reads the winner's. The mode is set at creation, so the key is never world-readable.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def node_private_key() -> Ed25519PrivateKey:
    """This node's signing key, generated on first use with 0600 permissions."""
    path = node_key_file()
    if not path.exists():
        _create_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} does not hold an Ed25519 private key")
    return key


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, as lowercase hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """One line of the checkpoint file, with whether its signature verifies."""

    line: int
    node_id: str
    sequence: int
    hash: str
    created_at: str
    key_fingerprint: str
    signature: str
    valid: bool
    problem: str = ""

    @property
    def name(self) -> str:
        """How messages name this checkpoint, so an operator can find the line."""
        return _("checkpoint on line {line} (sequence {sequence}, {created_at})").format(
            line=self.line, sequence=self.sequence, created_at=self.created_at or "?"
        )

    @property
    def created(self) -> dt.datetime | None:
        """created_at as a datetime for templates (None when unreadable)."""
        try:
            return dt.datetime.fromisoformat(self.created_at)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class CheckpointBreak(ChainBreak):
    """A chain that contradicts a signed checkpoint, or a checkpoint that is not authentic."""

    checkpoint: Checkpoint | None = field(default=None)


def _signed_bytes(payload: dict[str, Any]) -> bytes:
    return canonical_json({name: payload[name] for name in SIGNED_FIELDS}).encode("utf-8")


def make_checkpoint(node_id: str, sequence: int, hash_: str) -> dict[str, Any]:
    """A signed checkpoint line (as a dict) for `sequence`/`hash_` of `node_id`."""
    key = node_private_key()
    payload: dict[str, Any] = {
        "node_id": node_id,
        "sequence": sequence,
        "hash": hash_,
        "created_at": timezone.now().isoformat(),
        "key_fingerprint": fingerprint(key.public_key()),
    }
    payload["signature"] = base64.b64encode(key.sign(_signed_bytes(payload))).decode("ascii")
    return payload


def append_checkpoint(payload: dict[str, Any], path: Path | None = None) -> None:
    """Append one line. O_APPEND makes the write land at the end even with concurrent writers;
    the file is never rewritten, and fsync keeps a crash from losing a line we reported."""
    path = path or checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (canonical_json(payload) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _parse(line_no: int, text: str, public_key: Ed25519PublicKey, expected_fp: str) -> Checkpoint:
    try:
        payload = json.loads(text)
        if not isinstance(payload, dict):
            raise TypeError("not an object")
        values = {name: payload[name] for name in (*SIGNED_FIELDS, "signature")}
        sequence = int(values["sequence"])
    except (ValueError, TypeError, KeyError):
        return Checkpoint(line_no, "", 0, "", "", "", "", False, _("the line is not readable"))
    checkpoint = Checkpoint(
        line=line_no,
        node_id=str(values["node_id"]),
        sequence=sequence,
        hash=str(values["hash"]),
        created_at=str(values["created_at"]),
        key_fingerprint=str(values["key_fingerprint"]),
        signature=str(values["signature"]),
        valid=False,
    )
    if checkpoint.key_fingerprint != expected_fp:
        problem = _("signed by key {fingerprint}, which is not this node's key").format(
            fingerprint=checkpoint.key_fingerprint[:16]
        )
        return _with_problem(checkpoint, problem)
    try:
        public_key.verify(
            base64.b64decode(checkpoint.signature, validate=True), _signed_bytes(values)
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return _with_problem(checkpoint, _("the signature does not verify (line altered)"))
    return Checkpoint(**{**checkpoint.__dict__, "valid": True})


def _with_problem(checkpoint: Checkpoint, problem: str) -> Checkpoint:
    return Checkpoint(**{**checkpoint.__dict__, "problem": problem})


def read_checkpoints(lines: Iterable[str] | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file (or in `lines`), each with its signature checked against
    this node's public key. Blank lines are skipped; line numbers count from 1."""
    if lines is None:
        path = checkpoint_file()
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    public_key = node_private_key().public_key()
    expected_fp = fingerprint(public_key)
    return [
        _parse(number, text, public_key, expected_fp)
        for number, text in enumerate(lines, start=1)
        if text.strip()
    ]


def latest_checkpoints(count: int = SHOWN_ON_EVENT_PAGE) -> list[Checkpoint]:
    """The newest `count` checkpoints, newest first (for the activity-log page)."""
    return list(reversed(read_checkpoints()[-count:]))


def check_checkpoints(
    node_id: str, checked: int, checkpoints: Sequence[Checkpoint]
) -> CheckpointBreak | None:
    """The first checkpoint the verified chain (`checked` entries) contradicts, if any."""
    for checkpoint in checkpoints:
        if not checkpoint.valid:
            reason = _("{checkpoint} is not authentic: {problem}").format(
                checkpoint=checkpoint.name, problem=checkpoint.problem
            )
            return CheckpointBreak(checkpoint.sequence, None, reason, checkpoint)
    mine = [c for c in checkpoints if c.node_id == node_id]
    for checkpoint in mine:
        if checkpoint.sequence > checked:
            reason = _(
                "the chain of {node} has {count} entries, fewer than the {sequence} "
                "recorded by the signed {checkpoint}: entries were removed"
            ).format(
                node=node_id,
                count=checked,
                sequence=checkpoint.sequence,
                checkpoint=checkpoint.name,
            )
            return CheckpointBreak(checkpoint.sequence, None, reason, checkpoint)
    by_sequence = {c.sequence: c for c in mine if c.sequence > 0}
    wanted = sorted(by_sequence)
    for start in range(0, len(wanted), 1000):
        rows = Event.objects.filter(
            node_id=node_id, sequence__in=wanted[start : start + 1000]
        ).values_list("sequence", "hash", "pk")
        for sequence, hash_, pk in sorted(rows):
            checkpoint = by_sequence[sequence]
            if hash_ != checkpoint.hash:
                reason = _(
                    "entry {sequence} of {node} has hash {actual}, but the signed {checkpoint} "
                    "recorded {expected}: the chain was rewritten from there or earlier"
                ).format(
                    sequence=sequence,
                    node=node_id,
                    actual=hash_[:16],
                    checkpoint=checkpoint.name,
                    expected=checkpoint.hash[:16],
                )
                return CheckpointBreak(sequence, pk, reason, checkpoint)
    return None


def verify_with_checkpoints(
    node_id: str | None = None, lines: Iterable[str] | None = None
) -> tuple[int, ChainBreak | None]:
    """`verify_chain`, then the signed checkpoints (from the file, or `lines`)."""
    node_id = node_id or settings.NODE_ID
    checked, broken = verify_chain(node_id)
    if broken is not None:
        return checked, broken
    return checked, check_checkpoints(node_id, checked, read_checkpoints(lines))


def write_checkpoint(checked: int, node_id: str | None = None) -> dict[str, Any] | None:
    """Sign and append a checkpoint at entry `checked` of this node's verified chain.

    Takes the verified length rather than the chain head, so an entry appended while the walk
    ran is never signed unverified. Only this node's chain is signed; nothing for an empty one.
    """
    node_id = node_id or settings.NODE_ID
    if node_id != settings.NODE_ID or checked == 0:
        return None
    hash_ = Event.objects.filter(node_id=node_id, sequence=checked).values_list("hash", flat=True)
    payload = make_checkpoint(node_id, checked, hash_.get())
    append_checkpoint(payload)
    return payload
