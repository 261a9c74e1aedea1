"""Nothing a client sends gets a 500 or an HTML page: every method on every path of the API,
numbers beyond any column, bytes no database stores, bodies nested or sized to hurt. Every
answer here also passes the document (``tests/contract.py``)."""

from __future__ import annotations

import json

import pytest

from ..conftest import thread_url

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE")
SAMPLES = {"site": "news", "article": "story", "comment_id": "1", "ban_id": "1",
           "name": "swagger-ui.css"}  # fmt: skip


def _paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{converter_key(rule, name)}:{name}>", SAMPLES[name])
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
