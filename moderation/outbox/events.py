"""Writing the outbox: one row per event, in the caller's transaction.

An event exists exactly when its change does: written by the same transaction, it is committed
with it or rolled back with it, so a crash can neither send a notice of a change that never
happened nor lose one of a change that did. Nothing is sent here; the worker does that.

The payload is a snapshot taken when the change is made (a receiver told of a decision sees the
comment as it was decided), with nothing private in it: no email, no address, no author key.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import Action, Article, Comment, Event, Reason, Status, utcnow
from ..prepared import Prepared


class LogEntry(Protocol):
    """An entry of the decision log as ``comments.writes.log`` writes it (named by its shape,
    so the outbox does not import the core that calls it)."""

    @property
    def site_id(self) -> int: ...
    @property
    def comment_id(self) -> int: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> Action: ...
    @property
    def from_status(self) -> Status | None: ...
    @property
    def reason(self) -> Reason | None: ...
    @property
    def explanation(self) -> str | None: ...


#: The events receivers can subscribe to (the Standard Webhooks ``type``).
PUBLIC_TYPES = (
    "comment.created",
    "comment.edited",
    "comment.deleted",
    "comment.decided",
    "comment.featured",
    "flag.created",
    "article.created",
    "article.closed",
)
#: Events for the service's own mail, never sent to an endpoint.
READER_CONFIRM = "reader.confirm"
QUEUE_WAITING = "queue.waiting"
QUEUE_DIGEST = "queue.digest"
#: DSA: a notice's receipt and outcome for its notifier, an appeal's outcome for the author.
NOTICE_RECEIVED = "notice.received"
NOTICE_DECIDED = "notice.decided"
APPEAL_DECIDED = "appeal.decided"
INTERNAL_TYPES = (
    READER_CONFIRM,
    QUEUE_WAITING,
    QUEUE_DIGEST,
    NOTICE_RECEIVED,
    NOTICE_DECIDED,
    APPEAL_DECIDED,
)

#: Log actions and the event each one is: a verdict, an edit, a deletion, a feature. Holds and
#: publications by the rules are part of the submission or edit they follow, and measures on
#: authors (bans, standing) are not events of a comment.
_EVENT_OF_ACTION = {
    Action.APPROVE: "comment.decided",
    Action.REJECT: "comment.decided",
    Action.SPAM: "comment.decided",
    Action.RESTORE: "comment.decided",
    Action.EDIT: "comment.edited",
    Action.DELETE: "comment.deleted",
    Action.FEATURE: "comment.featured",
    Action.UNFEATURE: "comment.featured",
}

_INSERT_EVENT = Prepared(
    insert(Event), column_keys=["site_id", "type", "message_id", "data", "routed", "created_at"]
)


def new_message_id() -> str:
    """A ``webhook-id``: unique, stable across retries, and unguessable."""
    return "msg_" + secrets.token_urlsafe(18)


def emit(session: Session, site_id: int, type_: str, data: Mapping[str, Any]) -> None:
    """Write one event in the session's transaction (a statement on the driver: submissions
    write one each, and the unit of work's flush would cost more than the rest of it)."""
    emit_many(session, [(site_id, type_, data)])


def emit_many(session: Session, events: Sequence[tuple[int, str, Mapping[str, Any]]]) -> None:
    """Write events in order, in the session's transaction."""
    if not events:
        return
    session.flush()  # the change they report is written first
    now = utcnow()
    _INSERT_EVENT.run_many(
        session,
        [
            {
                "site_id": site_id,
                "type": type_,
                "message_id": new_message_id(),
                "data": dict(data),
                "routed": False,
                "created_at": now,
            }
            for site_id, type_, data in events
        ],
    )


def article_data(article: Article) -> dict[str, Any]:
    """An article as events show it."""
    return {"id": article.id, "key": article.key, "url": article.url, "title": article.title}


def comment_data(comment: Comment, article: Mapping[str, Any]) -> dict[str, Any]:
    """A comment as events show it: what the public thread shows, its status and its text
    (``article`` as ``article_data`` gives it)."""
    return {
        "id": comment.id,
        "article": dict(article),
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "status": comment.status.value,
        "html": comment.html,
        "text": comment.body_text,
        "staff": comment.staff,
        "badges": list(comment.badges),
        "featured": comment.featured,
        "held_because": list(comment.held_because),
        "created_at": _stamp(comment.created_at),
        "edited_at": _stamp(comment.edited_at),
    }


def comment_created(session: Session, comment: Comment, article: Mapping[str, Any]) -> None:
    """A new comment was stored (public or waiting: ``status`` says which)."""
    emit(session, comment.site_id, "comment.created", {"comment": comment_data(comment, article)})


def from_log(session: Session, entries: Sequence[LogEntry]) -> None:
    """The events of log entries just written: one per comment and event type, so an edit and
    the rules' hold that follows it are one ``comment.edited``."""
    wanted: dict[tuple[int, str], LogEntry] = {}
    for entry in entries:
        type_ = _EVENT_OF_ACTION.get(entry.action)
        # A first entry (no status before) is the submission's own screening: comment.created.
        if type_ is not None and entry.from_status is not None:
            wanted.setdefault((entry.comment_id, type_), entry)
    if not wanted:
        return
    comments = _loaded(session, Comment, {comment_id for comment_id, _ in wanted})
    articles = _loaded(session, Article, {c.article_id for c in comments.values()})
    rows = []
    for (comment_id, type_), entry in wanted.items():
        comment = comments[comment_id]
        article = article_data(articles[comment.article_id])
        data: dict[str, Any] = {"comment": comment_data(comment, article)}
        if type_ == "comment.decided":
            data["decision"] = {
                "action": entry.action.value,
                "reason": entry.reason.value if entry.reason else None,
                "explanation": entry.explanation,
                "actor": _public_actor(entry.actor),
                "from_status": entry.from_status.value if entry.from_status else None,
            }
        rows.append((entry.site_id, type_, data))
    emit_many(session, rows)


def _public_actor(actor: str) -> str:
    """Who decided, as receivers see it: a person or a rule, never a moderator's email."""
    kind, _, _name = actor.partition(":")
    return actor if kind == "system" else kind


def _loaded(session: Session, cls: Any, ids: Collection[int]) -> dict[int, Any]:
    """Objects by id, from the session where it holds them, else in one query."""
    found = {}
    for obj in session.identity_map.values():
        if isinstance(obj, cls) and obj.id in ids:
            found[obj.id] = obj
    missing = [i for i in ids if i not in found]
    if missing:
        for obj in session.scalars(select(cls).where(cls.id.in_(missing))):
            found[obj.id] = obj
    return found


def _stamp(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
