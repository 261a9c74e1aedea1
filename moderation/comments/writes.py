"""The writes done on the driver rather than through the ORM's unit of work: new comments, the
decision log, and the counters every change moves (an article's public count and version, a
site's queue version).

Measured on the submission path, the unit of work's flush of a new comment cost more than the rest
of the write, and each counter update through the session as much as a query. So these run as
statements compiled once (``prepared``), inside the session's transaction. Their values come from
the models: a column added to ``Comment`` or ``Decision`` is written with its default here, with no
edit. The rule that keeps the session honest lives here too, once: each write flushes the
session's pending changes first, and afterwards expires what it changed on objects the session
holds, so no caller reads an old count.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.orm import Session

from ..models import Action, Article, Comment, Decision, Reason, Site, Status, utcnow
from ..outbox import events
from ..prepared import Prepared, as_loaded
from . import statements

#: Who acted, as the log names them: ``system:<rule>``, ``author``, ``moderator:<email>``,
#: ``token:<label>``.
SYSTEM = "system"
AUTHOR = "author"


def _writable_columns(model: type) -> list[Any]:
    table = model.__table__  # type: ignore[attr-defined]
    return [c for c in table.columns if not (c.primary_key and c.autoincrement)]


def with_defaults(model: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` for every column the model writes: what is given, else the column's default
    (a fresh one for callables such as ``utcnow`` or ``list``), else NULL."""
    row: dict[str, Any] = {}
    for column in _writable_columns(model):
        if column.key in values:
            row[column.key] = values[column.key]
        elif column.default is not None and column.default.is_scalar:
            row[column.key] = column.default.arg  # type: ignore[attr-defined]
        elif column.default is not None and column.default.is_callable:
            row[column.key] = column.default.arg(None)  # type: ignore[attr-defined]
        elif column.server_default is not None:
            raise ValueError(f"{model.__name__}.{column.key} has only a server default")
        else:
            row[column.key] = None
    unknown = set(values) - set(row) - {"id"}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    return row


_COMMENT_KEYS = [c.key for c in _writable_columns(Comment)]
_INSERT_COMMENT = Prepared(insert(Comment).returning(Comment.id), column_keys=_COMMENT_KEYS)
_INSERT_DECISION = Prepared(
    insert(Decision), column_keys=[c.key for c in _writable_columns(Decision)]
)


def insert_comment(session: Session, **values: Any) -> Comment:
    """Write a new comment (defaults for what is not given) and return it as the session's own
    loaded object."""
    session.flush()  # what the comment refers to (a new article) is written first
    row = with_defaults(Comment, values)
    comment_id = _INSERT_COMMENT.scalar(session, row)
    return as_loaded(session, Comment, {"id": comment_id, **row})


@dataclass(frozen=True)
class LogEntry:
    """One entry of the decision log, as it is written."""

    site_id: int
    comment_id: int
    actor: str
    action: Action
    from_status: Status | None
    to_status: Status
    reason: Reason | None = None
    explanation: str | None = None
    moderator_id: int | None = None
    created_at: datetime | None = None
    #: For a removal of illegal content: the law it breaks (the statement of reasons keeps it).
    legal_ground: str | None = None


def log(session: Session, entries: Sequence[LogEntry]) -> None:
    """Append entries to the decision log, in order: the one writer of its rows, so also the
    one place that writes the outbox's events of decisions, edits and deletions, and the
    statements of reasons of removals and restrictions."""
    if not entries:
        return
    session.flush()  # earlier changes (and entries) keep their place before these
    now = utcnow()
    rows = []
    for entry in entries:
        values = asdict(entry)
        values.pop("legal_ground")
        values["created_at"] = entry.created_at or now
        rows.append(with_defaults(Decision, values))
    _INSERT_DECISION.run_many(session, rows)
    events.from_log(session, entries)
    statements.from_log(session, entries)


_FILL_ARTICLE = Prepared(
    update(Article)
    .where(Article.id == bindparam("article_id"))
    .values(
        url=func.coalesce(Article.url, bindparam("new_url")),
        title=func.coalesce(Article.title, bindparam("new_title")),
    )
)
_ADJUST_ARTICLE = Prepared(
    update(Article)
    .where(Article.id == bindparam("article_id"))
    .values(public_count=Article.public_count + bindparam("delta"), version=Article.version + 1)
)
_BUMP_QUEUE_VERSION = Prepared(
    update(Site).where(Site.id == bindparam("site_id")).values(queue_version=Site.queue_version + 1)
)


def fill_article(session: Session, article_id: int, url: str | None, title: str | None) -> None:
    """Give an article the URL and title it lacks (never replacing those it has)."""
    _FILL_ARTICLE.run(session, {"article_id": article_id, "new_url": url, "new_title": title})
    _expire_loaded(session, Article, {article_id}, ["url", "title"])


def adjust_articles(session: Session, deltas: Mapping[int, int]) -> None:
    """Shift articles' public counts and move their versions on, in SQL (never read, modify,
    write), so concurrent writers on PostgreSQL cannot lose an increment. A delta of 0 only
    moves the version: what public threads show has changed."""
    if not deltas:
        return
    session.flush()
    for article_id, delta in sorted(deltas.items()):
        _ADJUST_ARTICLE.run(session, {"article_id": article_id, "delta": delta})
    _expire_loaded(session, Article, deltas, ["public_count", "version"])


def queue_changed(session: Session, site_ids: Collection[int]) -> None:
    """Move the sites' queue versions on, so no cached queue page of theirs is served again.

    Called last in its transaction where it can be: on PostgreSQL the update holds the site's
    row until the commit, and concurrent writers to the site queue up behind it. Sites in id
    order, so two transactions never wait for each other's rows.
    """
    if not site_ids:
        return
    session.flush()  # the changes the new version stands for go first
    for site_id in sorted(set(site_ids)):
        _BUMP_QUEUE_VERSION.run(session, {"site_id": site_id})
    _expire_loaded(session, Site, site_ids, ["queue_version"])


def _expire_loaded(
    session: Session, cls: type, ids: Collection[int], attributes: list[str]
) -> None:
    for obj in session.identity_map.values():
        if isinstance(obj, cls) and obj.id in ids:  # type: ignore[attr-defined]
            session.expire(obj, attributes)
