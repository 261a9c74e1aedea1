"""A stream's answer from the app: who may listen is the view's to check; this writes how the
stream starts, what a reconnecting browser missed, and the header by which the front holds the
connection open (``hub.HEADER``)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, request

from ..db import db
from . import feed, hub


def stream_response(site_ids: Sequence[int], channels: Sequence[str]) -> Response:
    """The first bytes of a stream of ``channels`` of these sites, and the header that has the
    front hold it open. A ``Last-Event-ID`` (header, or ``last_event_id`` in the query, for clients
    that cannot set headers) replays what was missed, or asks the client to reload (``reset``)
    when that is more than a stream replays."""
    connection = db.session.connection()
    after = _last_event_id()
    if after is None:
        start = feed.latest_id(connection)
        body = feed.opening(start)
    else:
        replayed = feed.replay(connection, site_ids, channels, after)
        if replayed is None:
            start = feed.latest_id(connection)
            body = feed.opening(start) + feed.message("reset", {}, start)
        else:
            missed, start = replayed
            body = feed.opening(start, missed)
    db.session.rollback()  # the read's transaction ends before the stream's long wait
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    response.headers[hub.HEADER] = hub.spec(channels, start)
    return response


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 18:
        return None  # a stream starts afresh rather than refuse a client's odd header
    return int(raw.strip())
