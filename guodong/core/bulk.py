"""Helpers for bulk work (imports of a million rows)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a bulk job allocates millions of short-lived rows.

    Reference counting still frees every row; only the search for reference cycles waits. With
    it running, the collector rescans the chunk in hand again and again and doubles the time of
    an import. The previous state is restored however the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
