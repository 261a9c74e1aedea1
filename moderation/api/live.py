"""The streams of live updates: an article's thread for its readers, a site's queue for its
moderators (``moderation.live``).

Each view checks who may listen and to what, and answers the stream's first bytes: how soon to
reconnect, and what a reconnecting browser missed since its ``Last-Event-ID``. The front then
keeps the connection open in its event loop (``live.hub``); served any other way the answer
ends there and the browser reconnects after the ``retry`` it names, which is a slower stream,
not a broken one.
"""

from __future__ import annotations

from flask import Response

from ..comments.submit import get_site
from ..db import db
from ..errors import Forbidden, NotFound
from ..live.answer import stream_response
from ..live.routes import article_channel, queue_channel
from ..threads import parse_article_key
from .moderation import _token_for_site
from .moderation import bp as moderation_bp
from .operations import Answer, operation
from .widget import THREAD, _allow_origins, bp

EVENTS = THREAD.removesuffix("/comments") + "/events"

_STREAM = {
    "Cache-Control": "Never stored: the stream is live.",
    "X-Accel-Buffering": "Tells nginx not to buffer the stream.",
}
_STREAM_ANSWERS = {
    200: Answer(
        description="The stream (it stays open).",
        schema={"type": "string"},
        media_type="text/event-stream",
        headers=_STREAM,
    )
}
_LAST_EVENT_ID = {
    "Last-Event-ID": (
        "The id of the last event the client received: the stream starts with what came after.",
        False,
    )
}


@bp.get(EVENTS)
@operation(
    id="streamThread",
    summary="Live updates of an article's public thread, as Server-Sent Events.",
    description=(
        "Events: `ready` (where the stream stands), `comment` (a comment became public, or a "
        "public one changed: the thread's comment shape), `removed` (`{id}`: a public comment "
        "was taken down) and `reset` (too much was missed: reload the thread). Each event's "
        "`id` is sent back by browsers as `Last-Event-ID` when they reconnect."
    ),
    tag="widget",
    headers=_LAST_EVENT_ID,
    answers=_STREAM_ANSWERS,
    errors=(NotFound,),
)
def stream_thread(site: str, article: str) -> Response:
    key = parse_article_key(article)
    found = get_site(db.session(), site)
    _allow_origins(found.origins)
    return stream_response([found.id], [article_channel(found.id, key)])


@moderation_bp.get("/moderation/sites/<slug:site>/events")
@operation(
    id="streamQueue",
    summary="Live changes of a site's queue, as Server-Sent Events.",
    description=(
        "Events: `ready`, `queued` (a comment entered the queue), `decided` (a comment was "
        "decided, by anyone), `flagged` (a comment was reported), each `{id, status}`, and "
        "`reset`. Reconnect with `Last-Event-ID` to hear what was missed."
    ),
    tag="moderation",
    bearer=True,
    headers=_LAST_EVENT_ID,
    answers=_STREAM_ANSWERS,
    errors=(Forbidden,),
)
def stream_queue(site: str) -> Response:
    site_id = _token_for_site(site).site.id  # loaded already, to check the token's site
    return stream_response([site_id], [queue_channel(site_id)])
