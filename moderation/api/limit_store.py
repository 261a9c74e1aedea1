"""This machine's rate-limit counters: a small SQLite database on tmpfs that every process of one
service instance shares, registered with ``limits`` as a storage (what ``memory://`` means here).

Flask-Limiter's own ``memory://`` counts in each process alone, so four gunicorn workers let four
times the limit through. A file in RAM (``/dev/shm``) shared by the workers keeps one count per
machine at the cost of a few microseconds per check, with nothing more to run or configure.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from limits.errors import ConfigurationError
from limits.storage import Storage

#: The URI scheme ``limits.storage_from_string`` knows this storage by.
SCHEME = "moderation-machine"

#: How long a check waits for another process's write, in seconds. Each write holds the lock for
#: microseconds, so waiting longer than this means something is wrong; the error then lets
#: Flask-Limiter fall back to its per-process memory instead of keeping a reader waiting.
BUSY_TIMEOUT = 0.1

#: Seconds between sweeps of expired counters, per process. An expired row is already ignored
#: by every read; sweeping only keeps the file from growing with one-off addresses.
SWEEP_INTERVAL = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""

# One statement, so concurrent processes cannot interleave a read and a write: a counter whose
# window has passed starts again at `amount` with a new window; a live one adds `amount`.
# (In DO UPDATE, bare column names are the stored row's values, `excluded` the new ones.)
_INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at > :now THEN count + excluded.count ELSE excluded.count END,
    expires_at = CASE WHEN expires_at > :now THEN expires_at ELSE excluded.expires_at END
RETURNING count
"""

# Connections opened before a fork: SQLite must not use them in the child, and closing them
# there could disturb the parent's locks, so the child keeps them here, untouched, forever.
_inherited: list[sqlite3.Connection] = []


def store_folder() -> Path:
    """Where the counters live: tmpfs when the machine has it, else the system's temp folder."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm
    return Path(tempfile.gettempdir())


def store_path(instance_path: str) -> Path:
    """The counters' file of one service instance, named by a hash of its instance folder, so
    the processes of one instance share it and two instances on one machine do not."""
    digest = hashlib.sha256(str(Path(instance_path).resolve()).encode()).hexdigest()[:20]
    return store_folder() / f"moderation-limits-{digest}.sqlite3"


def store_uri(instance_path: str) -> str:
    """The storage URI of one service instance's counters."""
    return f"{SCHEME}://{store_path(instance_path)}"


class MachineStorage(Storage):
    """Fixed-window counters in a SQLite file shared by the processes of one machine.

    Connections are opened lazily, one per thread and process: gunicorn builds an app in its
    master before forking workers, and each worker then opens its own.
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool
    ) -> None:
        # `options` may hold another storage's settings (Flask-Limiter keeps one set of storage
        # options for every app it is bound to); this storage has none of its own.
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        path = urllib.parse.urlparse(uri or "").path
        if not path:
            raise ConfigurationError(f"{SCHEME}:// needs a file path, as in {SCHEME}:///dev/shm/x")
        self.path = path
        self._local = threading.local()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use in this process."""
        held: tuple[int, sqlite3.Connection] | None = getattr(self._local, "held", None)
        pid = os.getpid()
        if held is not None:
            if held[0] == pid:
                return held[1]
            _inherited.append(held[1])
        connection = _open(self.path)
        self._local.held = (pid, connection)
        return connection

    def _run(self, sql: str, parameters: Any = ()) -> list[Any]:
        # fetchall() steps the statement to its end, which ends its transaction (autocommit):
        # a statement left half-read would keep holding the write lock.
        return self._connection().execute(sql, parameters).fetchall()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter of ``key`` and return the new count; a counter that
        does not exist or has expired starts a new window of ``expiry`` seconds."""
        now = time.time()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_INTERVAL
            self._run("DELETE FROM counters WHERE expires_at <= ?", (now,))
        rows = self._run(_INCREMENT, {"key": key, "amount": amount, "now": now, "expiry": expiry})
        return int(rows[0][0])

    def get(self, key: str) -> int:
        """The count of ``key`` in its current window (0 when it has none)."""
        rows = self._run(
            "SELECT count FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())
        )
        return int(rows[0][0]) if rows else 0

    def get_expiry(self, key: str) -> float:
        """When the window of ``key`` ends (Unix time; now when it has none)."""
        now = time.time()
        rows = self._run(
            "SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now)
        )
        return float(rows[0][0]) if rows else now

    def check(self) -> bool:
        """Whether the file answers."""
        try:
            self._run("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        """Forget the counter of ``key``."""
        self._run("DELETE FROM counters WHERE key = ?", (key,))


def _open(path: str) -> sqlite3.Connection:
    """A connection to the counters' file, creating it on first use."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    # WAL: readers never wait for the writer. synchronous=OFF: the file is in RAM and counters
    # are worth nothing after a crash of the machine, so there is nothing to flush.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    # Keep the write-ahead log from staying at its high-water mark in RAM.
    connection.execute("PRAGMA journal_size_limit=1048576")
    connection.execute(_SCHEMA)
    return connection
