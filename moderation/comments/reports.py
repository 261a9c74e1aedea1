"""Readers' reports of public comments, and the withholding that enough of them cause."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import AlreadyReported, NotFound
from ..models import PUBLIC_STATUSES, Action, Article, Comment, Flag, Reason, Site, Status, utcnow
from ..outbox import events
from . import screening, writes
from .status import change_status


def report(
    session: Session,
    comment_id: int,
    reason: Reason,
    note: str | None,
    reporter_hash: str,
    policy: screening.Policy,
) -> Flag:
    """A reader reports a public comment; it then shows in the moderators' ``flagged`` view.

    A comment no moderator has reviewed yet (post-moderation) is withheld once enough distinct
    readers report it; an approved one stays up, flagged, for a moderator to look at again.
    """
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status not in PUBLIC_STATUSES:
        raise NotFound("There is no such published comment.")
    exists = session.scalar(
        select(Flag.id).where(Flag.comment_id == comment.id, Flag.reporter_hash == reporter_hash)
    )
    if exists is not None:
        raise AlreadyReported()
    flag = Flag(
        comment_id=comment.id,
        reason=reason,
        note=note,
        reporter_hash=reporter_hash,
        created_at=utcnow(),
    )
    session.add(flag)
    session.flush()
    open_reports = (
        session.scalar(
            select(func.count(Flag.id)).where(
                Flag.comment_id == comment.id, Flag.resolved_at.is_(None)
            )
        )
        or 0
    )
    comment.open_flag_count = open_reports
    if comment.status is Status.PUBLISHED:
        site = session.get_one(Site, comment.site_id)
        threshold = screening.settings_for(site, policy).report_threshold
        if threshold and open_reports >= threshold:
            comment.held_because = [*comment.held_because, "reports"]
            change_status(
                session,
                [comment],
                Status.PENDING,
                actor=f"{writes.SYSTEM}:reports",
                action=Action.HOLD,
                explanation=f"{open_reports} readers reported it",
            )
    article = session.get_one(Article, comment.article_id)
    events.emit(
        session,
        comment.site_id,
        "flag.created",
        {
            "flag": {"id": flag.id, "reason": reason.value, "note": note},
            "comment": events.comment_data(comment, events.article_data(article)),
        },
    )
    writes.queue_changed(session, [comment.site_id])
    return flag
