"""Settings for the test suite: background tasks run inline, uploads go to a scratch folder."""

import tempfile
from pathlib import Path

from guodong.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="guodong-media-"))
# The suite never signs with, or appends to, the real var/ files (conftest gives each test its
# own checkpoint file).
NODE_KEY_FILE = Path(tempfile.mkdtemp(prefix="guodong-key-")) / "node_key.pem"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "progress",
    },
}
