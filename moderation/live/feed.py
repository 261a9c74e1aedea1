"""Reading the outbox for streams, and writing what it says as Server-Sent Events.

Both the hub (events as they are committed) and a reconnecting browser (the events after its
``Last-Event-ID``) read here, so a message sent live and the same message sent again on a
reconnect are the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..models import PUBLIC_STATUSES, Comment, Event
from ..serializers import thread_comment
from .routes import Item, route

__all__ = ["Item", "Row", "latest_id", "message", "opening", "read_after", "render", "replay"]

#: Events read in one query; a reconnect further behind than this starts afresh (``reset``).
BATCH = 500
#: How long a browser waits before reconnecting, in milliseconds (its own default is 3 s).
RETRY_MS = 2000

#: The event types that can reach a stream: the rest of the outbox is not read.
STREAMED_TYPES = (
    "comment.created",
    "comment.edited",
    "comment.decided",
    "comment.deleted",
    "comment.featured",
    "flag.created",
)


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    site_id: int
    items: tuple[Item, ...]


def latest_id(connection: Connection) -> int:
    """The id of the newest event: a stream that starts now starts after it."""
    return connection.scalar(select(func.max(Event.id))) or 0


def read_after(
    connection: Connection,
    after: int,
    site_ids: Sequence[int] | None = None,
    limit: int = BATCH,
) -> list[Row]:
    """The events after ``after`` (of these sites, or of all), in order, routed to streams."""
    query = select(Event.id, Event.site_id, Event.type, Event.data).where(
        Event.id > after, Event.type.in_(STREAMED_TYPES)
    )
    if site_ids is not None:
        query = query.where(Event.site_id.in_(site_ids))
    rows = connection.execute(query.order_by(Event.id).limit(limit))
    return [Row(id_, site, tuple(route(id_, site, type_, data))) for id_, site, type_, data in rows]


def render(connection: Connection, items: Sequence[Item]) -> list[tuple[Item, bytes]]:
    """Each item as the bytes of one SSE message. A reader's ``comment`` carries the comment as
    the thread shows it now: one that is no longer public by the time it is read is left out
    (the event of its removal follows)."""
    wanted = {item.comment_id for item in items if item.name == "comment"}
    comments = {}
    if wanted:
        table = Comment.__table__
        for comment in connection.execute(select(table).where(table.c.id.in_(wanted))):
            comments[comment.id] = comment
    out = []
    for item in items:
        if item.name == "comment":
            found = comments.get(item.comment_id)
            if found is None or found.status not in PUBLIC_STATUSES:
                continue
            data: object = thread_comment(found)
        elif item.name == "removed":
            data = {"id": item.comment_id}
        else:
            data = {"id": item.comment_id, "status": item.status, "article_id": item.article_id}
        out.append((item, message(item.name, data, item.event_id)))
    return out


def message(name: str, data: object, event_id: int | None = None) -> bytes:
    """One SSE message (the data is JSON, on one line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def opening(last_id: int, missed: bytes = b"") -> bytes:
    """The first bytes of every stream: how soon to reconnect, what the browser missed, and
    where the stream stands, so that a browser reconnecting sends it back as ``Last-Event-ID``."""
    return f"retry: {RETRY_MS}\n\n".encode() + missed + message("ready", {}, last_id)


def replay(
    connection: Connection, site_ids: Sequence[int], channels: Sequence[str], after: int
) -> tuple[bytes, int] | None:
    """What a stream reconnecting after ``after`` missed, and the id it now stands at; None
    when it missed too much to replay (the browser reloads the thread instead)."""
    rows = read_after(connection, after, site_ids)
    if len(rows) >= BATCH:
        return None
    if rows and (connection.scalar(select(func.min(Event.id))) or 0) > after + 1:
        return None  # the events it missed were pruned
    items = [item for row in rows for item in row.items if item.channel in channels]
    last = rows[-1].id if rows else after
    return b"".join(data for _, data in render(connection, items)), last
