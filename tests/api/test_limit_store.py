"""The machine store behind ``memory://``: one count per instance for every process of a machine,
fixed windows that expire, counters that can be cleared."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from moderation.api import limit_store
from moderation.api.limit_store import MachineStorage, store_path, store_uri

from ..conftest import forget_limit_counters


class Clock:
    """A stand-in for the ``time`` module that moves only when told to."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(limit_store, "time", fake)
    return fake


@pytest.fixture
def store(tmp_path):
    return MachineStorage(store_uri(str(tmp_path / "instance")))


@pytest.fixture(autouse=True)
def _remove_store_files(tmp_path):
    # The files live in /dev/shm, outside tmp_path: leave nothing behind.
    yield
    forget_limit_counters(str(tmp_path / "instance"))


def _rows(store: MachineStorage) -> int:
    with sqlite3.connect(store.path) as connection:
        return int(connection.execute("SELECT count(*) FROM counters").fetchone()[0])


def test_memory_uri_names_this_machines_store_for_the_instance(tmp_path):
    instance = str(tmp_path / "instance")
    storage = storage_from_string(store_uri(instance))
    assert isinstance(storage, MachineStorage)
    assert store_path(instance) == store_path(str(tmp_path / "instance" / ".." / "instance"))
    assert store_path(instance) != store_path(str(tmp_path / "other"))
    assert store_path(instance).parent == limit_store.store_folder()


def test_increments_count_within_a_window(store, clock):
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert store.incr("k", 60, amount=2) == 5
    assert store.get("k") == 5
    assert store.get_expiry("k") == clock.now + 60
    assert store.get("other") == 0


def test_window_expires_and_a_new_one_starts(store, clock):
    start = clock.now
    store.incr("k", 60)
    store.incr("k", 60)
    clock.now = start + 59.9
    assert store.incr("k", 60) == 3, "the window has not ended yet"
    assert store.get_expiry("k") == start + 60, "a hit does not extend the window"
    clock.now = start + 60
    assert store.get("k") == 0
    assert store.get_expiry("k") == clock.now
    assert store.incr("k", 60) == 1
    assert store.get_expiry("k") == start + 120


def test_expired_counters_are_swept(store, clock):
    store.incr("old", 10)
    store.incr("live", 3600)
    assert _rows(store) == 2
    clock.now += limit_store.SWEEP_INTERVAL + 1
    store.incr("new", 10)
    assert _rows(store) == 2, "the expired counter is gone, the live one is kept"
    assert store.get("live") == 1


def test_clear_forgets_one_counter_and_reset_all(store):
    store.incr("a", 60)
    store.incr("b", 60)
    store.clear("a")
    assert (store.get("a"), store.get("b")) == (0, 1)
    store.incr("c", 60)
    assert store.reset() == 2
    assert (store.get("b"), store.get("c")) == (0, 0)


def test_check_tells_whether_the_file_answers(store, tmp_path):
    assert store.check()
    unusable = MachineStorage(f"{limit_store.SCHEME}://{tmp_path / 'missing' / 'x.sqlite3'}")
    assert not unusable.check()


def test_fixed_window_limit_admits_exactly_its_amount(store):
    limiter = FixedWindowRateLimiter(store)
    five = parse("5/minute")
    assert [limiter.hit(five, "reader") for _ in range(7)] == [True] * 5 + [False] * 2
    assert limiter.get_window_stats(five, "reader").remaining == 0


def _count(uri: str, times: int) -> list[int]:
    storage = MachineStorage(uri)
    return [storage.incr("shared", 60) for _ in range(times)]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_increments_are_atomic_across_processes(store, method):
    # The parent has a connection open before it forks: children must open their own.
    store.incr("warm-up", 60)
    context = multiprocessing.get_context(method)
    uri = f"{limit_store.SCHEME}://{store.path}"
    with context.Pool(4) as pool:
        seen = pool.starmap(_count, [(uri, 250)] * 4)
    assert store.get("shared") == 1000
    # Every increment saw a count no other saw: none was lost, none read a stale value.
    assert sorted(n for counts in seen for n in counts) == list(range(1, 1001))
