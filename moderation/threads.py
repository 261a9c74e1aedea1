"""Reading public threads: pagination, replies, ETags, the cache and comment counts.

A thread read costs one query when the thread is cached or unchanged (the article's version), and
four when it is not: the version, the article, a page of top-level comments and the replies to
that page. No query runs per comment.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Text, and_, bindparam, or_, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .cache import FORMAT, ThreadCache
from .comments.cursors import (
    decode_cursor,
    decode_score_cursor,
    encode_cursor,
    encode_score_cursor,
)
from .errors import NotFound, ValidationError
from .models import PUBLIC_STATUSES, Article, Comment, Commenters, Site
from .prepared import Prepared
from .schemas import responses
from .schemas.fields import ARTICLE_KEY, MAX_COUNT_KEYS, PATTERN_MESSAGES
from .schemas.parse import parse_values
from .schemas.requests import ThreadQuery
from .serializers import dump, public_article, thread_comment

# Replies served with one page of threads. A page stays bounded even under a thread with
# thousands of replies; threads cut short say so (``more_replies``) and the rest is fetched with
# ``?replies_to=ID``.
MAX_REPLIES_PER_PAGE = 500


@dataclass(frozen=True)
class Rendering:
    """One way a thread is served: the widget's JSON, or the publisher's HTML fragment
    (``api.publishing``). ``prefix`` opens its ETags and cache keys, so that two renderings of
    one version never share a key; ``render`` makes the bytes of a thread document under its
    ETag."""

    prefix: str
    render: Callable[[responses.Thread, str], bytes]


#: The widget's JSON: ETags as they always were (``"t5.…"``).
JSON_RENDERING = Rendering(f"t{FORMAT}", lambda document, _etag: dump(responses.Thread, document))


@dataclass(frozen=True)
class ThreadResult:
    etag: str
    origins: list[str]
    body: bytes | None  # None when the client's copy is current (304)


_ARTICLE_KEY = re.compile(ARTICLE_KEY)


def parse_article_key(raw: str) -> str:
    """An article key from a path, checked as the contract's ``ArticleKey``."""
    if not _ARTICLE_KEY.match(raw):
        raise ValidationError("article", PATTERN_MESSAGES[ARTICLE_KEY])
    return raw


def parse_thread_query(args: Mapping[str, Any]) -> ThreadQuery:
    """``sort``, ``limit``, ``cursor`` and ``replies_to`` from a query string, checked."""
    query = parse_values(ThreadQuery, {k: args[k] for k in args})
    decode_cursor(query.cursor)
    return query


def reaction_mark(reacted_second: int | None, reacted_before: int | None, now: float) -> int:
    """What of an article's reactions its thread's cache key holds.

    A reaction marks the second it commits in at the latest (``comments.reactions``), so a
    rendering made in any later second counts it. Until that second is over, the thread keeps
    the key it had after the reaction before (its rendering is at most a second or two behind);
    then it takes the second after the latest reaction, for good. So the key changes once per
    second at most while reactions arrive, once for a lone reaction, and a reaction shows in
    every read within two seconds.
    """
    if reacted_second is None:
        return 0
    if int(now) > reacted_second:
        return -(reacted_second + 1)
    return -(reacted_before + 1) if reacted_before is not None else 0


@dataclass(frozen=True)
class ThreadVersion:
    """What the hot path's one query tells of a thread: enough to name its cached rendering."""

    site_slug: str
    article_key: str
    site_id: int
    site_closed: bool
    origins: list[str]
    settings_version: int
    article_id: int | None  # None: no comment yet, so no article row
    version: int | None
    reacted_second: int | None = None
    reacted_before: int | None = None
    # What the thread shows of its site, read in the same query; made into its shape only to
    # render (``site_view``), not on every cached read.
    site_settings: tuple[Commenters, str | None, str] = (Commenters.GUESTS, None, "Respect")

    def site_view(self) -> responses.ThreadSite:
        commenters, login_url, reaction_label = self.site_settings
        return {
            "commenters": commenters.value,
            "login_url": login_url,
            "reaction_label": reaction_label,
        }

    def etag(
        self,
        query: ThreadQuery,
        version: int | None = None,
        now: float | None = None,
        prefix: str = JSON_RENDERING.prefix,
    ) -> str:
        if self.article_id is not None:
            mark = reaction_mark(
                self.reacted_second, self.reacted_before, time.time() if now is None else now
            )
            current = self.version if version is None else version
            thread = f"{self.article_id}.{current}.{mark}"
        else:
            thread = f"s{self.site_id}.0"
        site = f"{int(self.site_closed)}.{self.settings_version}"
        return f'"{prefix}.{thread}.{site}.{query.fingerprint()}"'


