"""The thread cache: bounded in memory, shared through Redis, harmless when Redis is down."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid

import pytest

from moderation.cache import MemoryCache, RedisCache

from .conftest import skip_or_fail
from .pages import free_port

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_memory_cache_evicts_least_recently_used_by_size():
    cache = MemoryCache(max_bytes=100)
    cache.set("a", b"x" * 20)
    cache.set("b", b"y" * 20)
    assert cache.get("a") == b"x" * 20  # a is now the most recent
    for i in range(4):
        cache.set(f"k{i}", b"z" * 20)
    assert cache.get("a") == b"x" * 20
    assert cache.get("b") is None
    cache.set("huge", b"h" * 60)
    assert cache.get("huge") is None, "an entry over a quarter of the cache is not kept"


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        skip_or_fail("no Redis on 127.0.0.1:6379")
    return REDIS_URL


def test_redis_cache_is_shared_between_instances(redis_url):
    prefix = f"test-{uuid.uuid4().hex}:"
    one, two = RedisCache(redis_url, prefix=prefix), RedisCache(redis_url, prefix=prefix)
    one.set("thread", b"{}")
    assert two.get("thread") == b"{}"


def test_a_dead_redis_is_no_error_and_the_process_stands_in():
    cache = RedisCache("redis://127.0.0.1:1/0")
    cache.set("k", b"v")
    assert cache.state == "degraded"
    assert cache.get("k") == b"v"


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, on a free port: it may be stopped and resumed."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)  # starting
    try:
        yield process, url
    finally:
        process.send_signal(signal.SIGCONT)
        process.kill()
        process.wait()


def test_a_hung_redis_costs_a_request_a_few_milliseconds(own_redis, monkeypatch):
    """A stopped Redis accepts connections and never answers: the first call waits out the
    short timeout, the next ones do not ask it at all until the cool-down is over."""
    process, url = own_redis
    monkeypatch.setattr(RedisCache, "COOL_DOWN", 0.5)
    cache = RedisCache(url)
    cache.set("thread", b"{}")
    assert cache.get("thread") == b"{}" and cache.state == "ok"
    process.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    for n in range(50):
        cache.set(f"k{n}", b"v")
        assert cache.get(f"k{n}") == b"v"
    assert time.monotonic() - started < 0.3
    assert cache.state == "degraded"
    process.send_signal(signal.SIGCONT)
    time.sleep(0.6)
    assert cache.get("thread") == b"{}" and cache.state == "ok"


def test_the_cached_shapes_carry_their_format():
    """A change to the shape of a thread or a queue page must move ``cache.FORMAT`` on, or a
    process of the new release would serve the old shape from a shared Redis: the digest below
    changes with the shapes, and this test with it until FORMAT is moved on with it."""
    import hashlib
    import json

    from moderation.cache import FORMAT
    from moderation.schemas import responses
    from moderation.schemas.parse import adapter

    shapes = [adapter(shape).json_schema(mode="serialization") for shape in (
        responses.Thread, responses.Counts, responses.QueuePage,
    )]  # fmt: skip
    digest = hashlib.sha256(json.dumps(shapes, sort_keys=True).encode()).hexdigest()[:16]
    assert (FORMAT, digest) == (5, "db28dd8dadfb64c8")
