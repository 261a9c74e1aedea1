"""The caches of ready answers: public threads (the widget's JSON, and the publisher's HTML and
Atom, ``api.publishing``), and the moderation API's queue pages.

Keys carry the article's version (a queue page's, its site's queue version), which is bumped in
the same transaction as any change to what it shows; a key therefore never names stale content
and nothing has to be invalidated. Old versions simply age out (LRU in memory, a TTL in Redis).
With ``cache_url`` set, every service process shares one Redis, so work done by one is reused by
all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger(__name__)

#: The shape of the JSON kept here, in every key (and in the ETags of what is kept): a release
#: that changes what a thread or a queue page looks like moves it on, so that no cache (Redis
#: shared with processes of the previous release, a CDN, a browser) serves the old shape. Move
#: it on with any change to ``schemas.responses``; ``tests/test_cache.py`` holds it to a digest
#: of the response shapes, so that forgetting fails.
FORMAT = 5


class ThreadCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


class MemoryCache:
    """A thread-safe LRU cache local to one process, bounded by the bytes it holds."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._size = 0
        self.max_bytes = max_bytes

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return  # one huge page must not evict everything else
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._data[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, evicted = self._data.popitem(last=False)
                self._size -= len(evicted)


class RedisCache:
    """A cache shared by every service process, that a Redis in trouble cannot slow down.

    Each call waits at most :data:`TIMEOUT` for Redis. After a failure (Redis dead, or hung: a
    stopped process accepts connections and never answers) the cache stops asking it for
    :data:`COOL_DOWN` seconds and keeps what it is given in the process's own memory instead
    (every key names one version of its content, so nothing kept there can turn stale); then
    one call tries Redis again. Measured with the Redis process stopped: a thread read took 1.5
    to 3 s with half-second timeouts and no cool-down.
    """

    TIMEOUT = 0.05
    COOL_DOWN = 5.0

    def __init__(
        self,
        url: str,
        ttl_seconds: int = 24 * 3600,
        prefix: str = "moderation:",
        stand_in_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url, socket_timeout=self.TIMEOUT, socket_connect_timeout=self.TIMEOUT
        )
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self._stand_in = MemoryCache(stand_in_bytes)
        self._down_until = 0.0

    @property
    def state(self) -> str:
        """``ok``, or ``degraded`` while the process's memory stands in for Redis."""
        return "degraded" if time.monotonic() < self._down_until else "ok"

    def get(self, key: str) -> bytes | None:
        if self.state != "ok":
            return self._stand_in.get(key)
        try:
            return self._redis.get(self.prefix + key)  # type: ignore[return-value]
        except Exception:
            self._failed()
            return self._stand_in.get(key)

    def set(self, key: str, value: bytes) -> None:
        if self.state != "ok":
            self._stand_in.set(key, value)
            return
        try:
            self._redis.set(self.prefix + key, value, ex=self.ttl_seconds)
        except Exception:
            self._failed()
            self._stand_in.set(key, value)

    def _failed(self) -> None:
        log.warning("shared cache unavailable; this process's memory stands in", exc_info=True)
        self._down_until = time.monotonic() + self.COOL_DOWN


def make_cache(
    url: str, *, max_bytes: int = 64 * 1024 * 1024, ttl_seconds: int = 24 * 3600
) -> ThreadCache:
    return RedisCache(url, ttl_seconds) if url else MemoryCache(max_bytes)


def make_queue_cache(url: str) -> ThreadCache:
    """Moderation queue pages, apart from the threads: a moderator paging deep into the queue
    must not push readers' threads out. A page is outdated by the next submission or decision,
    so a smaller budget and a short life in Redis are enough."""
    return make_cache(url, max_bytes=16 * 1024 * 1024, ttl_seconds=15 * 60)
