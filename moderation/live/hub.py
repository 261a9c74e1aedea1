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
#: Messages kept to hand a stream that opened just before the hub read them.
RECENT = 2048

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
    __slots__ = ("after", "channels", "queue")

    def __init__(self, channels: tuple[str, ...], after: int) -> None:
        self.channels = channels
        self.after = after
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(BACKLOG)

    def put(self, event_id: int, data: bytes) -> None:
        if event_id <= self.after:
            return  # the app's opening bytes already had it
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.close()

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
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")
        self._recent: collections.deque[tuple[int, str, bytes]] = collections.deque(maxlen=RECENT)
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
        for event_id, channel, data in self._recent:
            if channel in listener.channels:
                listener.put(event_id, data)
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
            self._recent.clear()
            self._task = asyncio.create_task(self._follow())
        for channel in listener.channels:
            self._by_channel[channel].add(listener)

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
                try:
                    ready, more = await loop.run_in_executor(self._reader, self._read)
                except Exception:  # a database away for a moment: the next wake-up reads again
                    log.exception("live updates: reading the outbox failed")
                    ready, more = [], False
                for event_id, channel, data in ready:
                    self._recent.append((event_id, channel, data))
                    for listener in list(self._by_channel.get(channel, ())):
                        listener.put(event_id, data)
                if not more:
                    await wake.wait()
        finally:
            await wake.close()

    def _read(self) -> tuple[list[tuple[int, str, bytes]], bool]:
        """New messages, and whether there may be more to read at once (in a thread: the loop
        never waits on the database)."""
        wanted = set(self._by_channel)
        limit = feed.BATCH + len(self._seen)  # those above a gap are read again
        with self.engine.connect() as connection:
            rows = feed.read_after(connection, self._low, limit=limit)
            fresh = [row for row in rows if row.id not in self._seen]
            items = [item for row in fresh for item in row.items if item.channel in wanted]
            rendered = feed.render(connection, items) if items else []
        self._advance([row.id for row in fresh])
        ready = [(item.event_id, item.channel, data) for item, data in rendered]
        return ready, len(rows) >= limit

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
