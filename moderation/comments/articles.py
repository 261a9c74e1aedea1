"""Articles as moderators handle them: found within their sites, opened or closed to comments,
pre- or post-moderated."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Article, ModerationMode
from ..outbox import events
from . import writes


def get_article(session: Session, article_id: int, site_ids: Collection[int]) -> Article:
    """One article of the given sites; another site's article is not found, not forbidden."""
    article = session.get(Article, article_id)
    if article is None or article.site_id not in set(site_ids):
        raise NotFound("There is no such article.")
    return article


def close_article(session: Session, article: Article, closed: bool) -> Article:
    """Open or close an article to new comments; public threads say so at once (the version
    their ETags and cache keys are built from moves on)."""
    was_closed = article.closed
    article.closed = closed
    writes.adjust_articles(session, {article.id: 0})
    if closed and not was_closed:
        events.emit(
            session, article.site_id, "article.closed", {"article": events.article_data(article)}
        )
    return article


def set_article_mode(session: Session, article: Article, mode: ModerationMode | None) -> Article:
    """Pre- or post-moderate one article, or follow the site's mode again (``None``)."""
    article.moderation_mode = mode
    writes.adjust_articles(session, {article.id: 0})
    return article
