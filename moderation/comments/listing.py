"""The moderation queue as moderators read it: one listing for the API and the dashboard, the
tab counts, and what a card shows beside a comment (its reports, its log, the parent it answers,
its author's record).

Pages are read as rows, not ORM objects: a page of fifty built as objects (a comment, its
article, their identity map) cost more than all its queries. Every listing costs a fixed number of
queries, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.orm import Session

from ..models import FLAGGED_CONDITION, PUBLIC_STATUSES, Article, Comment, Decision, Flag, Status
from .cursors import (
    UNSCORED,
    decode_cursor,
    decode_score_cursor,
    encode_cursor,
    encode_score_cursor,
)

QUEUE_VIEWS = ("pending", "flagged", "unreviewed", "approved", "rejected", "spam")
#: Every status at once: what a dashboard search looks through (not a view of the API).
ALL_VIEW = "all"
ORDERS = ("oldest", "newest", "spam", "abuse")
#: The orders by a learned score, highest first (unscored last), then by id.
SCORE_ORDERS = {"spam": Comment.spam_score, "abuse": Comment.abuse_score}

#: What a moderator sees of a queued comment: its columns, and its article's.
QUEUE_COLUMNS = (
    Comment.id,
    Comment.site_id,
    Comment.article_id,
    Comment.parent_id,
    Comment.depth,
    Comment.author_name,
    Comment.author_email,
    Comment.author_key,
    Comment.body_text,
    Comment.html,
    Comment.status,
    Comment.held_because,
    Comment.spam_score,
    Comment.abuse_score,
    Comment.open_flag_count,
    Comment.created_at,
    Comment.edited_at,
    Comment.decided_at,
    Comment.reader_id,
    Comment.staff,
    Comment.badges,
    Comment.featured,
    Comment.reactions,
    Article.key.label("article_key"),
    Article.title.label("article_title"),
    Article.url.label("article_url"),
)
#: A comment of the queue: a row of :data:`QUEUE_COLUMNS`, read by attribute (``row.status``);
#: its reports and log entries, rows of their own.
QueuedComment = Row[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]

_FLAG_ROWS = (
    select(Flag.comment_id, Flag.reason, Flag.note, Flag.created_at, Flag.resolved_at)
    .where(Flag.comment_id.in_(bindparam("ids", expanding=True)))
    .order_by(Flag.id)
)
#: The log entries of some comments (``{"ids": [...]}``), in order: a card's history.
DECISION_ROWS = (
    select(
        Decision.id,
        Decision.comment_id,
        Decision.actor,
        Decision.action,
        Decision.from_status,
        Decision.to_status,
        Decision.reason,
        Decision.explanation,
        Decision.created_at,
    )
    .where(Decision.comment_id.in_(bindparam("ids", expanding=True)))
    .order_by(Decision.id)
)


@dataclass
class QueuePage:
    """Comments of the queue with each one's reader reports and log, and the next page's
    cursor."""

    comments: list[QueuedComment]
    flags: dict[int, list[Row[*tuple[Any, ...]]]] = field(default_factory=lambda: defaultdict(list))
    history: dict[int, list[Row[*tuple[Any, ...]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    next_cursor: str | None = None


@dataclass(frozen=True)
class QueueQuery:
    """Which page of which comments: a view (or :data:`ALL_VIEW` with ``search``), an order, a
    cursor. An API token names one site (``site_id``); a dashboard moderator works on several at
    once (``site_ids``)."""

    site_id: int | None = None
    site_ids: Collection[int] | None = None
    view: str = "pending"
    article_key: str | None = None
    article_id: int | None = None
    search: str | None = None
    order: str = "oldest"
    limit: int = 50
    cursor: str | None = None


def list_queue(session: Session, query: QueueQuery) -> QueuePage:
    """One page of a queue view, oldest first (or newest first, or highest spam or abuse score
    first), in three queries."""
    connection = session.connection()  # rows are all this wants, not the ORM's loading
    found = list(connection.execute(_queue_statement(query, connection.dialect.name)))
    page = _with_details(session, found[: query.limit])
    page.next_cursor = _next_cursor(found, query.limit, query.order)
    return page


def load_comments(
    session: Session, ids: Sequence[int], site_ids: Collection[int] | None = None
) -> QueuePage:
    """The queue's rows of the given comments (of the given sites), in the order of ``ids``:
    what an API decision answers with, and one comment's page in the dashboard."""
    if not ids:
        return QueuePage([])
    stmt = (
        select(*QUEUE_COLUMNS)
        .join(Article, Article.id == Comment.article_id)
        .where(Comment.id.in_(list(ids)))
    )
    if site_ids is not None:
        stmt = stmt.where(Comment.site_id.in_(list(site_ids)))
    rows = {row.id: row for row in session.connection().execute(stmt)}
    return _with_details(session, [rows[i] for i in ids if i in rows])


