"""What ``/healthz`` reports beyond the database's answer to ``SELECT 1``: trouble the parts of the
service met lately (a full disk, a database that dropped out, a shared cache or limit store that
does not answer), noted by the parts themselves as they meet it.

Notes are kept in the process that met the trouble, for :data:`WINDOW` seconds; a full disk under
SQLite is also read from the disk itself, which every process sees alike.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

#: Seconds a part's trouble is reported after it was last met.
WINDOW = 60.0
#: Free space below which an SQLite database's disk counts as full (a write needs some room).
MIN_FREE_BYTES = 8 << 20

_lock = threading.Lock()
_noted: dict[str, tuple[str, float]] = {}


def noted(part: str, state: str) -> None:
    """A part of the service met trouble: ``noted("storage", "full")``."""
    with _lock:
        _noted[part] = (state, time.monotonic())


def recent() -> dict[str, str]:
    """The parts whose trouble was met within the window, and what it was."""
    now = time.monotonic()
    with _lock:
        return {part: state for part, (state, at) in _noted.items() if now - at < WINDOW}


def disk_full(folder: str | Path) -> bool:
    """Whether the disk that holds ``folder`` has too little room left to write."""
    try:
        return shutil.disk_usage(folder).free < MIN_FREE_BYTES
    except OSError:
        return False
