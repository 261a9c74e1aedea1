"""What wakes a process's hub when events are committed.

On PostgreSQL, a trigger on the outbox sends ``NOTIFY moderation_events`` (``models``), which the
database delivers at commit and only at commit: a rolled-back event is never announced, and a
committed one wakes every process of every machine listening, with no second system to keep in
step with the database. One connection per process listens. Should it fail, the hub reads on a
timer until it is back.

On SQLite, whose processes share one machine, the hub reads the outbox on a timer: one indexed
query a quarter of a second per process, made only while someone is connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

CHANNEL = "moderation_events"
#: How often a hub reads the outbox with nothing to wake it (SQLite, or a lost listener).
POLL_SECONDS = 0.25
#: How long a listener waits for a notification before reading anyway, in case one was lost.
IDLE_SECONDS = 5.0


class Wake(Protocol):
    async def wait(self) -> None:
        """Return when there may be new events."""

    async def close(self) -> None: ...


class Timer:
    """Wakes on a timer."""

    def __init__(self, seconds: float = POLL_SECONDS) -> None:
        self.seconds = seconds

    async def wait(self) -> None:
        await asyncio.sleep(self.seconds)

    async def close(self) -> None:
        return None


class Listener:
    """Wakes on PostgreSQL's notifications (``LISTEN``), reconnecting when the connection is
    lost and reading on a timer meanwhile."""

    def __init__(self, url: URL) -> None:
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listening = False

    async def wait(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen())
        timeout = IDLE_SECONDS if self._listening else POLL_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), timeout)
        self._woken.clear()

    async def _listen(self) -> None:
        import psycopg

        backoff = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._listening = True
                    backoff = 0.5
                    self._woken.set()  # anything committed while it was not listening
                    async for _ in connection.notifies():
                        self._woken.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # whatever broke the connection, the timer stands in
                log.warning(
                    "live updates: not listening to PostgreSQL (%s); reading on a timer", exc
                )
            self._listening = False
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None


def wake_for(url: URL) -> Wake:
    return Listener(url) if url.get_backend_name() == "postgresql" else Timer()
