"""Cached threads answered in front of Flask: the service's hot path.

A popular article is read thousands of times for every comment written, and nearly every read
finds its thread already rendered in the cache. Such a read needs one query (the article's
version) and a cache lookup; going through Flask's request and application contexts, URL
routing, session, and before- and after-request hooks would cost it several times that. So
this WSGI middleware answers those reads itself, as Discourse answers anonymous page views from
a Rack middleware in front of Rails (``Middleware::AnonymousCache``).

It answers only when it is sure: a GET of a thread URL whose arguments are valid, a known site,
and either a current client copy (304) or the rendering cached under the current version's
ETag. Anything else (a miss, an error, any doubt) goes on to the Flask view, which renders,
caches and answers, reusing the version read here. The responses are the view's, header for
header: both build them with :mod:`moderation.api.headers`, and a test holds them equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wsgi import get_path_info

from . import threads
from . import validate as v
from .api.errors import ApiError
from .api.headers import cors_headers, thread_headers
from .api.payload import parse_if_none_match

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask
    from sqlalchemy.engine import Engine

#: Where the version read here waits for the view, when the view must render.
KNOWN_VERSION = "moderation.thread_version"

# The widget API's thread route (api.widget.THREAD): a site is one path segment, an article key
# anything up to the final "/comments". No other route ends that way.
_THREAD_PATH = re.compile(r"/api/v1/sites/([^/]+)/articles/(.+)/comments")


class CachedThreads:
    """WSGI middleware that answers cached thread reads and hands everything else on."""

    def __init__(self, app: Flask, engine: Engine, wsgi_app: WSGIApplication) -> None:
        self.engine = engine
        self.cache = app.extensions["thread_cache"]
        self.form_tokens = app.extensions["form_tokens"]
        self.settings = app.config["SETTINGS"]
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET":
            match = _THREAD_PATH.fullmatch(get_path_info(environ))
            if match is not None:
                answer = self._answer(environ, match[1], match[2])
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(
        self, environ: WSGIEnvironment, site: str, article: str
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        try:
            key = v.article_key(article)
            query = threads.parse_thread_query(_query_args(environ))
        except (ApiError, UnicodeError, ValueError):
            return None  # the view answers with the error
        try:
            known = threads.read_version(self.engine, site, key)
            if known is None:
                return None
            environ[KNOWN_VERSION] = known
            tags = parse_if_none_match(environ.get("HTTP_IF_NONE_MATCH", ""))
            result = threads.cached_thread(self.cache, known, query, tags)
        except Exception:  # the view meets the same failure and reports it in the API shape
            environ.pop(KNOWN_VERSION, None)
            return None
        if result is None:
            return None
        if result.body is None:
            status, headers = "304 NOT MODIFIED", []
        else:
            status = "200 OK"
            headers = [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(result.body))),
            ]
        max_age = self.settings.thread_max_age
        headers += thread_headers(result.etag, self.form_tokens.issue(site), max_age)
        headers.append(("Vary", "Origin"))
        origin = environ.get("HTTP_ORIGIN")
        if origin:
            headers += cors_headers(origin, result.origins, preflight=False)
        return status, headers, result.body or b""


def _query_args(environ: WSGIEnvironment) -> ImmutableMultiDict[str, Any]:
    """The query string as Flask's ``request.args`` reads it."""
    raw = environ.get("QUERY_STRING", "")
    if not raw:
        return ImmutableMultiDict()
    # Werkzeug's decoding, to the letter: invalid bytes stay percent-encoded.
    decoded = raw.encode("latin1").decode()
    pairs = parse_qsl(decoded, keep_blank_values=True, errors="werkzeug.url_quote")
    return ImmutableMultiDict(pairs)
