"""The cached-thread fast path answers exactly as the Flask view does, and only when it may."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from moderation.fastpath import FastReads

from .conftest import ORIGIN, thread_url

ARTICLES = ["/2026/11/story", "café/été 2026", "key with spaces & ?query=1", "plain"]


@pytest.fixture
def published(site, post, decide) -> str:
    """Approved threads of several comments and a reply, under awkward article keys."""
    for article in ARTICLES:
        first = post(article, site=site, body="Top comment").get_json()["comment"]
        decide(first["id"])
        reply = post(article, site=site, body="A reply", parent_id=first["id"])
        decide(reply.get_json()["comment"]["id"])
        for n in range(3):
            decide(post(article, site=site, body=f"Comment {n}").get_json()["comment"]["id"])
    return site


@pytest.fixture
def view_calls(app, monkeypatch) -> list[str]:
    """Every call of the Flask view: a request the fast path answered never reaches it."""
    calls: list[str] = []
    view = app.view_functions["widget_api.get_thread"]

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs["article"])
        return view(**kwargs)

    monkeypatch.setitem(app.view_functions, "widget_api.get_thread", counted)
    return calls


def _flask_only(app) -> Client:
    """A client of the app with the fast path taken out: every read goes to the view."""
    middleware = app.wsgi_app.wsgi_app  # inside the last resort (api/errors.LastResort)
    assert isinstance(middleware, FastReads)
    return Client(middleware.wsgi_app, Response)


def _answer(response: Any) -> tuple[int, bytes, list[tuple[str, str]], str | None]:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "X-Form-Token")
    return response.status_code, response.get_data(), headers, response.headers.get("X-Form-Token")


REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("", {}),
    ("?sort=newest", {}),
    ("?limit=2", {}),
    ("?limit=2&sort=newest", {"Origin": ORIGIN}),
    ("", {"Origin": ORIGIN}),
    ("", {"Origin": "https://elsewhere.example"}),
    ("", {"Origin": "not a url at all"}),
    ("", {"Origin": "https://news.example:443"}),
]


@pytest.mark.parametrize("article", ARTICLES)
def test_the_fast_path_answers_as_the_view_does(app, client, published, view_calls, article):
    for query, headers in REQUESTS:
        url = thread_url(published, article) + query
        view_calls.clear()
        slow = _flask_only(app).get(url, headers=headers)  # renders and caches, if need be
        assert slow.status_code == 200
        fast = client.get(url, headers=headers)
        assert view_calls == [article], f"{url} {headers}: not answered by the fast path"
        assert _answer(fast)[:3] == _answer(slow)[:3], (url, headers)
        assert fast.headers["X-Form-Token"]

        etag = fast.headers["ETag"]
        for current in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            fast = client.get(url, headers={**headers, "If-None-Match": current})
            slow = _flask_only(app).get(url, headers={**headers, "If-None-Match": current})
            assert fast.status_code == 304
            assert _answer(fast)[:3] == _answer(slow)[:3], (url, headers, current)
        assert len(view_calls) == 5


def test_later_pages_and_replies_are_served_from_the_cache_too(client, published, view_calls):
    article = ARTICLES[0]
    first = client.get(thread_url(published, article), query_string={"limit": 2}).get_json()
    cursor = first["next_cursor"]
    top = first["comments"][0]["id"]
    for query in ({"limit": 2, "cursor": cursor}, {"replies_to": top}):
        rendered = client.get(thread_url(published, article), query_string=query)
        fast = client.get(thread_url(published, article), query_string=query)
        assert _answer(fast)[:3] == _answer(rendered)[:3]
    assert len(view_calls) == 3  # the first page and two renderings; the repeats were fast


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (thread_url("no-such-site", "plain"), 404),
        (thread_url("news", "plain") + "?limit=0", 400),
        (thread_url("news", "plain") + "?limit=ten", 400),
        (thread_url("news", "plain") + "?sort=sideways", 400),
        (thread_url("news", "plain") + "?cursor=forged", 400),
        (thread_url("news", "plain") + "?cursor=%ff%fe", 400),
        (thread_url("news", "\x01control"), 400),
    ],
)
def test_anything_in_doubt_goes_to_the_view(client, published, view_calls, url, status):
    client.get(url)  # whatever a first request may have cached
    response = client.get(url)
    assert response.status_code == status
    assert set(response.get_json()) == {"error"}
    assert len(view_calls) == 2


def test_head_and_preflight_requests_go_to_flask(client, published, view_calls):
    url = thread_url(published, "plain")
    client.get(url)
    assert client.head(url).status_code == 200
    assert len(view_calls) == 2
    preflight = client.options(
        url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_a_decision_is_seen_at_once_through_the_fast_path(client, published, post, decide):
    url = thread_url(published, "plain")
    before = client.get(url).get_json()
    assert client.get(url).get_json() == before  # now from the cache
    comment = post("plain", site=published, body="Brand new").get_json()["comment"]
    assert client.get(url).get_json() == before  # pending: not public yet
    decide(comment["id"])
    after = client.get(url).get_json()
    assert after["total"] == before["total"] + 1
    decide(comment["id"], "reject", reason="off_topic")
    assert client.get(url).get_json() == before


def _view_counter(app, monkeypatch, endpoint: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    view = app.view_functions[endpoint]

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return view(**kwargs)

    monkeypatch.setitem(app.view_functions, endpoint, counted)
    return calls


COUNT_QUERIES = [
    "article=plain",
    "article=%2F2026%2F11%2Fstory&article=plain&article=unknown",
    "article=caf%C3%A9%2F%C3%A9t%C3%A9+2026&article=key+with+spaces+%26+%3Fquery%3D1",
    "article=plain&article=plain&_=1732500000",  # a repeat, and a cache-buster the view ignores
    "article=%ff%fe+odd",  # not UTF-8: kept percent-encoded, as request.args keeps it
    "article=café",  # raw, unencoded UTF-8 in the query string
    "&&article=plain&",
    "article=a%26b&article=plain",  # an encoded "&" inside a key
    "article=%E2%82&article=%AC&article=%C3",  # a character split across keys: not one
    "article=%e2%82%ac+euro&article=plain",  # lower-case escapes
    "article",  # no value: a blank key, refused
]


@pytest.mark.parametrize("query", COUNT_QUERIES)
def test_counts_answer_as_the_view_does(app, client, published, monkeypatch, query):
    calls = _view_counter(app, monkeypatch, "widget_api.get_counts")
    url = f"/api/v1/sites/{published}/counts?{query}"
    for origin in (None, ORIGIN, "https://elsewhere.example"):
        calls.clear()
        headers = {"Origin": origin} if origin else {}
        fast = client.get(url, headers=headers)
        slow = _flask_only(app).get(url, headers=headers)
        assert _answer(fast) == _answer(slow), (url, origin)
        if fast.status_code == 200:
            assert len(calls) == 1, "the fast path did not answer"
        else:
            assert len(calls) == 2, "an error must come from the view"


def test_counts_count_what_is_public(client, published):
    query = "&".join(f"article={quote(a, safe='')}" for a in [*ARTICLES, "never-commented"])
    counts = client.get(f"/api/v1/sites/{published}/counts?{query}").get_json()["counts"]
    assert counts == {**dict.fromkeys(ARTICLES, 5), "never-commented": 0}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("other=1", 400),
        ("&".join(["article=a"] * 50 + [f"article={n}" for n in range(101)]), 400),
    ],
)
def test_count_errors_come_from_the_view(app, client, published, monkeypatch, query, status):
    calls = _view_counter(app, monkeypatch, "widget_api.get_counts")
    response = client.get(f"/api/v1/sites/{published}/counts?{query}")
    assert response.status_code == status
    assert set(response.get_json()) == {"error"}
    assert len(calls) == 1
    missing = client.get("/api/v1/sites/nowhere/counts?article=plain")
    assert missing.status_code == 404
    assert len(calls) == 2