def _with_details(session: Session, comments: list[QueuedComment]) -> QueuePage:
    page = QueuePage(comments)
    if comments:
        connection = session.connection()
        ids = {"ids": [row.id for row in comments]}
        for flag in connection.execute(_FLAG_ROWS, ids):
            page.flags[flag.comment_id].append(flag)
        for decision in connection.execute(DECISION_ROWS, ids):
            page.history[decision.comment_id].append(decision)
    return page


def _next_cursor(found: Sequence[Any], limit: int, order: str) -> str | None:
    """The cursor after a page, read one row past its end (``found`` has ``limit + 1`` rows)."""
    if len(found) <= limit:
        return None
    last = found[limit - 1]
    if order in SCORE_ORDERS:
        return encode_score_cursor(getattr(last, SCORE_ORDERS[order].key), last.id)
    return encode_cursor(last.id)


# Views of one status, whose rows the index (site_id, status, id) lists in order.
_ONE_STATUS_VIEWS = {
    "pending": Status.PENDING,
    "unreviewed": Status.PUBLISHED,
    "approved": Status.APPROVED,
    "rejected": Status.REJECTED,
    "spam": Status.SPAM,
}


def _queue_statement(query: QueueQuery, dialect: str) -> Select[*tuple[Any, ...]]:
    """The page's rows, plus one to tell whether another page follows."""
    # One site and one status: the page is a range of the queue index (site_id, status, id).
    # Said with "status = X ORDER BY id", PostgreSQL may rather walk the primary key and filter,
    # guessing the page's rows are spread evenly; with a site's approved comments ahead of a
    # million pending ones that read 15,000 rows for 51 (7 ms, against 0.15 ms by the index).
    # A range on status (not an equality, which the planner would fold away) ordered by
    # (status, id) leaves it only the index. SQLite, though, seeks to a cursor's id only after an
    # equality on status (with the range it walked the view from its start: 550 ms a page deep
    # in a million pending comments), and it always takes the index for one: it gets equality.
    status = _ONE_STATUS_VIEWS.get(query.view)
    by_index = (
        status is not None
        and query.site_id is not None
        and query.article_key is None
        and query.article_id is None
        and not query.search
        and query.order not in SCORE_ORDERS
    )
    if not by_index or status is None:
        view_clause = _view_clause(query.view)
    elif dialect == "sqlite":
        view_clause = Comment.status == status
    else:
        view_clause = Comment.status.between(status, status)
    stmt = (
        select(*QUEUE_COLUMNS)
        .join(Article, Article.id == Comment.article_id)
        .where(_sites_clause(query.site_id, query.site_ids), view_clause)
    )
    if query.article_key is not None:
        stmt = stmt.where(Article.key == query.article_key)
    if query.article_id is not None:
        stmt = stmt.where(Comment.article_id == query.article_id)
    if query.search:
        stmt = stmt.where(search_clause(query.search))
    newest_first = query.order == "newest"
    if query.order in SCORE_ORDERS:
        score = func.coalesce(SCORE_ORDERS[query.order], UNSCORED)
        if query.cursor:
            last_score, last_id = decode_score_cursor(query.cursor)
            stmt = stmt.where(
                or_(score < last_score, and_(score == last_score, Comment.id > last_id))
            )
        stmt = stmt.order_by(score.desc(), Comment.id)
    else:
        after = decode_cursor(query.cursor)
        if after is not None and by_index and dialect != "sqlite":
            # As a position in the index, (status, id), or PostgreSQL takes "id > X" to the
            # primary key and sorts every comment after the cursor to find the page.
            position = tuple_(Comment.status, Comment.id)
            mark = tuple_(literal(status, Comment.status.type), literal(after))
            stmt = stmt.where(position < mark if newest_first else position > mark)
        elif after is not None:
            stmt = stmt.where(Comment.id < after if newest_first else Comment.id > after)
        order: list[Any] = [Comment.status, Comment.id] if by_index else [Comment.id]
        stmt = stmt.order_by(*(c.desc() for c in order) if newest_first else order)
    return stmt.limit(query.limit + 1)


def _sites_clause(site_id: int | None, site_ids: Collection[int] | None) -> ColumnElement[bool]:
    if site_ids is not None:
        # An empty collection (a moderator with no sites yet) matches nothing.
        clause = Comment.site_id.in_(list(site_ids))
        return clause if site_id is None else and_(clause, Comment.site_id == site_id)
    if site_id is None:
        raise ValueError("name the site (site_id) or the sites (site_ids) to list")
    return Comment.site_id == site_id


def _view_clause(view: str) -> ColumnElement[bool]:
    if view == "flagged":
        return and_(Comment.status.in_(PUBLIC_STATUSES), Comment.open_flag_count > 0)
    if view == "unreviewed":
        return Comment.status == Status.PUBLISHED
    if view == ALL_VIEW:
        return true()
    return Comment.status == Status(view)


