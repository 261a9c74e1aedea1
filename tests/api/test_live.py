"""The streams of live updates through the HTTP layer: who may listen, how a stream starts, and
what a reconnecting browser is sent (the held connection itself: tests/live/test_serving.py)."""

from __future__ import annotations

from typing import Any

import pytest

from moderation.live import feed

from ..conftest import thread_url

STORY = "/2026/11/story"
EVENTS = thread_url("news", STORY).removesuffix("/comments") + "/events"


def messages(response: Any) -> list[tuple[str, str, str]]:
    """(id, event, data) of each message of a stream's body."""
    found = []
    for block in response.get_data(as_text=True).split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            found.append((fields.get("id", ""), fields["event"], fields.get("data", "")))
    return found


def ready_id(response: Any) -> str:
    return [m for m in messages(response) if m[1] == "ready"][-1][0]


def approve(client: Any, token: str, comment_id: int, action: str = "approve") -> None:
    response = client.post(
        f"/api/v1/comments/{comment_id}/decision",
        json={"action": action},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_json()


def test_a_stream_starts_where_the_outbox_stands(client, site, post):
    post()
    response = client.get(EVENTS)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True).startswith(f"retry: {feed.RETRY_MS}\n\n")
    assert [name for _, name, _ in messages(response)] == ["ready"]
    assert int(ready_id(response)) >= 1


def test_a_reconnecting_reader_is_sent_what_was_approved_meanwhile(client, site, post, make_token):
    token = make_token("news")
    start = ready_id(client.get(EVENTS))
    approved = post(body="<p>Worth reading.</p>").get_json()["comment"]["id"]
    post(body="Still waiting.")
    post(article="/2026/11/other", body="Another article.")
    approve(client, token, approved)
    response = client.get(EVENTS, headers={"Last-Event-ID": start})
    sent = messages(response)
    assert [name for _, name, _ in sent] == ["comment", "ready"]
    assert f'"id":{approved}' in sent[0][2] and "Worth reading." in sent[0][2]
    assert "Still waiting" not in response.get_data(as_text=True)
    # From where it now stands, nothing more.
    again = client.get(EVENTS, query_string={"last_event_id": ready_id(response)})
    assert [name for _, name, _ in messages(again)] == ["ready"]


def test_a_comment_taken_down_is_removed_for_readers(client, site, post, make_token):
    token = make_token("news")
    comment = post().get_json()["comment"]["id"]
    approve(client, token, comment)
    start = ready_id(client.get(EVENTS))
    approve(client, token, comment, "reject")
    sent = messages(client.get(EVENTS, headers={"Last-Event-ID": start}))
    assert sent[0][1:] == ("removed", f'{{"id":{comment}}}')


def test_a_reader_too_far_behind_reloads(client, site, post, make_token, monkeypatch):
    monkeypatch.setattr(feed, "BATCH", 3)
    start = ready_id(client.get(EVENTS))
    for n in range(4):
        post(body=f"Comment {n}.")
    sent = messages(client.get(EVENTS, headers={"Last-Event-ID": start}))
    assert [name for _, name, _ in sent] == ["ready", "reset"]


@pytest.mark.parametrize("value", ["", "abc", "-1", "9" * 30, "1.5"])
def test_an_odd_last_event_id_starts_afresh(client, site, value):
    response = client.get(EVENTS, headers={"Last-Event-ID": value})
    assert response.status_code == 200
    assert [name for _, name, _ in messages(response)] == ["ready"]


def test_an_unknown_site_is_not_found_in_the_api_shape(client, site):
    response = client.get("/api/v1/sites/nowhere/articles/story/events")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_the_publishers_pages_may_listen(client, site):
    response = client.get(EVENTS, headers={"Origin": "https://news.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://news.example"
    other = client.get(EVENTS, headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_queue_stream_needs_the_sites_token(client, site, make_site, make_token, post):
    path = "/api/v1/moderation/sites/news/events"
    assert client.get(path).status_code == 401
    make_site("other")
    other = client.get(path, headers={"Authorization": f"Bearer {make_token('other')}"})
    assert other.status_code == 403
    auth = {"Authorization": f"Bearer {make_token('news')}"}
    start = ready_id(client.get(path, headers=auth))
    waiting = post().get_json()["comment"]["id"]
    sent = messages(client.get(path, headers={**auth, "Last-Event-ID": start}))
    assert sent[0][1] == "queued"
    assert f'"id":{waiting},"status":"pending"' in sent[0][2]
