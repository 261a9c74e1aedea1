"""Rate limits: on by default, the JSON error shape with Retry-After, off with rate_limits=false;
one count for every worker of a machine, and a Redis that hangs costs milliseconds, not seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest

from moderation import create_app
from moderation.api.limit_store import MachineStorage, store_path, store_uri
from moderation.api.limits import limit_store_state, limiter
from moderation.db import db
from moderation.identity import ip_hash
from moderation.migrate import upgrade_database
from moderation.models import ModerationMode, Site

from ..conftest import forget_limit_counters, skip_or_fail, thread_url
from ..pages import free_port, served, service_processes

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(autouse=True)
def _remove_store_files(tmp_path):
    # memory:// counts in /dev/shm, outside tmp_path: leave nothing behind.
    yield
    forget_limit_counters(str(tmp_path))


def _app(tmp_path, **overrides):
    app = create_app(
        {
            "database_url": f"sqlite:///{tmp_path / 'r.sqlite3'}",
            "instance_path": str(tmp_path),
            "secret_key": "k",
            **overrides,
        }
    )
    upgrade_database(app)
    with app.app_context():
        db.session.add(
            Site(slug="news", name="News", origins=[], moderation_mode=ModerationMode.PRE)
        )
        db.session.commit()
    return app


def test_sixth_comment_in_a_minute_is_rate_limited(tmp_path):
    client = _app(tmp_path).test_client()
    url = thread_url("news", "a")
    for i in range(5):
        response = client.post(url, json={"body": f"comment {i}", "author_name": "Ann"})
        assert response.status_code == 201
    response = client.post(url, json={"body": "one more", "author_name": "Ann"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
    # Another address is not affected.
    other = client.post(
        url,
        json={"body": "hello", "author_name": "Bob"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 201


def test_rate_limits_can_be_turned_off(tmp_path):
    client = _app(tmp_path, rate_limits=False).test_client()
    url = thread_url("news", "a")
    for i in range(8):
        assert client.post(url, json={"body": f"c{i}", "author_name": "Ann"}).status_code == 201


def test_author_limit_applies_across_addresses(tmp_path):
    client = _app(tmp_path).test_client()
    url = thread_url("news", "a")
    for i in range(5):
        response = client.post(
            url,
            json={"body": f"c{i}", "author_name": "Roaming Rita"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{i}"},
        )
        assert response.status_code == 201
    response = client.post(
        url,
        json={"body": "again", "author_name": "roaming rita"},
        environ_base={"REMOTE_ADDR": "203.0.113.99"},
    )
    assert response.status_code == 429


def test_the_author_limit_follows_the_browser_key_not_a_typed_name(tmp_path):
    client = _app(tmp_path).test_client()
    url = thread_url("news", "a")
    rita = {"X-Guest-Key": "r" * 32}
    for i in range(5):
        response = client.post(
            url,
            json={"body": f"c{i}", "author_name": "Rita"},
            headers=rita,
            environ_base={"REMOTE_ADDR": f"203.0.113.{i}"},
        )
        assert response.status_code == 201
    roaming = client.post(
        url,
        json={"body": "again", "author_name": "Someone else"},
        headers=rita,
        environ_base={"REMOTE_ADDR": "203.0.113.99"},
    )
    assert roaming.status_code == 429
    # Someone typing Rita's name from their own browser spends none of her allowance.
    other = client.post(
        url,
        json={"body": "hello", "author_name": "Rita"},
        headers={"X-Guest-Key": "o" * 32},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other.status_code == 201


def _post(port: int, n: int) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{thread_url('news', 'shared')}",
        data=json.dumps({"body": f"comment {n}", "author_name": f"Reader {n}"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_limits_are_shared_by_service_processes_through_redis(tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        skip_or_fail("no Redis on 127.0.0.1:6379")
    _app(tmp_path)  # creates the database and the site
    env = {
        "MODERATION_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}",
        "MODERATION_INSTANCE_PATH": str(tmp_path),
        # A fresh key: the counters (keyed by hashed address) are this test's own.
        "MODERATION_SECRET_KEY": uuid.uuid4().hex,
        "MODERATION_RATE_LIMIT_STORAGE": REDIS_URL,
    }
    with service_processes(env, count=2) as ports:
        statuses = [_post(ports[i % 2], i) for i in range(6)]
    assert statuses == [201] * 5 + [429], "the sixth comment from one address, on either"


def _submit(port: int, n: int, address: str | None = None) -> tuple[int, Message, bytes]:
    """One submission over a fresh connection (so consecutive ones may reach other workers)."""
    headers = {"Content-Type": "application/json", "Connection": "close"}
    name = f"Reader {n} {address or ''}".strip()
    if address:
        headers["X-Forwarded-For"] = address
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{thread_url('news', 'busy')}",
        # A name of each address's own: the per-author limit counts names too, and a test that
        # waits for Redis through many addresses would otherwise spend the names' allowance.
        data=json.dumps({"body": f"comment {n}", "author_name": name}).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a served instance over the database ``_app`` seeds in ``tmp_path``."""
    _app(tmp_path)
    return {
        "MODERATION_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}",
        "MODERATION_INSTANCE_PATH": str(tmp_path),
        # A fresh key: the counters (keyed by hashed address) are this test's own.
        "MODERATION_SECRET_KEY": uuid.uuid4().hex,
        "MODERATION_RATE_LIMITS": "true",
        "MODERATION_MIN_FORM_SECONDS": "0",
        **extra,
    }


