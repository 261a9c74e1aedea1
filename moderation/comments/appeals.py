"""Appeals (DSA Art. 20): the author of a removed or restricted comment contests the decision
within six months; another moderator than the one who decided first decides the appeal, and the
author is told the outcome, which is logged.

An appeal that succeeds publishes the comment (an ``approve`` decision); one that fails is
logged as ``uphold``. A rule's own decision (automated) may be decided by any
moderator.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationError
from ..models import (
    Action,
    Appeal,
    AppealStatus,
    Article,
    Comment,
    Statement,
    Status,
    utcnow,
)
from ..outbox import events
from . import statements, writes
from .decide import decide

MAX_BODY = 2000


class AppealClosed(Conflict):
    """The decision can no longer be contested, or is contested already."""

    code = "appeal_closed"


class SameModerator(Forbidden):
    """The moderator who decided may not decide the appeal against their own decision."""

    code = "same_moderator"


def file_appeal(
    session: Session, comment: Comment, body: str, now: datetime | None = None
) -> Appeal:
    """The author contests the latest statement of reasons of their comment."""
    now = now or utcnow()
    text = body.strip()
    if not text:
        raise ValidationError("body", "Say why the decision should be reviewed.")
    if len(text) > MAX_BODY:
        raise ValidationError("body", f"At most {MAX_BODY:,} characters.")
    statement = statements.for_author(session, comment.id, comment.status)
    if statement is None:
        raise NotFound("Nothing was decided against this comment that could be contested.")
    if now > statements.appeal_until(statement):
        raise AppealClosed("Decisions can be contested for six months; that time is over.")
    open_one = session.scalar(
        select(Appeal.id).where(
            Appeal.statement_id == statement.id, Appeal.status == AppealStatus.OPEN
        )
    )
    if open_one is not None:
        raise AppealClosed("This decision is already contested; a moderator will answer.")
    appeal = Appeal(
        site_id=comment.site_id,
        comment_id=comment.id,
        statement_id=statement.id,
        body=text,
        created_at=now,
    )
    session.add(appeal)
    session.flush()
    writes.queue_changed(session, [comment.site_id])
    return appeal


def list_appeals(
    session: Session, site_ids: Collection[int], *, open_only: bool = True, limit: int = 100
) -> list[tuple[Appeal, Statement, Comment]]:
    """The sites' appeals with what they contest, oldest open first (or all, newest first)."""
    stmt = (
        select(Appeal, Statement, Comment)
        .join(Statement, Statement.id == Appeal.statement_id)
        .join(Comment, Comment.id == Appeal.comment_id)
        .where(Appeal.site_id.in_(list(site_ids)))
    )
    if open_only:
        stmt = stmt.where(Appeal.status == AppealStatus.OPEN).order_by(Appeal.id)
    else:
        stmt = stmt.order_by(Appeal.id.desc())
    return [(a, s, c) for a, s, c in session.execute(stmt.limit(limit)).all()]


def open_count(session: Session, site_ids: Collection[int]) -> int:
    return (
        session.scalar(
            select(func.count(Appeal.id)).where(
                Appeal.site_id.in_(list(site_ids)), Appeal.status == AppealStatus.OPEN
            )
        )
        or 0
    )


def decide_appeal(
    session: Session,
    appeal_id: int,
    site_ids: Collection[int],
    *,
    reverse: bool,
    actor: str,
    moderator_id: int | None,
    explanation: str | None = None,
) -> Appeal:
    """Decide an appeal: ``reverse`` restores the comment, else the decision stands."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None or appeal.site_id not in set(site_ids):
        raise NotFound("There is no such appeal.")
    if appeal.status is not AppealStatus.OPEN:
        raise InvalidTransition(f"Appeal {appeal.id} was already decided.")
    statement = session.get_one(Statement, appeal.statement_id)
    if statement.moderator_id is not None and statement.moderator_id == moderator_id:
        raise SameModerator("Another moderator must decide an appeal against your own decision.")
    if moderator_id is None and not statement.automated and actor.startswith("token:"):
        # An API token is nobody in particular: it cannot show it is not the first decider.
        raise SameModerator("An appeal against a person's decision is decided in the dashboard.")
    comment = session.get_one(Comment, appeal.comment_id)
    now = utcnow()
    appeal.status = AppealStatus.REVERSED if reverse else AppealStatus.UPHELD
    appeal.decided_at = now
    appeal.decided_by = actor
    appeal.moderator_id = moderator_id
    appeal.outcome = (explanation or "").strip() or None
    if reverse and comment.status in (Status.REJECTED, Status.SPAM, Status.PENDING):
        decide(
            session,
            site_id=comment.site_id,
            comment_ids=[comment.id],
            action=Action.APPROVE,
            actor=actor,
            moderator_id=moderator_id,
        )
    else:
        writes.log(
            session,
            [
                writes.LogEntry(
                    site_id=comment.site_id,
                    comment_id=comment.id,
                    actor=actor,
                    action=Action.UPHOLD,
                    from_status=comment.status,
                    to_status=comment.status,
                    explanation=appeal.outcome or f"appeal {appeal.id} refused",
                    moderator_id=moderator_id,
                )
            ],
        )
    article = session.get_one(Article, comment.article_id)
    events.emit(
        session,
        comment.site_id,
        events.APPEAL_DECIDED,
        {
            "appeal_id": appeal.id,
            "outcome": appeal.status.value,
            "explanation": appeal.outcome,
            "comment": events.comment_data(comment, events.article_data(article)),
        },
    )
    writes.queue_changed(session, [comment.site_id])
    session.flush()
    return appeal


def latest_for(session: Session, statement_id: int) -> Appeal | None:
    """The latest appeal of a statement, for the author's view."""
    return session.scalar(
        select(Appeal).where(Appeal.statement_id == statement_id).order_by(Appeal.id.desc())
    )
