"""What the dashboard shows about the work: article lists, the decision log and the figures at a
glance. Read-only; the decisions themselves are the business of ``comments``."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .comments.cursors import decode_cursor, encode_cursor
from .comments.listing import QUEUE_VIEWS, contains_pattern, queue_counts_by_site
from .models import MODERATOR_ACTIONS, Action, Article, Comment, Decision, Status, utcnow


@dataclass
class ArticlePage:
    articles: list[Article]
    # Per article: how many comments it has in each status.
    counts: dict[int, dict[Status, int]]
    next_cursor: str | None


def list_articles(
    session: Session,
    *,
    site_ids: Collection[int],
    site_id: int | None = None,
    search: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> ArticlePage:
    """Articles of the given sites, newest first, with their comment counts by status: two
    queries per page."""
    stmt = select(Article).where(Article.site_id.in_(list(site_ids)))
    if site_id is not None:
        stmt = stmt.where(Article.site_id == site_id)
    if search:
        pattern = contains_pattern(search)
        stmt = stmt.where(
            or_(
                Article.title.ilike(pattern, escape="\\"),
                Article.key.ilike(pattern, escape="\\"),
            )
        )
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Article.id < after)
    articles = list(session.scalars(stmt.order_by(Article.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(articles[limit - 1].id) if len(articles) > limit else None
    articles = articles[:limit]
    counts: dict[int, dict[Status, int]] = {a.id: {} for a in articles}
    if articles:
        rows = session.execute(
            select(Comment.article_id, Comment.status, func.count(Comment.id))
            .where(Comment.article_id.in_(list(counts)))
            .group_by(Comment.article_id, Comment.status)
        )
        for article, status, number in rows:
            counts[article][Status(status)] = number
    return ArticlePage(articles, counts, next_cursor)


# --- The decision log -------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    decision: Decision
    author_name: str
    article: Article


@dataclass
class LogPage:
    entries: list[LogEntry]
    next_cursor: str | None


def log_position(session: Session) -> int:
    """The newest entry of the decision log: a marker that orders snapshots of the queue, so a
    client applying answers that arrive out of order can keep the freshest counts."""
    return session.scalar(select(func.max(Decision.id))) or 0


def list_decisions(
    session: Session,
    *,
    site_ids: Collection[int],
    moderator_id: int | None = None,
    article_id: int | None = None,
    action: Action | None = None,
    comment_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> LogPage:
    """The decision log of the given sites, newest first, one query per page."""
    stmt = (
        select(Decision, Comment.author_name, Article)
        .join(Comment, Comment.id == Decision.comment_id)
        .join(Article, Article.id == Comment.article_id)
        .where(Decision.site_id.in_(list(site_ids)))
    )
    if moderator_id is not None:
        stmt = stmt.where(Decision.moderator_id == moderator_id)
    if article_id is not None:
        stmt = stmt.where(Comment.article_id == article_id)
    if action is not None:
        stmt = stmt.where(Decision.action == action)
    if comment_id is not None:
        stmt = stmt.where(Decision.comment_id == comment_id)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Decision.id < after)
    rows = session.execute(stmt.order_by(Decision.id.desc()).limit(limit + 1)).all()
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    entries = [LogEntry(d, name, a) for d, name, a in rows[:limit]]
    return LogPage(entries, next_cursor)


# --- At a glance ------------------------------------------------------------------------------


@dataclass
class Glance:
    """The state of the queues and the pace of moderation over some sites."""

    counts: dict[str, int]
    counts_by_site: dict[int, dict[str, int]]
    oldest_pending_at: datetime | None
    # (day, decisions) for each of the last days, oldest first, days without decisions included.
    decisions_per_day: list[tuple[date, int]]
    # Median seconds from submission to a moderator's decision, over the recent decisions.
    median_decision_seconds: float | None
    decisions_measured: int


GLANCE_DAYS = 14
MEDIAN_DAYS = 30
MEDIAN_SAMPLE = 5000


def at_a_glance(
    session: Session, *, site_ids: Collection[int], now: datetime | None = None
) -> Glance:
    """Queue sizes, the oldest pending comment, decisions per day and the median time to a
    decision: five queries, whatever the sizes."""
    now = now or utcnow()
    sites = list(site_ids)
    by_site = queue_counts_by_site(session, site_ids=sites)
    totals = dict.fromkeys(QUEUE_VIEWS, 0)
    for views in by_site.values():
        for view, number in views.items():
            totals[view] += number
    oldest = session.scalar(
        select(func.min(Comment.created_at)).where(
            Comment.site_id.in_(sites), Comment.status == Status.PENDING
        )
    )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # an aggregate skips the column type on SQLite
    moderated = and_(
        Decision.site_id.in_(sites), Decision.action.in_([a.value for a in MODERATOR_ACTIONS])
    )
    first_day = (now - timedelta(days=GLANCE_DAYS - 1)).date()
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    day = _utc_day(session, Decision.created_at)
    per_day = {
        _as_date(d): n
        for d, n in session.execute(
            select(day, func.count(Decision.id))
            .where(moderated, Decision.created_at >= start)
            .group_by(day)
        )
    }
    days = [first_day + timedelta(days=i) for i in range(GLANCE_DAYS)]
    waits = [
        (decided.replace(tzinfo=decided.tzinfo or UTC) - submitted).total_seconds()
        for decided, submitted in session.execute(
            select(Decision.created_at, Comment.created_at)
            .join(Comment, Comment.id == Decision.comment_id)
            .where(moderated, Decision.created_at >= now - timedelta(days=MEDIAN_DAYS))
            .order_by(Decision.id.desc())
            .limit(MEDIAN_SAMPLE)
        )
    ]
    return Glance(
        counts=totals,
        counts_by_site=by_site,
        oldest_pending_at=oldest,
        decisions_per_day=[(d, per_day.get(d, 0)) for d in days],
        median_decision_seconds=statistics.median(waits) if waits else None,
        decisions_measured=len(waits),
    )


def _utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    # SQLite keeps the UTC time as text; date() reads its first ten characters.
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
