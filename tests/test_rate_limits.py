"""Rate limits: on by default, the JSON error shape with Retry-After, off with rate_limits=false."""

from __future__ import annotations

import pytest

from moderation import create_app
from moderation.extensions import db
from moderation.models import ModerationMode, Site

from .conftest import thread_url


def _app(tmp_path, **overrides):
    app = create_app(
        {
            "database_url": f"sqlite:///{tmp_path / 'r.sqlite3'}",
            "instance_path": str(tmp_path),
            "secret_key": "k",
            **overrides,
        }
    )
    with app.app_context():
        db.create_all()
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


@pytest.mark.parametrize("value", [False])
def test_rate_limits_can_be_turned_off(tmp_path, value):
    client = _app(tmp_path, rate_limits=value).test_client()
    url = thread_url("news", "a")
    for i in range(8):
        assert client.post(url, json={"body": f"c{i}", "author_name": "Ann"}).status_code == 201
