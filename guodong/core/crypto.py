"""Encryption at rest for personal data, and masking for display.

The key comes from GUODONG_FIELD_KEY (a Fernet key) or a local file made on first use in the
var directory; it is never in the repository. A keyed blind index (HMAC-SHA256) lets the database
find equal values (duplicate ID numbers) without holding the plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


@cache
def _key() -> bytes:
    if key := os.environ.get("GUODONG_FIELD_KEY"):
        return key.encode()
    key_file = settings.VAR_DIR / "field_key"
    if not key_file.exists():
        key_file.write_bytes(Fernet.generate_key())
        key_file.chmod(0o600)
    return key_file.read_bytes().strip()


@cache
def _fernet() -> Fernet:
    return Fernet(_key())


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ValueError("cannot decrypt: wrong GUODONG_FIELD_KEY?") from error


def blind_index(value: str) -> str:
    """Equal inputs give equal digests; the digest reveals nothing without the key."""
    mac_key = hashlib.sha256(b"blind-index:" + base64.urlsafe_b64decode(_key())).digest()
    return hmac.new(mac_key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class Ciphertext(str):
    """A value this field has already encrypted (read from the event log by a replay): stored
    as it is, so the replayed row holds the very ciphertext the original did."""


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Stores Fernet ciphertext; Python code sees the plaintext. Never filter on it: use a
    blind-index column instead."""

    sensitive = True

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Ciphertext):
            return str(value)
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(str(value))


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """330402********123X: region and last four only."""
    return mask_middle(value, 6, 4)


def mask_phone(value: str) -> str:
    """138****5678."""
    return mask_middle(value, 3, 4)