def _workers_holding(master: int, path: Path) -> int:
    """How many of the master's worker processes have ``path`` open (each opens the store at its
    first limit check, so this counts the workers that checked a limit)."""
    holding = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"PPid:\t{master}\n" not in status.read_text():
                continue
            fds = list((status.parent / "fd").iterdir())
            if any(os.readlink(fd) == str(path) for fd in fds):
                holding += 1
        except OSError:
            continue  # a process that ended meanwhile
    return holding


def test_four_workers_share_one_count_on_the_default_store(tmp_path):
    env = _server_env(tmp_path, MODERATION_RATE_LIMIT_STORAGE="memory://")
    store = store_path(str(tmp_path))
    with served(env, workers=4) as (port, master), ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: _submit(port, n), range(40)))
        # Which worker accepts a connection is up to the kernel, and now and then one takes a
        # whole burst. More submissions until a second worker has checked a limit: a worker
        # counting alone would let its own five through.
        more: list[int] = []
        while _workers_holding(master.pid, store) < 2 and len(more) < 200:
            more += [status for status, _h, _b in pool.map(lambda n: _submit(port, n), range(8))]
        spread = _workers_holding(master.pid, store)
    statuses = Counter(status for status, _headers, _body in answers)
    assert statuses == {201: 5, 429: 35}, "5/minute from one address, whichever worker answers"
    for status, headers, body in answers:
        if status == 429:
            assert int(headers["Retry-After"]) > 0
            assert json.loads(body)["error"]["code"] == "rate_limited"
    assert spread >= 2, "the submissions reached more than one worker"
    assert set(more) <= {429}, "a worker reached late counts what the others counted"


@contextmanager
def _own_redis(folder: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A Redis of this test's own on a free port (never the shared one on 6379), killed after."""
    import redis

    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # polling a server that is starting
        yield port, process
    finally:
        process.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGKILL's cleanup
        process.kill()
        process.wait(timeout=10)


def _counted_in_redis(client, secret: str, address: str) -> int:
    """What Redis holds for the per-minute address limit of ``address`` (0: nothing)."""
    keys = client.keys(f"*{ip_hash(secret, address)}*minute*")
    return max((int(client.get(key) or 0) for key in keys), default=0)


def test_a_hung_redis_costs_milliseconds_and_limits_still_hold(tmp_path):
    import redis

    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        skip_or_fail("no redis-server to start")
    with _own_redis(tmp_path) as (redis_port, redis_process):
        client = redis.Redis(port=redis_port, socket_timeout=1)
        env = _server_env(
            tmp_path,
            MODERATION_RATE_LIMIT_STORAGE=f"redis://127.0.0.1:{redis_port}/0",
            # Addresses from X-Forwarded-For, so each part of the test is a reader of its own.
            MODERATION_PROXY_COUNT="1",
        )
        secret = env["MODERATION_SECRET_KEY"]
        with served(env, workers=2) as (port, _master):
            before = [_submit(port, n, "198.51.100.1")[0] for n in range(6)]
            assert before == [201] * 5 + [429]
            assert _counted_in_redis(client, secret, "198.51.100.1") == 6

            redis_process.send_signal(signal.SIGSTOP)
            started = time.monotonic()
            during = [_submit(port, n, "198.51.100.2")[0] for n in range(10)]
            elapsed = time.monotonic() - started
            started = time.monotonic()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as health:
                assert health.status == 200
            health_seconds = time.monotonic() - started
            redis_process.send_signal(signal.SIGCONT)

            # Each worker finds Redis again at its next check (Flask-Limiter's back-off): wait
            # until a fresh reader's six submissions are all counted there.
            deadline = time.monotonic() + 60
            for reader in range(3, 200):
                address = f"198.51.100.{reader}"
                after = [_submit(port, n, address)[0] for n in range(6)]
                if _counted_in_redis(client, secret, address) == 6 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)  # the workers' next backend check is seconds away

    assert elapsed < 2, f"10 submissions took {elapsed:.2f} s while Redis hung"
    assert sorted(during) == [201] * 5 + [429] * 5, "the fallback, shared by both workers"
    assert health_seconds < 0.5
    assert after == [201] * 5 + [429], "counted in Redis again"


def test_store_state_is_degraded_while_redis_does_not_answer(tmp_path):
    # Nothing listens on this port: every attempt is refused at once.
    app = _app(tmp_path, rate_limit_storage=f"redis://127.0.0.1:{free_port()}/0")
    assert limit_store_state(app) == "ok"
    client = app.test_client()
    url = thread_url("news", "a")
    started = time.monotonic()
    statuses = [
        client.post(url, json={"body": f"c{i}", "author_name": f"R{i}"}).status_code
        for i in range(6)
    ]
    assert time.monotonic() - started < 2
    assert statuses == [201] * 5 + [429], "limited by the fallback"
    assert limit_store_state(app) == "degraded"
    # The fallback is this machine's store, which every worker of the instance shares.
    assert isinstance(limiter.limiter.storage, MachineStorage)
    assert limiter.limiter.storage.path == store_uri(str(tmp_path)).split("://", 1)[1]


def test_store_state_is_ok_on_the_default_store(tmp_path):
    app = _app(tmp_path)
    client = app.test_client()
    assert client.post(thread_url("news", "a"), json={"body": "hi", "author_name": "A"})
    assert limit_store_state(app) == "ok"
    assert isinstance(limiter.storage, MachineStorage)
