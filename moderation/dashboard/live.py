"""The queue's live changes for the signed-in moderator: comments entering it, decisions by
anyone, reports, on the sites they moderate (or the one the page is filtered to)."""

from __future__ import annotations

from flask import Response, request

from ..live.answer import stream_response
from ..live.routes import queue_channel
from .blueprint import bp
from .filters import read_filters


@bp.get("/events")
def queue_events() -> Response:
    site_ids = read_filters(request.args).site_ids
    return stream_response(site_ids, [queue_channel(site_id) for site_id in site_ids])
