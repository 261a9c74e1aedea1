"""Which stream an event of the outbox reaches, and as what: a pure function of the event.

Readers of an article hear of comments that became public there (``comment``, also sent again
when a public comment is edited or featured) and of public comments taken down (``removed``).
Moderators of a site hear of comments entering its queue (``queued``), of decisions by anyone
(``decided``) and of reports (``flagged``). Nothing else of the outbox is streamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PUBLIC = frozenset({"approved", "published"})
_QUEUED = frozenset({"pending", "published"})


def article_channel(site_id: int, article_key: str) -> str:
    # By key, not id: a stream opened on an article nobody has commented on yet (no row)
    # hears its first comment.
    return f"a:{site_id}:{article_key}"


def queue_channel(site_id: int) -> str:
    return f"q:{site_id}"


@dataclass(frozen=True, slots=True)
class Item:
    """One message of one stream: ``name`` is the SSE event type."""

    event_id: int
    channel: str
    name: str
    comment_id: int
    status: str | None = None  # what the queue shows of it (moderators' streams)
    article_id: int | None = None


def route(event_id: int, site_id: int, type_: str, data: Mapping[str, Any]) -> list[Item]:
    """The messages one event becomes (none for most of the outbox)."""
    comment = data.get("comment")
    if not isinstance(comment, Mapping) or not isinstance(comment.get("id"), int):
        return []
    comment_id: int = comment["id"]
    status = comment.get("status")
    article = comment.get("article") or {}
    items: list[Item] = []
    reader = _reader_message(type_, status, data.get("decision") or {})
    if reader is not None and isinstance(article.get("key"), str):
        items.append(Item(event_id, article_channel(site_id, article["key"]), reader, comment_id))
    moderator = _moderator_message(type_, status)
    if moderator is not None:
        items.append(
            Item(event_id, queue_channel(site_id), moderator, comment_id, status, article.get("id"))
        )
    return items


def _reader_message(type_: str, status: Any, decision: Mapping[str, Any]) -> str | None:
    was_public = decision.get("from_status") in _PUBLIC
    if type_ == "comment.created":
        return "comment" if status in _PUBLIC else None
    if type_ in ("comment.edited", "comment.featured"):
        return "comment" if status in _PUBLIC else None
    if type_ == "comment.decided":
        if status in _PUBLIC:
            return None if was_public else "comment"
        return "removed" if was_public else None
    if type_ == "comment.deleted":
        return "removed"  # a removal the reader may not have seen costs one lookup in the DOM
    return None


def _moderator_message(type_: str, status: Any) -> str | None:
    if type_ in ("comment.created", "comment.edited"):
        return "queued" if status in _QUEUED else None
    if type_ in ("comment.decided", "comment.deleted"):
        return "decided"
    if type_ == "flag.created":
        return "flagged"
    return None
