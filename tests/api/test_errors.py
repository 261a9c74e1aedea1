"""Nothing a client sends gets a 500 or an HTML page: every method on every path of the API,
numbers beyond any column, bytes no database stores, bodies nested or sized to hurt. Every
answer here also passes the document (``tests/contract.py``)."""

from __future__ import annotations

import json

import pytest

from ..conftest import thread_url

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE")
SAMPLES = {"site": "news", "article": "story", "comment_id": "1", "ban_id": "1",
           "name": "swagger-ui.css", "author_key": "0" * 64, "notice_id": "1",
           "appeal_id": "1"}  # fmt: skip


def _paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{converter_key(rule, name)}:{name}>", SAMPLES[name])
                path = path.replace(f"<{name}>", SAMPLES[name])
            paths.append(path)
    return sorted(set(paths))


def converter_key(rule, name: str) -> str:
    for key, cls in rule.map.converters.items():
        if isinstance(rule._converters[name], cls):
            return key
    raise AssertionError(name)


def _is_json_error(response) -> bool:
    data = json.loads(response.get_data())
    return set(data) == {"error"} and {"code", "message"} <= set(data["error"])


def test_every_method_on_every_path_answers_in_the_contract(app, client, site, auth, post):
    post()  # comment 1 exists
    paths = _paths(app)
    assert len(paths) >= 14
    for path in paths:
        for method in METHODS:
            response = client.open(path, method=method, headers=auth)
            assert response.status_code < 500, (method, path, response.get_data()[:200])
            if response.status_code >= 400 and method != "HEAD":
                assert response.mimetype == "application/json", (method, path)
                assert _is_json_error(response), (method, path)


@pytest.mark.parametrize("number", [0, 2**31, 2**63, 2**70, 1180591620717411303424])
def test_ids_beyond_any_column_name_nothing(client, site, auth, number):
    for path in (f"/api/v1/comments/{number}", f"/api/v1/comments/{number}/decision"):
        for method in ("GET", "POST", "PATCH", "DELETE"):
            response = client.open(path, method=method, headers=auth, json={"action": "approve"})
            assert response.status_code in (404, 405), (method, path)
    body = {"ids": [number], "action": "approve"}
    response = client.post("/api/v1/sites/news/decisions", json=body, headers=auth)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "ids"
    response = client.post(
        thread_url(site, "story"), json={"body": "Hi", "author_name": "A", "parent_id": number}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "parent_id"
    response = client.get(thread_url(site, "story") + f"?replies_to={number}")
    assert response.status_code == 400


@pytest.mark.parametrize("slug", ["ne%00ws", "NEWS", "n" * 65, "%ff", "news%0a"])
def test_a_slug_that_names_nothing_is_not_found(client, site, auth, slug):
    for path in (f"/api/v1/sites/{slug}/counts?article=a", f"/api/v1/sites/{slug}/queue"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "path",
    ["/api/v1/sites/news/decisions", "/api/v1/comments/1/decision", "/api/v1/sites/news/bans",
     "/api/v1/comments/1/flags", "/api/v1/sites/news/counts"],
)  # fmt: skip
def test_json_nested_a_thousand_deep_is_refused(client, site, auth, path):
    deep = "[" * 1000 + "]" * 1000
    response = client.post(path, data=deep, content_type="application/json", headers=auth)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == "body"


def test_nul_and_lone_surrogates_are_refused_everywhere(client, site, auth):
    response = client.get("/api/v1/sites/news/counts?article=a%00b")
    assert response.status_code == 400
    response = client.get("/api/v1/sites/news/queue?article=a%00b", headers=auth)
    assert response.status_code == 400
    raw = '{"articles": ["ok", "\\ud800"]}'
    response = client.post("/api/v1/sites/news/counts", data=raw, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "articles"


def test_bodies_of_another_type_are_415(client, site, auth):
    for path in (
        "/api/v1/sites/news/decisions",
        "/api/v1/sites/news/counts",
        thread_url(site, "a"),
    ):
        response = client.post(path, data="ids=1", headers=auth)
        assert response.status_code == 415, path
        assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_the_counts_of_a_hundred_long_keys_work_as_a_post(client, site, post):
    keys = [f"/2026/{n:03d}/" + "x" * 500 for n in range(100)]
    response = client.post("/api/v1/sites/news/counts", json={"articles": keys})
    assert response.status_code == 200
    assert response.get_json()["counts"] == dict.fromkeys(keys, 0)


# --- Outages ------------------------------------------------------------------------------------


def test_a_database_out_of_reach_is_a_503_with_retry_after(app, client, site, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from moderation import threads

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(threads, "read_version", unreachable)
    response = client.get(thread_url(site, "story"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "unavailable"


def test_an_error_in_the_teardown_still_answers_in_the_contract(app, client, site, monkeypatch):
    """The session's rollback at the end of a request, on a connection the database dropped,
    raised past Flask itself: the last resort answers it."""
    from sqlalchemy.exc import OperationalError

    from moderation.db import db

    def dropped(*_args, **_kwargs):
        raise OperationalError("ROLLBACK", {}, ConnectionResetError("server closed"))

    monkeypatch.setattr(db.session, "remove", dropped)
    response = client.post("/api/v1/sites/news/counts", json={"articles": ["a"]})
    assert response.status_code == 503 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_disk_is_a_507_and_health_says_so(app, client, site, post, monkeypatch):
    """SQLite's SQLITE_FULL, made by capping the database's pages where it stands."""
    from sqlalchemy import event

    from moderation import health
    from moderation.db import db

    post()
    with app.app_context():
        pages = db.session.execute(db.text("PRAGMA page_count")).scalar()
        engine = db.engine
        db.session.remove()
    engine.dispose()

    def capped(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", capped)
    monkeypatch.setattr(health, "_noted", {})
    try:
        body = "A long comment to fill the last page. " * 100
        response = post(body=body, expect=None)
        for _ in range(20):
            if response.status_code != 201:
                break
            response = post(body=body, expect=None)
        assert response.status_code == 507, response.get_json()
        assert response.get_json()["error"]["code"] == "insufficient_storage"
        health_answer = client.get("/healthz")
        assert health_answer.status_code == 503
        assert health_answer.get_json()["storage"] == "full"
    finally:
        event.remove(engine, "connect", capped)
