"""Publishing a thread beyond the widget: the HTML fragment a publisher includes server-side so
that crawlers read the comments (schema.org ``Comment`` microdata, the widget's own markup, which
the widget takes over), and Atom feeds of an article's and a site's comments.

Routes of the widget's blueprint (its CORS and error handling). Each is cached and conditional
as the JSON thread is: the fragment is served by ``threads.load_thread`` itself (one more
rendering of the same version), the feeds by ``feeds``.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from flask import Response, current_app, render_template, request

from .. import feeds, threads
from ..db import db
from ..errors import NotFound
from ..schemas import requests, responses
from ..serializers import rfc3339
from .headers import published_headers
from .operations import Answer, operation
from .payload import if_none_match, query
from .widget import _allow_origins, bp

#: The fragment's markup (``templates/publish/thread.html``), in its ETags and cache keys: move
#: it on with any change to what the fragment looks like, so no cache serves the old one.
FRAGMENT_FORMAT = 1
HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"

PUBLISHED_HEADERS = {
    "ETag": "Changes with anything it shows; send it back as `If-None-Match`.",
    "Cache-Control": "Shared caches may keep it briefly, then revalidate.",
}
_CONDITIONAL = {"If-None-Match": ("An ETag of this answer the client holds.", False)}
_NOT_MODIFIED = Answer(
    description="Unchanged since the `If-None-Match` ETag.", headers=PUBLISHED_HEADERS
)


def _max_age() -> int:
    return int(current_app.config["SETTINGS"].thread_max_age)


def _answer(result: threads.ThreadResult, content_type: str) -> Response:
    _allow_origins(result.origins)
    if result.body is None:
        response = Response(status=304)
    else:
        response = Response(result.body, content_type=content_type)
    response.headers.extend(published_headers(result.etag, _max_age()))
    return response


def _widget_thread(document: responses.Thread, sort: str) -> str:
    """What the widget reads of the thread from the fragment instead of its JSON (as text: the
    template escapes it into its attribute)."""
    return json.dumps(
        {
            "sort": sort,
            "total": document["total"],
            "next_cursor": document["next_cursor"],
            "article": {"closed": document["article"]["closed"]},
            "site": document["site"],
        },
        separators=(",", ":"),
    )


def _widget_comment(comment: responses.ThreadComment) -> str:
    """What the widget reads of a comment from the fragment: all its JSON but the HTML (the
    markup's own) and the replies (nested in it)."""
    fields = {k: v for k, v in comment.items() if k not in ("html", "replies")}
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def _fragment(site: str, nosnippet: bool, sort: str) -> threads.Rendering:
    def render(document: responses.Thread, etag: str) -> bytes:
        html = render_template(
            "publish/thread.html",
            thread=document,
            site=site,
            etag=etag,
            nosnippet=nosnippet,
            widget_thread=_widget_thread(document, sort),
            widget_comment=_widget_comment,
        )
        return html.strip().encode()

    # The option changes the markup, so it has a key of its own.
    return threads.Rendering(f"h{FRAGMENT_FORMAT}{'n' if nosnippet else ''}", render)


@bp.get("/sites/<slug:site>/articles/<article:article>/comments.html")
@operation(
    id="getPublishedThread",
    summary="The first page of the public thread as an HTML fragment, for the article's page.",
    description=(
        "The publisher fetches it on its server and places it inside the widget's container, "
        "so that search engines read the comments: schema.org `Comment` microdata, replies "
        "nested in their parents, and the widget's own markup, which the widget takes over "
        "without loading the page again. Cached and conditional as the JSON thread."
    ),
    tag="widget",
    query=requests.PublishedThreadQuery,
    headers=_CONDITIONAL,
    answers={
        200: Answer(
            description="The thread as an HTML fragment (UTF-8).",
            schema={"type": "string"},
            media_type="text/html",
            headers=PUBLISHED_HEADERS,
        ),
        304: _NOT_MODIFIED,
    },
    errors=(NotFound,),
)
def get_published_thread(site: str, article: str) -> Response:
    key = threads.parse_article_key(article)
    published = query(requests.PublishedThreadQuery)
    result = threads.load_thread(
        db.engine,
        db.session,
        current_app.extensions["thread_cache"],
        site,
        key,
        published.thread_query(),
        if_none_match(),
        rendering=_fragment(site, published.nosnippet, published.sort),
    )
    return _answer(result, HTML)


def _base_url() -> str:
    """Where readers reach the service: the configured address, else the request's."""
    return str(current_app.config["SETTINGS"].public_url or request.host_url.rstrip("/"))


def _tag(base_url: str, since: datetime, specific: str) -> str:
    """A ``tag:`` URI (RFC 4151) minted by the service's host on ``since``'s date."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0] or "localhost"
    return f"tag:{host},{since.date().isoformat()}:{specific}"


def _render_feed(self_url: str, base_url: str) -> feeds.Render:
    def render(feed: feeds.Feed) -> bytes:
        article = feed.article
        if feed.article_key is None:
            title = f"Comments on {feed.site_name}"
            feed_id = _tag(base_url, feed.since, feed.site_slug)
            alternate = feed.origins[0] if feed.origins else None
        else:
            named = (article.title if article else None) or feed.article_key
            title = f"Comments on {named}"
            feed_id = _tag(
                base_url, feed.since, f"{feed.site_slug}/articles/{quote(feed.article_key)}"
            )
            alternate = article.url if article else None
        xml = render_template(
            "publish/feed.xml",
            feed=feed,
            title=title,
            feed_id=feed_id,
            self_url=self_url,
            alternate=alternate,
            entry_id=lambda entry: _tag(
                base_url, entry.created_at, f"{feed.site_slug}/comments/{entry.id}"
            ),
            rfc3339=rfc3339,
        )
        return xml.encode()

    return render


_FEED_ANSWERS = {
    200: Answer(
        description="An Atom 1.0 feed (UTF-8), newest first.",
        schema={"type": "string"},
        media_type="application/atom+xml",
        headers=PUBLISHED_HEADERS,
    ),
    304: _NOT_MODIFIED,
}


@bp.get("/sites/<slug:site>/articles/<article:article>/feed.atom")
@operation(
    id="getArticleFeed",
    summary=f"An Atom feed of the article's newest {feeds.FEED_SIZE} public comments.",
    description="Empty, but there to subscribe to, for an article with no comment yet.",
    tag="widget",
    headers=_CONDITIONAL,
    answers=_FEED_ANSWERS,
    errors=(NotFound,),
)
def get_article_feed(site: str, article: str) -> Response:
    key = threads.parse_article_key(article)
    base = _base_url()
    self_url = f"{base}/api/v1/sites/{site}/articles/{quote(key, safe='')}/feed.atom"
    result = feeds.load_article_feed(
        db.engine,
        db.session,
        current_app.extensions["thread_cache"],
        site,
        key,
        base,
        _render_feed(self_url, base),
        if_none_match(),
    )
    return _answer(result, ATOM)


@bp.get("/sites/<slug:site>/feed.atom")
@operation(
    id="getSiteFeed",
    summary=f"An Atom feed of the site's newest {feeds.FEED_SIZE} public comments, all articles.",
    tag="widget",
    headers=_CONDITIONAL,
    answers=_FEED_ANSWERS,
    errors=(NotFound,),
)
def get_site_feed(site: str) -> Response:
    base = _base_url()
    result = feeds.load_site_feed(
        db.engine,
        db.session,
        current_app.extensions["thread_cache"],
        site,
        base,
        _render_feed(f"{base}/api/v1/sites/{site}/feed.atom", base),
        if_none_match(),
    )
    return _answer(result, ATOM)