# The hot path: one statement, built once, that reads the article's version (and the site's
# origins for CORS). Everything else is in the cached JSON it keys.
_VERSION = Prepared(
    select(
        Site.id,
        Site.closed,
        Site.origins,
        Site.settings_version,
        Article.id,
        Article.version,
        Article.reacted_second,
        Article.reacted_before,
        Site.commenters,
        Site.login_url,
        Site.reaction_label,
    )
    .outerjoin(Article, and_(Article.site_id == Site.id, Article.key == bindparam("key")))
    .where(Site.slug == bindparam("slug"))
)


def read_version(engine: Engine, site_slug: str, article_key: str) -> ThreadVersion | None:
    """The thread's version in one query, on its own pooled connection; None for no such site."""
    row = _VERSION.first(engine, {"slug": site_slug, "key": article_key})
    if row is None:
        return None
    site_id, site_closed, origins, settings_version, article_id, version = row[:6]
    reacted, reacted_before, *site_settings = row[6:]
    return ThreadVersion(
        site_slug,
        article_key,
        site_id,
        bool(site_closed),
        origins,
        settings_version,
        article_id,
        version,
        reacted,
        reacted_before,
        tuple(site_settings),
    )


def cached_thread(
    cache: ThreadCache,
    known: ThreadVersion,
    query: ThreadQuery,
    if_none_match: Sequence[str] = (),
    now: float | None = None,
    rendering: Rendering = JSON_RENDERING,
) -> ThreadResult | None:
    """The answer that needs no rendering: a 304 for a current client copy, or the cached
    rendering. None when the thread must be rendered."""
    etag = known.etag(query, now=now, prefix=rendering.prefix)
    if etag in if_none_match or "*" in if_none_match:
        return ThreadResult(etag, known.origins, None)
    body = cache.get(etag)
    return ThreadResult(etag, known.origins, body) if body is not None else None


def load_thread(
    engine: Engine,
    new_session: Callable[[], Session],
    cache: ThreadCache,
    site_slug: str,
    article_key: str,
    query: ThreadQuery,
    if_none_match: Sequence[str] = (),
    known: ThreadVersion | None = None,
    rendering: Rendering = JSON_RENDERING,
) -> ThreadResult:
    """The public thread of one article as ready bytes (JSON, or another ``rendering``), or
    None for a current client copy.

    ``known`` is the version when the caller has read it already (the fast path, on a miss);
    ``new_session`` is called only to render.
    """
    if known is None or (known.site_slug, known.article_key) != (site_slug, article_key):
        known = read_version(engine, site_slug, article_key)
    if known is None:
        raise NotFound(f"There is no site {site_slug!r}.")
    now = time.time()
    result = cached_thread(cache, known, query, if_none_match, now, rendering)
    if result is not None:
        return result

    session = new_session()
    etag = known.etag(query, now=now, prefix=rendering.prefix)
    article = session.get(Article, known.article_id) if known.article_id is not None else None
    if article is not None and article.version != known.version:
        # Changed since the version was read on the other connection:
        # key the rendering by the version it is at least as new as.
        etag = known.etag(query, article.version, now=now, prefix=rendering.prefix)
    document = _document(session, known.site_view(), article, article_key, known.site_closed, query)
    body = rendering.render(document, etag)
    cache.set(etag, body)
    return ThreadResult(etag, known.origins, body)


def _document(
    session: Session,
    site: responses.ThreadSite,
    article: Article | None,
    key: str,
    site_closed: bool,
    query: ThreadQuery,
) -> responses.Thread:
    comments: list[responses.ThreadComment] = []
    next_cursor = None
    if article is not None:
        comments, next_cursor = _page(session, article.id, query)
    document: responses.Thread = {
        "site": site,
        "article": public_article(article, key, site_closed),
        "comments": comments,
        "total": article.public_count if article is not None else 0,
        "next_cursor": next_cursor,
    }
    return document


#: What a thread shows of a comment, read as rows: building ORM objects for a page cost more
#: than its queries.
_THREAD_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.root_id,
    Comment.depth,
    Comment.author_name,
    Comment.author_key,
    Comment.html,
    Comment.created_at,
    Comment.edited_at,
    Comment.staff,
    Comment.badges,
    Comment.featured,
    Comment.reactions,
)


def _comments() -> Select[Any]:
    return cast("Select[Any]", select(*_THREAD_COLUMNS))


