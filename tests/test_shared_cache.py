"""Two service processes on different ports, one PostgreSQL and one Redis: a decision made through
one is never followed by a stale thread (or moderation queue page) from the other.

The thread cache is keyed by the article's version, which the decision bumps in its own
transaction; the processes share the cache through Redis, so each reuses what the other rendered,
and neither can serve a version that is no longer current.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from moderation.db import db
from moderation.identity import new_token, token_hash

from .conftest import postgres_schema, skip_or_fail
from .pages import service_processes

REDIS_URL = "redis://127.0.0.1:6379/12"
ARTICLE = "/2026/11/shared"


def _call(port: int, method: str, path: str, body=None, headers=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response), response.headers  # case-insensitive
    except urllib.error.HTTPError as error:
        return error.code, json.load(error), error.headers


@pytest.fixture
def pg_url():
    import redis

    try:
        # This test's own Redis database, emptied so that what is in it afterwards is its own.
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        skip_or_fail("no Redis on 127.0.0.1:6379")
    with postgres_schema("shared") as url:
        yield url


def test_two_processes_share_the_cache_and_never_serve_a_stale_thread(pg_url, tmp_path):
    from moderation import create_app
    from moderation.migrate import upgrade_database
    from moderation.models import ApiToken, ModerationMode, Site

    app = create_app({"database_url": pg_url, "instance_path": str(tmp_path), "secret_key": "s"})
    upgrade_database(app)
    token = new_token()
    with app.app_context():
        site = Site(slug="news", name="News", origins=[], moderation_mode=ModerationMode.PRE)
        db.session.add(site)
        db.session.flush()
        db.session.add(ApiToken(site_id=site.id, token_hash=token_hash(token), label="t"))
        db.session.commit()
        db.engine.dispose()

    env = {
        "MODERATION_DATABASE_URL": pg_url,
        "MODERATION_INSTANCE_PATH": str(tmp_path),
        "MODERATION_SECRET_KEY": "s",
        "MODERATION_CACHE_URL": REDIS_URL,
        "MODERATION_RATE_LIMITS": "false",
        "MODERATION_MIN_FORM_SECONDS": "0",
    }
    thread = f"/api/v1/sites/news/articles/{quote(ARTICLE, safe='')}/comments"
    auth = {"Authorization": f"Bearer {token}"}
    queue = "/api/v1/sites/news/queue"
    with service_processes(env, count=2) as (a, b):
        _, _, headers = _call(a, "GET", thread)
        form_token = headers["X-Form-Token"]
        status, created, _ = _call(
            a, "POST", thread, {"body": "Shared?", "author_name": "Ann", "form_token": form_token}
        )
        assert status == 201
        comment_id = created["comment"]["id"]

        # Both processes read (and cache) the empty thread and the queue holding the comment.
        assert _call(a, "GET", thread)[1]["comments"] == []
        assert _call(b, "GET", thread)[1]["comments"] == []
        assert [c["id"] for c in _call(a, "GET", queue, headers=auth)[1]["comments"]] == [
            comment_id
        ]
        assert [c["id"] for c in _call(b, "GET", queue, headers=auth)[1]["comments"]] == [
            comment_id
        ]

        # Approved through B: A's very next read shows it, and its queue no longer holds it.
        status, _, _ = _call(b, "POST", f"/api/v1/comments/{comment_id}/decision",
                             {"action": "approve"}, auth)  # fmt: skip
        assert status == 200
        assert [c["id"] for c in _call(a, "GET", thread)[1]["comments"]] == [comment_id]
        assert [c["id"] for c in _call(b, "GET", thread)[1]["comments"]] == [comment_id]
        assert _call(a, "GET", queue, headers=auth)[1]["comments"] == []

        # Rejected through A: B's very next read no longer has it.
        status, _, _ = _call(a, "POST", f"/api/v1/comments/{comment_id}/decision",
                             {"action": "reject", "reason": "abuse"}, auth)  # fmt: skip
        assert status == 200
        assert _call(b, "GET", thread)[1]["comments"] == []
        assert _call(a, "GET", thread)[1]["total"] == 0

        # The rendered threads are in the shared Redis, under version keys.
        import redis

        keys = redis.Redis.from_url(REDIS_URL).keys("moderation:*")
        pages = [k for k in keys if k.startswith(b"moderation:queue:")]
        # Before the article existed, empty with the comment pending, approved, rejected: one
        # rendering each, shared by both processes; and the queue before and after the approval.
        assert len(keys) - len(pages) == 4, keys
        assert len(pages) == 2, pages
