"""The streams one process holds: its connections, in the event loop of ``front.py``, and the
one task that reads the outbox for all of them.

A stream is opened by the app (``api.live``: who may listen, to what, and what a reconnecting
browser missed), which answers with the stream's first bytes and a header naming its channels;
the front then hands the connection here instead of closing it. From then on it costs a queue
and a task, a few kilobytes: no thread, no database connection. However many readers listen,
the process reads the outbox once per wake-up and renders each message once.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Engine

from . import feed
from .bus import Wake, wake_for

log = logging.getLogger(__name__)

#: A comment line sent to an idle stream now and then, so that proxies keep it open.
HEARTBEAT_SECONDS = 20.0
#: Messages a slow reader may have waiting before its stream is closed (it reconnects and
#: catches up from its last id).
BACKLOG = 256
#: How long a missing event id is waited for: ids are taken when a transaction writes its
#: event and seen when it commits, so a later id can be seen first; a gap never filled is a
#: rolled-back transaction.
GAP_SECONDS = 2.0

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_CLOSE = b""

#: The header by which the app asks the front to hold its answer open as this stream.
HEADER = "X-Hold-Stream"


def spec(channels: Iterable[str], after: int) -> str:
    """How the app names a stream to the front (a header, so Latin-1: keys are escaped)."""
    return " ".join([str(after), *(quote(channel, safe=":") for channel in channels)])


def parse_spec(value: bytes) -> tuple[list[str], int]:
    after, *channels = value.decode("latin1").split(" ")
    return [unquote(channel) for channel in channels], int(after)


class _Listener:
    __slots__ = ("after", "channels", "held", "queue")

    def __init__(self, channels: tuple[str, ...], after: int) -> None:
        self.channels = channels
        self.after = after
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(BACKLOG)
        #: Messages kept back while the stream catches up with what the hub read before it came.
        self.held: list[tuple[int, bytes]] | None = None

    def put(self, event_id: int, data: bytes) -> None:
        if event_id <= self.after:
            return  # the app's opening bytes already had it
        if self.held is not None:
            self.held.append((event_id, data))
            return
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.close()

    def release(self, caught_up: list[tuple[int, bytes]]) -> None:
        """Send what the catching up found and what came meanwhile, in order, each event once."""
        held, self.held = self.held or [], None
        sent: set[int] = set()
        for event_id, data in sorted([*caught_up, *held], key=lambda message: message[0]):
            if event_id not in sent:
                sent.add(event_id)
                self.put(event_id, data)

    def close(self) -> None:
        while True:
            try:
                self.queue.put_nowait(_CLOSE)
                return
            except asyncio.QueueFull:
                self.queue.get_nowait()


class Hub:
    """The streams of one process (made in each worker; its task starts with the first)."""

    header = HEADER.lower().encode()

    def __init__(self, engine: Engine, wake: Callable[[], Wake] | None = None) -> None:
        self.engine = engine
        self._wake_factory = wake or (lambda: wake_for(engine.url))
        self._by_channel: dict[str, set[_Listener]] = collections.defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._catching_up: set[asyncio.Task[None]] = set()
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")
        self._low = 0  # every event up to here has been handled
        self._seen: set[int] = set()  # handled events above it
        self._gaps: dict[int, float] = {}  # missing ids, and when they were first missed
        self._closed = False

    @property
    def listeners(self) -> int:
        return len({id(x) for group in self._by_channel.values() for x in group})

    async def hold_spec(self, value: bytes, send: Send, receive: Receive) -> None:
        channels, after = parse_spec(value)
        await self.hold(channels, after, send, receive)

    async def hold(self, channels: Iterable[str], after: int, send: Send, receive: Receive) -> None:
        """Stream the messages of ``channels`` after event ``after`` until the client leaves
        (the response has started; this sends its body)."""
        if self._closed:
            return
        listener = _Listener(tuple(channels), after)
        self._join(listener)
        leaving = asyncio.ensure_future(_disconnect(receive))
        leaving.add_done_callback(lambda _: listener.close())
        try:
            while True:
                try:
                    data = await asyncio.wait_for(listener.queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    data = b": \n\n"
                if data is _CLOSE or leaving.done():
                    break
                await send({"type": "http.response.body", "body": data, "more_body": True})
        finally:
            leaving.cancel()
            self._leave(listener)

    def close(self) -> None:
        """End every stream (the server is shutting down; browsers reconnect elsewhere)."""
        self._closed = True
        for group in list(self._by_channel.values()):
            for listener in list(group):
                listener.close()

    def _join(self, listener: _Listener) -> None:
        if self._task is None or self._task.done():
            # Start from the first stream's own position: nothing between the app's read and
            # this one is missed.
            self._low, self._seen, self._gaps = listener.after, set(), {}
            self._task = asyncio.create_task(self._follow())
        elif listener.after < max(self._seen, default=self._low):
            # The hub has read past where the app left this stream (for its other streams):
            # what it read meanwhile for this one's channels is read again, for this one alone.
            listener.held = []
            upto = max(self._seen, default=self._low)
            task = asyncio.create_task(self._catch_up(listener, upto))
            self._catching_up.add(task)  # held: the loop keeps only a weak reference to a task
            task.add_done_callback(self._catching_up.discard)
        for channel in listener.channels:
            self._by_channel[channel].add(listener)

    async def _catch_up(self, listener: _Listener, upto: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(
                self._reader, self._read_between, listener.channels, listener.after, upto
            )
        except Exception:  # the browser reloads rather than miss what it could not be sent
            log.exception("live updates: catching a stream up failed")
            found = None
        if found is None:
            found = [(upto, feed.message("reset", {}, upto))]
        listener.release(found)

    def _read_between(
        self, channels: tuple[str, ...], after: int, upto: int
    ) -> list[tuple[int, bytes]] | None:
        """One stream's messages of the events after ``after`` up to ``upto``; None when there
        are more than a stream replays."""
        with self.engine.connect() as connection:
            rows = feed.read_after(connection, after, limit=feed.BATCH)
            if len(rows) >= feed.BATCH and rows[-1].id < upto:
                return None
            items = [
                item
                for row in rows
                if row.id <= upto
                for item in row.items
                if item.channel in channels
            ]
            return [(item.event_id, data) for item, data in feed.render(connection, items)]

    def _leave(self, listener: _Listener) -> None:
        for channel in listener.channels:
            group = self._by_channel.get(channel)
            if group is not None:
                group.discard(listener)
                if not group:
                    del self._by_channel[channel]

    async def _follow(self) -> None:
        wake = self._wake_factory()
        loop = asyncio.get_running_loop()
        try:
            while self._by_channel and not self._closed:
                # The hub's state is the loop's: the reading thread is handed a copy of it.
                wanted, low, seen = frozenset(self._by_channel), self._low, frozenset(self._seen)
                try:
                    fresh, ready, more = await loop.run_in_executor(
                        self._reader, self._read, wanted, low, seen
                    )
                except Exception:  # a database away for a moment: the next wake-up reads again
                    log.exception("live updates: reading the outbox failed")
                    fresh, ready, more = [], [], False
                self._advance(fresh)
                for event_id, channel, data in ready:
                    for listener in list(self._by_channel.get(channel, ())):
                        listener.put(event_id, data)
                if not more:
                    await wake.wait()
        finally:
            await wake.close()

    def _read(
        self, wanted: frozenset[str], low: int, seen: frozenset[int]
    ) -> tuple[list[int], list[tuple[int, str, bytes]], bool]:
        """The ids of the events new since ``low`` (but ``seen``), their messages for the
        ``wanted`` channels, and whether there may be more to read at once (in a thread: the
        loop never waits on the database)."""
        limit = feed.BATCH + len(seen)  # those above a gap are read again
        with self.engine.connect() as connection:
            rows = feed.read_after(connection, low, limit=limit)
            fresh = [row for row in rows if row.id not in seen]
            items = [item for row in fresh for item in row.items if item.channel in wanted]
            rendered = feed.render(connection, items) if items else []
        ready = [(item.event_id, item.channel, data) for item, data in rendered]
        return [row.id for row in fresh], ready, len(rows) >= limit

    def _advance(self, ids: list[int]) -> None:
        """Move the low mark past every id handled, and past a gap waited on long enough."""
        self._seen.update(ids)
        now = time.monotonic()
        while self._seen:
            following = self._low + 1
            if following in self._seen:
                self._seen.discard(following)
                self._low = following
                continue
            since = self._gaps.setdefault(following, now)
            if now - since < GAP_SECONDS:
                return
            # Given up on: every id missing up to the next one seen is skipped at once.
            del self._gaps[following]
            self._low = min(self._seen) - 1


async def _disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
