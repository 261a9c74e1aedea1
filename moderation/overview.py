"""What the dashboard shows about the work: article lists, the decision log and the figures at a
glance. Read-only; the decisions themselves are the business of ``comments``."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, func, null, or_, select, type_coerce, union_all
from sqlalchemy.orm import Session

from .comments.cursors import decode_cursor, encode_cursor
from .comments.listing import QUEUE_VIEWS, contains_pattern, queue_counts_by_site
from .models import (
    MODERATOR_ACTIONS,
    Action,
    Article,
    Comment,
    Decision,
    Reason,
    Status,
    UTCDateTime,
    utcnow,
)


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


@dataclass(frozen=True)
class QueueDay:
    """The pending queue as it stood at the end of one UTC day (at ``now`` for today)."""

    day: date
    pending: int
    oldest_pending_seconds: float | None


@dataclass(frozen=True)
class DecisionDay:
    """People's decisions of one UTC day, by action and, for those that give one, by reason."""

    day: date
    by_action: dict[Action, int]
    by_reason: dict[Reason, int]

    @property
    def total(self) -> int:
        return sum(self.by_action.values())


@dataclass(frozen=True)
class TimingDay:
    """Seconds from submission to a person's decision, over the decisions of one UTC day."""

    day: date
    median_seconds: float | None
    p90_seconds: float | None
    measured: int


@dataclass
class Glance:
    """The state of the queues and the pace of moderation over some sites."""

    counts: dict[str, int]
    counts_by_site: dict[int, dict[str, int]]
    oldest_pending_at: datetime | None
    # (day, decisions) for each of the last days, oldest first, days without decisions included.
    decisions_per_day: list[tuple[date, int]]
    # Median seconds from submission to a person's decision, over the recent decisions.
    median_decision_seconds: float | None
    decisions_measured: int
    # The last GLANCE_DAYS days, oldest first, each day there (empty days included).
    queue_days: list[QueueDay] = field(default_factory=list)
    decision_days: list[DecisionDay] = field(default_factory=list)
    timing_days: list[TimingDay] = field(default_factory=list)


GLANCE_DAYS = 14
MEDIAN_DAYS = 30
MEDIAN_SAMPLE = 5000
# Time to decision per day is measured over at most this many (the newest) decisions of a day.
DAY_SAMPLE = 2000

# A decision made by a person: a moderator's action, not by a screening rule ("system:<rule>"),
# and about a submitted comment (a staff answer is logged as approved from nothing, at once).
BY_PEOPLE = and_(
    Decision.action.in_([a.value for a in MODERATOR_ACTIONS]),
    Decision.actor.not_like("system:%"),
    Decision.from_status.is_not(None),
)