def search_clause(words: str) -> ColumnElement[bool]:
    """Comments whose original text, author name or email contains ``words`` (any case).

    ``%`` and ``_`` are matched literally: a moderator searching for "50%" means the characters.
    """
    pattern = contains_pattern(words)
    return or_(
        Comment.body_text.ilike(pattern, escape="\\"),
        Comment.author_name.ilike(pattern, escape="\\"),
        Comment.author_email.ilike(pattern, escape="\\"),
    )


def contains_pattern(words: str) -> str:
    """A LIKE pattern (escape character ``\\``) for ``words`` anywhere in a value."""
    escaped = words.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- The tabs' counts -------------------------------------------------------------------------


def queue_counts_by_site(
    session: Session, *, site_ids: Collection[int], article_id: int | None = None
) -> dict[int, dict[str, int]]:
    """How many comments each queue view holds, per site: two grouped queries, from indexes.

    Every site asked for is in the answer, with zeros when it has nothing waiting.
    """
    counts: dict[int, dict[str, int]] = {site: dict.fromkeys(QUEUE_VIEWS, 0) for site in site_ids}
    if not counts:
        return counts
    # Two counts, each read from an index alone: the statuses from the queue index, the open
    # reports from the flagged index. Counted together, every comment's row was read for its
    # report count (500 ms a page load with a million in the queue, against 50).
    by_status = select(Comment.site_id, Comment.status, func.count()).where(
        Comment.site_id.in_(list(counts))
    )
    with_reports = by_status.where(text(FLAGGED_CONDITION))
    if article_id is not None:
        by_status = by_status.where(Comment.article_id == article_id)
        with_reports = with_reports.where(Comment.article_id == article_id)
    grouped = (Comment.site_id, Comment.status)
    for site, status, number in session.execute(by_status.group_by(*grouped)):
        views = counts[site]
        status = Status(status)
        if status.value in views:
            views[status.value] += number
        if status is Status.PUBLISHED:
            views["unreviewed"] += number
    for site, status, number in session.execute(with_reports.group_by(*grouped)):
        if Status(status) in PUBLIC_STATUSES:
            counts[site]["flagged"] += number
    return counts


def queue_counts(
    session: Session, *, site_ids: Collection[int], article_id: int | None = None
) -> dict[str, int]:
    """How many comments each queue view holds over several sites (the dashboard's tabs)."""
    total = dict.fromkeys(QUEUE_VIEWS, 0)
    for views in queue_counts_by_site(session, site_ids=site_ids, article_id=article_id).values():
        for view, number in views.items():
            total[view] += number
    return total


# --- What a card shows beside a comment -------------------------------------------------------


@dataclass(frozen=True)
class AuthorRecord:
    """How an author's comments on one site have fared so far."""

    approved: int = 0
    rejected: int = 0
    spam: int = 0
    total: int = 0


@dataclass
class Context:
    """The parent of each reply and each author's record, for a page of comments."""

    parents: dict[int, AnyRow]
    authors: dict[tuple[int, str], AuthorRecord]

    def author_of(self, comment: QueuedComment) -> AuthorRecord:
        return self.authors.get((comment.site_id, comment.author_key), AuthorRecord())


def load_context(session: Session, comments: Sequence[QueuedComment]) -> Context:
    """Parents of replies and authors' records for many comments: two queries at most.

    An author is known by their keyed identity within one site (``author_key``), the same
    identity the screening rules judge them by.
    """
    context = Context({}, {})
    if not comments:
        return context
    connection = session.connection()
    parent_ids = {c.parent_id for c in comments if c.parent_id is not None}
    if parent_ids:
        parents = select(Comment.id, Comment.author_name, Comment.status, Comment.html).where(
            Comment.id.in_(parent_ids)
        )
        context.parents = {row.id: row for row in connection.execute(parents)}
    tallies: dict[tuple[int, str], dict[Status, int]] = defaultdict(dict)
    rows = connection.execute(
        select(Comment.site_id, Comment.author_key, Comment.status, func.count(Comment.id))
        .where(
            Comment.site_id.in_({c.site_id for c in comments}),
            Comment.author_key.in_({c.author_key for c in comments}),
        )
        .group_by(Comment.site_id, Comment.author_key, Comment.status)
    )
    for site, key, status, number in rows:
        tallies[(site, key)][Status(status)] = number
    context.authors = {
        who: AuthorRecord(
            approved=by_status.get(Status.APPROVED, 0),
            rejected=by_status.get(Status.REJECTED, 0),
            spam=by_status.get(Status.SPAM, 0),
            total=sum(by_status.values()),
        )
        for who, by_status in tallies.items()
    }
    return context
