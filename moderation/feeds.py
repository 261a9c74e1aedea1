"""Atom feeds of public comments: one article's, and a whole site's.

A feed read costs one query when the reader's copy is current or the feed is cached, as a thread
read does: the article's feed is keyed by the article's version, the site's feed by its queue
version, which moves on in the same transaction as every submission, edit and decision of the
site (``comments.writes.queue_changed``), so with every change of any of its public threads (and
with a held comment too: a spare rendering, never a stale one). A miss reads the newest
:data:`FEED_SIZE` public comments in one more query (and the article, for an article's feed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .cache import ThreadCache
from .errors import NotFound
from .models import PUBLIC_STATUSES, Article, Comment, Site
from .prepared import Prepared
from .threads import ThreadResult, read_version

#: Entries of a feed, newest first.
FEED_SIZE = 50
#: The feeds' markup (``templates/publish/feed.xml``), in their keys: move it on with any change
#: to what a feed looks like, so no cache serves the old one.
FEED_FORMAT = 1


@dataclass(frozen=True)
class FeedEntry:
    """One public comment as a feed tells it, with its article."""

    id: int
    parent_id: int | None
    author_name: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    article_key: str
    article_url: str | None
    article_title: str | None

    @property
    def updated_at(self) -> datetime:
        return self.edited_at or self.created_at

    @property
    def permalink(self) -> str | None:
        """The comment on its article's page, where the widget shows it (``#comment-ID``)."""
        return f"{self.article_url}#comment-{self.id}" if self.article_url else None


@dataclass(frozen=True)
class Feed:
    """What a feed template is given."""

    site_slug: str
    site_name: str | None  # None for an article's feed, which does not show it
    #: When what the feed follows began (its site, or its article): the date of its tag: id.
    since: datetime
    origins: list[str]
    article: Article | None  # None for the site's feed, or an article with no comment yet
    article_key: str | None  # None for the site's feed
    entries: list[FeedEntry]

    @property
    def updated_at(self) -> datetime:
        """The newest entry's time; for a feed of none, when what it follows began."""
        if self.entries:
            return max(entry.updated_at for entry in self.entries)
        return self.since


_ENTRY_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.author_name,
    Comment.html,
    Comment.created_at,
    Comment.edited_at,
    Article.key,
    Article.url,
    Article.title,
)
_PUBLIC = Comment.status.in_(PUBLIC_STATUSES)
_ARTICLE_ENTRIES = (
    select(*_ENTRY_COLUMNS)
    .join(Article, Article.id == Comment.article_id)
    .where(Comment.article_id == bindparam("article_id"), _PUBLIC)
    .order_by(Comment.id.desc())
    .limit(FEED_SIZE)
)
_SITE_ENTRIES = (
    select(*_ENTRY_COLUMNS)
    .join(Article, Article.id == Comment.article_id)
    .where(Comment.site_id == bindparam("site_id"), _PUBLIC)
    .order_by(Comment.id.desc())
    .limit(FEED_SIZE)
)
_SITE = Prepared(
    select(Site.id, Site.name, Site.origins, Site.queue_version, Site.created_at).where(
        Site.slug == bindparam("slug")
    )
)
_SITE_CREATED = select(Site.created_at).where(Site.id == bindparam("id"))


def _entries(session: Session, statement: Any, params: dict[str, Any]) -> list[FeedEntry]:
    return [FeedEntry(*row) for row in session.execute(statement, params)]


def _digest(*parts: object) -> str:
    raw = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2s(raw.encode(), digest_size=6).hexdigest()


Render = Callable[[Feed], bytes]


def _answer(
    cache: ThreadCache,
    etag: str,
    origins: list[str],
    if_none_match: Sequence[str],
    build: Callable[[], bytes],
) -> ThreadResult:
    if etag in if_none_match or "*" in if_none_match:
        return ThreadResult(etag, origins, None)
    body = cache.get(etag)
    if body is None:
        body = build()
        cache.set(etag, body)
    return ThreadResult(etag, origins, body)


def load_article_feed(
    engine: Engine,
    new_session: Callable[[], Session],
    cache: ThreadCache,
    site_slug: str,
    article_key: str,
    base_url: str,
    render: Render,
    if_none_match: Sequence[str] = (),
) -> ThreadResult:
    """The Atom feed of one article's public comments, keyed by the article's version (its
    thread's key, without the reactions a feed does not show). ``base_url`` is where the
    service is reached: the feed names itself by it, so it is in the key too."""
    known = read_version(engine, site_slug, article_key)
    if known is None:
        raise NotFound(f"There is no site {site_slug!r}.")
    thread = f"{known.article_id}.{known.version}" if known.article_id else f"s{known.site_id}.0"
    etag = f'"a{FEED_FORMAT}.{thread}.{_digest(base_url, article_key)}"'

    def build() -> bytes:
        session = new_session()
        article = session.get(Article, known.article_id) if known.article_id else None
        if article is not None:
            entries = _entries(session, _ARTICLE_ENTRIES, {"article_id": article.id})
            since = article.created_at
        else:  # no comment yet: an empty feed, there to be subscribed to
            entries, since = [], session.execute(_SITE_CREATED, {"id": known.site_id}).scalar_one()
        return render(Feed(site_slug, None, since, known.origins, article, article_key, entries))

    return _answer(cache, etag, known.origins, if_none_match, build)


def load_site_feed(
    engine: Engine,
    new_session: Callable[[], Session],
    cache: ThreadCache,
    site_slug: str,
    base_url: str,
    render: Render,
    if_none_match: Sequence[str] = (),
) -> ThreadResult:
    """The Atom feed of a site's newest public comments across its articles, keyed by the
    site's queue version (and its name, which the feed shows)."""
    row = _SITE.first(engine, {"slug": site_slug})
    if row is None:
        raise NotFound(f"There is no site {site_slug!r}.")
    site_id, name, origins, queue_version, created_at = row
    etag = f'"s{FEED_FORMAT}.{site_id}.{queue_version}.{_digest(base_url, name)}"'

    def build() -> bytes:
        session = new_session()
        entries = _entries(session, _SITE_ENTRIES, {"site_id": site_id})
        return render(Feed(site_slug, name, created_at, origins, None, None, entries))

    return _answer(cache, etag, origins, if_none_match, build)
