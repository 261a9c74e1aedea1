"""The thread cache: bounded in memory, shared through Redis, harmless when Redis is down."""

from __future__ import annotations

import uuid

import pytest

from moderation.cache import MemoryCache, RedisCache

from .conftest import skip_or_fail

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


def test_redis_outage_is_a_cache_miss_not_an_error():
    cache = RedisCache("redis://127.0.0.1:1/0")
    cache.set("k", b"v")
    assert cache.get("k") is None


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
    assert (FORMAT, digest) == (2, "6653c5544f7cadbd")
