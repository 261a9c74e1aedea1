"""Rate limits: on by default, the JSON error shape with Retry-After, off with rate_limits=false."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

from moderation import create_app
from moderation.db import db
from moderation.migrate import upgrade_database
from moderation.models import ModerationMode, Site

from ..conftest import skip_or_fail, thread_url
from ..pages import service_processes

REDIS_URL = "redis://127.0.0.1:6379/13"


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