def at_a_glance(
    session: Session, *, site_ids: Collection[int], now: datetime | None = None
) -> Glance:
    """Queue sizes, the oldest pending comment, the median time to a decision, and day by day
    over the last ``GLANCE_DAYS`` days the queue, the decisions and the time they took: seven
    queries, whatever the sizes. Decisions and times count people only, never the rules."""
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
    first_day = (now - timedelta(days=GLANCE_DAYS - 1)).date()
    days = [first_day + timedelta(days=i) for i in range(GLANCE_DAYS)]
    by_people = and_(Decision.site_id.in_(sites), BY_PEOPLE)
    waits = [
        (_aware(decided) - _aware(submitted)).total_seconds()
        for decided, submitted in session.execute(
            select(Decision.created_at, Comment.created_at)
            .join(Comment, Comment.id == Decision.comment_id)
            .where(by_people, Decision.created_at >= now - timedelta(days=MEDIAN_DAYS))
            .order_by(Decision.id.desc())
            .limit(MEDIAN_SAMPLE)
        )
    ]
    decision_days = _decision_days(session, sites, days, now)
    return Glance(
        counts=totals,
        counts_by_site=by_site,
        oldest_pending_at=_aware(oldest) if oldest is not None else None,
        decisions_per_day=[(d.day, d.total) for d in decision_days],
        median_decision_seconds=statistics.median(waits) if waits else None,
        decisions_measured=len(waits),
        queue_days=_queue_days(session, sites, days, now),
        decision_days=decision_days,
        timing_days=_timing_days(session, sites, days, now),
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _queue_days(
    session: Session, sites: list[int], days: list[date], now: datetime
) -> list[QueueDay]:
    """The queue at the end of each day (``now`` for today), rebuilt from the log in one query.

    A comment was pending over each stretch of time that began with a decision taking it to
    pending and ended with its next decision; before its first decision it was in that
    decision's ``from_status`` (from its creation), and a comment without any decision has been
    in its present status all along. Only comments pending now or decided since the first
    day's end can have been pending at one of the ends, so only theirs are read.
    """
    ends = [min(_day_start(d + timedelta(days=1)), now) for d in days]
    recent = select(Decision.comment_id).where(
        Decision.site_id.in_(sites), Decision.created_at >= ends[0]
    )
    candidates = (
        select(Comment.id, Comment.created_at, Comment.status)
        .where(
            Comment.site_id.in_(sites),
            Comment.created_at <= ends[-1],
            or_(Comment.status == Status.PENDING, Comment.id.in_(recent)),
        )
        .subquery("candidates")
    )
    log = (
        select(
            Decision.comment_id,
            candidates.c.created_at.label("created"),
            Decision.created_at.label("at"),
            Decision.from_status,
            Decision.to_status,
            func.lead(Decision.created_at)
            .over(partition_by=Decision.comment_id, order_by=Decision.id)
            .label("until"),
            func.row_number()
            .over(partition_by=Decision.comment_id, order_by=Decision.id)
            .label("nth"),
        )
        .join(candidates, candidates.c.id == Decision.comment_id)
        .subquery("log")
    )
    never_decided = ~select(Decision.id).where(Decision.comment_id == candidates.c.id).exists()
    stretches = union_all(
        select(
            log.c.comment_id, log.c.created, log.c.at.label("start"), log.c.until.label("end")
        ).where(log.c.to_status == Status.PENDING),
        select(log.c.comment_id, log.c.created, log.c.created, log.c.at).where(
            log.c.nth == 1, log.c.from_status == Status.PENDING
        ),
        select(
            candidates.c.id,
            candidates.c.created_at,
            candidates.c.created_at,
            type_coerce(null(), UTCDateTime()),
        ).where(candidates.c.status == Status.PENDING, never_decided),
    ).subquery("stretches")
    columns: list[Any] = []
    for end in ends:
        pending_then = and_(
            stretches.c.start <= end, or_(stretches.c.end.is_(None), stretches.c.end > end)
        )
        columns.append(func.count(distinct(case((pending_then, stretches.c.comment_id)))))
        columns.append(func.min(case((pending_then, stretches.c.created))))
    row = session.execute(select(*columns)).one()
    result = []
    for i, (day, end) in enumerate(zip(days, ends, strict=True)):
        oldest = row[2 * i + 1]
        age = (end - _aware(oldest)).total_seconds() if oldest is not None else None
        result.append(QueueDay(day, int(row[2 * i] or 0), age))
    return result


def _decision_days(
    session: Session, sites: list[int], days: list[date], now: datetime
) -> list[DecisionDay]:
    """People's decisions per day, by action and reason: one grouped query."""
    day = _utc_day(session, Decision.created_at)
    rows = session.execute(
        select(day, Decision.action, Decision.reason, func.count(Decision.id))
        .where(
            Decision.site_id.in_(sites),
            BY_PEOPLE,
            Decision.created_at >= _day_start(days[0]),
            Decision.created_at <= now,
        )
        .group_by(day, Decision.action, Decision.reason)
    )
    by_action: dict[date, dict[Action, int]] = {d: {} for d in days}
    by_reason: dict[date, dict[Reason, int]] = {d: {} for d in days}
    for when, action, reason, number in rows:
        when = _as_date(when)
        if when not in by_action:
            continue
        action = Action(action)
        by_action[when][action] = by_action[when].get(action, 0) + number
        if reason is not None:
            reason = Reason(reason)
            by_reason[when][reason] = by_reason[when].get(reason, 0) + number
    return [DecisionDay(d, by_action[d], by_reason[d]) for d in days]


def _timing_days(
    session: Session, sites: list[int], days: list[date], now: datetime
) -> list[TimingDay]:
    """Median and 90th percentile of the time to a person's decision, per day of the decision,
    over the newest ``DAY_SAMPLE`` decisions of each day: one query."""
    day = _utc_day(session, Decision.created_at)
    ranked = (
        select(
            Decision.created_at.label("decided"),
            Comment.created_at.label("submitted"),
            func.row_number().over(partition_by=day, order_by=Decision.id.desc()).label("nth"),
        )
        .join(Comment, Comment.id == Decision.comment_id)
        .where(
            Decision.site_id.in_(sites),
            BY_PEOPLE,
            Decision.created_at >= _day_start(days[0]),
            Decision.created_at <= now,
        )
        .subquery("ranked")
    )
    waits: dict[date, list[float]] = {d: [] for d in days}
    for decided, submitted in session.execute(
        select(ranked.c.decided, ranked.c.submitted).where(ranked.c.nth <= DAY_SAMPLE)
    ):
        decided = _aware(decided)
        if decided.date() in waits:
            waits[decided.date()].append(max((decided - _aware(submitted)).total_seconds(), 0))
    return [TimingDay(d, _percentile(w, 50), _percentile(w, 90), len(w)) for d, w in waits.items()]


def _percentile(values: list[float], percent: int) -> float | None:
    """The ``percent``-th percentile, interpolated between the nearest values (the median for
    50); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _aware(value: Any) -> datetime:
    """A timestamp read back as an aware UTC datetime (aggregates and subqueries on SQLite may
    come back naive, or as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    # SQLite keeps the UTC time as text; date() reads its first ten characters.
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