def _page(
    session: Session, article_id: int, query: ThreadQuery
) -> tuple[list[responses.ThreadComment], str | None]:
    public = Comment.status.in_(PUBLIC_STATUSES)
    in_article = and_(Comment.article_id == article_id, public)
    if query.replies_to is not None:
        # The rest of one long thread, flat in order; each reply names its parent.
        after = decode_cursor(query.cursor)
        stmt = _comments().where(in_article, Comment.root_id == query.replies_to)
        if after is not None:
            stmt = stmt.where(Comment.id > after)
        return _flat(session, stmt.order_by(Comment.id), query.limit)
    if query.featured:
        # The editors' picks, replies among them, newest first; each stands alone.
        after = decode_cursor(query.cursor)
        stmt = _comments().where(in_article, Comment.featured.is_(True))
        if after is not None:
            stmt = stmt.where(Comment.id < after)
        return _flat(session, stmt.order_by(Comment.id.desc()), query.limit)

    stmt = _comments().where(in_article, Comment.root_id.is_(None))
    roots = list(session.execute(_ordered(stmt, query).limit(query.limit + 1)))
    next_cursor = None
    if len(roots) > query.limit:
        last = roots[query.limit - 1]
        next_cursor = (
            encode_score_cursor(last.reactions, last.id)
            if query.sort == "best"
            else encode_cursor(last.id)
        )
    roots = roots[: query.limit]
    if not roots:
        return [], next_cursor

    replies = list(
        session.execute(
            _comments()
            .where(in_article, Comment.root_id.in_([r.id for r in roots]))
            .order_by(Comment.id)
            .limit(MAX_REPLIES_PER_PAGE + 1)
        )
    )
    truncated_roots: set[int] = set()
    if len(replies) > MAX_REPLIES_PER_PAGE:
        truncated_roots = {r.root_id for r in replies[MAX_REPLIES_PER_PAGE:] if r.root_id}
        replies = replies[:MAX_REPLIES_PER_PAGE]
    return _assemble(roots, replies, truncated_roots), next_cursor


def _ordered(stmt: Select[Any], query: ThreadQuery) -> Select[Any]:
    """Top-level comments in the query's order, from its cursor on."""
    if query.sort == "best":
        # Most reactions first, then newest; the cursor is the last one's count and id.
        if query.cursor:
            count, last_id = decode_score_cursor(query.cursor)
            stmt = stmt.where(
                or_(
                    Comment.reactions < count,
                    and_(Comment.reactions == count, Comment.id < last_id),
                )
            )
        return stmt.order_by(Comment.reactions.desc(), Comment.id.desc())
    after = decode_cursor(query.cursor)
    newest = query.sort == "newest"
    if after is not None:
        stmt = stmt.where(Comment.id < after if newest else Comment.id > after)
    return stmt.order_by(Comment.id.desc() if newest else Comment.id)


def _flat(
    session: Session, stmt: Select[Any], limit: int
) -> tuple[list[responses.ThreadComment], str | None]:
    rows = list(session.execute(stmt.limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return [thread_comment(c) for c in rows[:limit]], next_cursor


def _assemble(
    roots: Sequence[Any], replies: Sequence[Any], truncated_roots: set[int]
) -> list[responses.ThreadComment]:
    """Attach replies to their parents. A reply whose parent is no longer public hangs from its
    thread's top comment, so one removed comment does not hide the conversation under it."""
    nodes = {c.id: thread_comment(c) for c in roots}
    for reply in replies:  # ordered by id: every public parent is placed before its children
        node = thread_comment(reply)
        nodes[reply.id] = node
        parent = reply.parent_id if reply.parent_id in nodes else reply.root_id
        assert parent is not None  # replies always have a root; roots are all in ``nodes``
        nodes[parent]["replies"].append(node)
    out = []
    for root in roots:
        node = nodes[root.id]
        if root.id in truncated_roots:
            node["more_replies"] = True
        out.append(node)
    return out


@functools.lru_cache(maxsize=MAX_COUNT_KEYS)
def _counts_read(keys: int) -> Prepared:
    """Counts of ``keys`` articles: one statement per number of keys, compiled once each.

    The site's origins (for CORS) come with every row; they are read as stored, not decoded,
    and decoded once from the first row.
    """
    return Prepared(
        select(Site.id, type_coerce(Site.origins, Text), Article.key, Article.public_count)
        .outerjoin(
            Article,
            and_(
                Article.site_id == Site.id,
                Article.key.in_([bindparam(f"k{n}") for n in range(keys)]),
            ),
        )
        .where(Site.slug == bindparam("slug"))
    )


def count_comments(engine: Engine, site_slug: str, keys: Sequence[str]) -> dict[str, Any]:
    """Public comment counts for up to 100 articles (checked keys, ``schemas.CountsQuery``), in
    one query; unknown articles count 0."""
    distinct = sorted(set(keys))
    params = {"slug": site_slug, **{f"k{n}": key for n, key in enumerate(distinct)}}
    rows = _counts_read(len(distinct)).all(engine, params)
    if not rows:
        raise NotFound(f"There is no site {site_slug!r}.")
    counts = dict.fromkeys(keys, 0)
    for _site_id, _origins, key, count in rows:
        if key is not None:
            counts[key] = count
    origins = rows[0][1]
    # PostgreSQL's driver decodes JSON whatever the statement says; SQLite hands back the text.
    return {
        "counts": counts,
        "origins": json.loads(origins) if isinstance(origins, str) else origins,
    }


def counts_json(counts: dict[str, int]) -> bytes:
    return dump(responses.Counts, {"counts": counts})
