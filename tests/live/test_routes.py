"""Which stream each event of the outbox reaches, and as what (``live.routes``, pure)."""

from __future__ import annotations

import pytest

from moderation.live.routes import Item, article_channel, queue_channel, route

ARTICLE = {"id": 7, "key": "/2026/11/story"}
READERS = article_channel(3, "/2026/11/story")
QUEUE = queue_channel(3)


def comment(status: str) -> dict:
    return {"id": 42, "status": status, "article": ARTICLE}


def names(type_: str, data: dict) -> list[tuple[str, str]]:
    return [(item.channel, item.name) for item in route(9, 3, type_, data)]


@pytest.mark.parametrize(
    ("type_", "status", "decided_from", "expected"),
    [
        # Published at once (staff, trusted, a post-moderated site): readers and the queue.
        ("comment.created", "approved", None, [(READERS, "comment")]),
        ("comment.created", "published", None, [(READERS, "comment"), (QUEUE, "queued")]),
        ("comment.created", "pending", None, [(QUEUE, "queued")]),
        ("comment.created", "spam", None, []),
        ("comment.decided", "approved", "pending", [(READERS, "comment"), (QUEUE, "decided")]),
        # Approving what readers already see changes nothing for them.
        ("comment.decided", "approved", "published", [(QUEUE, "decided")]),
        ("comment.decided", "rejected", "approved", [(READERS, "removed"), (QUEUE, "decided")]),
        ("comment.decided", "rejected", "pending", [(QUEUE, "decided")]),
        ("comment.deleted", "deleted", None, [(READERS, "removed"), (QUEUE, "decided")]),
        ("comment.edited", "approved", None, [(READERS, "comment")]),
        ("comment.edited", "pending", None, [(QUEUE, "queued")]),
        ("comment.featured", "approved", None, [(READERS, "comment")]),
        ("flag.created", "approved", None, [(QUEUE, "flagged")]),
    ],
)
def test_each_event_reaches_the_streams_that_show_it(type_, status, decided_from, expected):
    data: dict = {"comment": comment(status)}
    if decided_from is not None:
        data["decision"] = {"action": "x", "from_status": decided_from}
    assert names(type_, data) == expected


def test_the_queue_hears_the_status_and_the_article_of_each_change():
    [_, queued] = route(9, 3, "comment.created", {"comment": comment("published")})
    assert queued == Item(9, QUEUE, "queued", 42, "published", 7)


@pytest.mark.parametrize(
    "data",
    [{}, {"comment": None}, {"comment": {"id": "42"}}, {"article": ARTICLE}],
)
def test_events_of_no_comment_reach_no_stream(data):
    assert route(9, 3, "comment.created", data) == []
    assert route(9, 3, "article.created", {"article": ARTICLE}) == []


def test_article_streams_are_named_by_key_and_site():
    assert article_channel(3, "/a") != article_channel(4, "/a") != article_channel(3, "/b")
