"""The two hot reads, answered in front of Flask: cached threads and comment counts.

A popular article is read thousands of times for every comment written, and every page that lists
articles asks for their counts. Nearly every thread read finds its rendering in the cache and
needs one query (the article's version); a count request needs one query. Going through Flask's
request and application contexts, URL routing, session, and before- and after-request hooks
would cost them several times that. So this WSGI middleware answers those reads itself, as
Discourse answers anonymous page views from a Rack middleware in front of Rails
(``Middleware::AnonymousCache``).

It answers only when it is sure: a GET of one of the two URLs whose arguments are valid, a known
site, and for a thread either a current client copy (304) or the rendering cached under the
current version's ETag. Anything else (a miss, an error, any doubt) goes on to the Flask views,
which render, cache and answer; a thread view reuses the version read here. The responses are
the views' own, header for header: both build them with :mod:`moderation.api.headers`, and
``tests/test_fastpath.py`` holds them equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, unquote_to_bytes

from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wsgi import get_path_info

from . import threads
from .api.headers import cors_headers, counts_headers, json_headers, tag_list, thread_headers
from .schemas.parse import parse_values
from .schemas.requests import CountsQuery

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask
    from sqlalchemy.engine import Engine

#: Where the version read here waits for the thread view, when the view must render.
KNOWN_VERSION = "moderation.thread_version"

# The widget API's routes (api.widget): a site is a slug, an article key anything up to the
# final "/comments". No other route ends either way.
_THREAD_PATH = re.compile(r"/api/v1/sites/([a-z0-9-]{1,64})/articles/(.+)/comments")
_COUNTS_PATH = re.compile(r"/api/v1/sites/([a-z0-9-]{1,64})/counts")

Answer = tuple[str, list[tuple[str, str]], bytes]


class FastReads:
    """WSGI middleware that answers cached thread reads and counts, and hands all else on."""

    def __init__(self, app: Flask, engine: Engine, wsgi_app: WSGIApplication) -> None:
        self.engine = engine
        self.cache = app.extensions["thread_cache"]
        self.form_tokens = app.extensions["form_tokens"]
        self.settings = app.config["SETTINGS"]
        self.wsgi_app = wsgi_app
        self._routes: list[tuple[re.Pattern[str], Callable[..., Answer | None]]] = [
            (_THREAD_PATH, self._thread),
            (_COUNTS_PATH, self._counts),
        ]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET":
            path = get_path_info(environ)
            for pattern, answer_for in self._routes:
                match = pattern.fullmatch(path)
                if match is None:
                    continue
                try:
                    answer = answer_for(environ, *match.groups())
                except Exception:
                    # Bad input or a failure: the view meets it too, and answers it in the API's
                    # error shape. It reads the thread's version again.
                    environ.pop(KNOWN_VERSION, None)
                    answer = None
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]
                break
        return self.wsgi_app(environ, start_response)

    def _thread(self, environ: WSGIEnvironment, site: str, article: str) -> Answer | None:
        key = threads.parse_article_key(article)
        query = threads.parse_thread_query(_query_args(environ))
        known = threads.read_version(self.engine, site, key)
        if known is None:
            return None
        environ[KNOWN_VERSION] = known
        tags = tag_list(environ.get("HTTP_IF_NONE_MATCH", ""))
        result = threads.cached_thread(self.cache, known, query, tags)
        if result is None:
            return None
        max_age = self.settings.thread_max_age
        extra = thread_headers(result.etag, self.form_tokens.issue(site), max_age)
        if result.body is None:
            return "304 NOT MODIFIED", self._common(environ, extra, result.origins), b""
        headers = json_headers(result.body) + extra
        return "200 OK", self._common(environ, headers, result.origins), result.body

    def _counts(self, environ: WSGIEnvironment, site: str) -> Answer | None:
        keys = _article_keys(environ.get("QUERY_STRING", ""))
        if keys is None:
            return None
        query = parse_values(CountsQuery, {"article": keys})
        result = threads.count_comments(self.engine, site, query.article)
        body = threads.counts_json(result["counts"])
        headers = json_headers(body) + counts_headers(self.settings.thread_max_age)
        return "200 OK", self._common(environ, headers, result["origins"]), body

    @staticmethod
    def _common(
        environ: WSGIEnvironment, headers: list[tuple[str, str]], origins: list[str]
    ) -> list[tuple[str, str]]:
        """What the widget API's ``after_request`` adds to every answer."""
        headers.append(("Vary", "Origin"))
        origin = environ.get("HTTP_ORIGIN")
        if origin:
            headers += cors_headers(origin, origins, preflight=False)
        return headers


def _query_args(environ: WSGIEnvironment) -> ImmutableMultiDict[str, Any]:
    """The query string as Flask's ``request.args`` reads it."""
    raw = environ.get("QUERY_STRING", "")
    if not raw:
        return ImmutableMultiDict()
    # Werkzeug's decoding, to the letter: invalid bytes stay percent-encoded.
    pairs = parse_qsl(raw.encode("latin1").decode(), keep_blank_values=True, errors=_KEEP)
    return ImmutableMultiDict(pairs)


_KEEP = "werkzeug.url_quote"  # the codec error handler werkzeug registers for the purpose


def _article_keys(raw: str) -> list[str] | None:
    """The ``article`` values of a query string, decoded as ``request.args`` decodes them.

    Fifty keys is the common case, and decoding them one by one with the standard library costs
    more than the rest of the request. Values cannot hold a raw "&", so they are joined, decoded
    in one call and split again, unless one holds an encoded "&" (%26). UTF-8 decoding resumes at
    any ASCII byte, so invalid bytes come out as they would one value at a time. None for a query
    the view should read (an encoded parameter name).
    """
    values = []
    for pair in raw.encode("latin1").decode().split("&"):
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            return None
        if name == "article":
            values.append(value.replace("+", " "))
    joined = "&".join(values)
    if "%" not in joined:
        return values
    if "%26" in joined or not joined.isascii():
        return [unquote(value, errors=_KEEP) for value in values]
    return unquote_to_bytes(joined).decode("utf-8", _KEEP).split("&")
