"""A moderator's word on an author: always pre-moderate them, or trust them, for a while or until
lifted; and the log entry every measure about an author leaves.

A standing overrides what the rules make of the author's record (``rules.author_standing``): a
pre-moderated author waits for a moderator even when the record would trust them; a trusted one
is published as the site's mode allows, without the record's holds. Content rules (blocked words,
spam, links) still judge both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models import Action, AuthorStanding, Comment, Reason, Standing, utcnow
from . import writes

#: How a measure is named in the log, for each standing.
STANDING_ACTIONS = {Standing.PREMODERATED: Action.PREMODERATE, Standing.TRUSTED: Action.TRUST}


def comment_of_site(session: Session, site_id: int, comment_id: int) -> Comment:
    """A comment of this site (another site's is not found, so its existence does not leak)."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.site_id != site_id:
        raise NotFound("There is no such comment.", field="comment_id")
    return comment


def latest_comment(
    session: Session, site_id: int, *, author_key: str | None = None, email: str | None = None
) -> Comment | None:
    """The author's latest comment on the site, by identity or by an email they commented with:
    where a measure taken from their page (or by email) is logged."""
    stmt = select(Comment).where(Comment.site_id == site_id)
    if author_key is not None:
        stmt = stmt.where(Comment.author_key == author_key)
    elif email is not None:
        stmt = stmt.where(func.lower(Comment.author_email) == email.strip().lower())
    else:
        return None
    return session.scalar(stmt.order_by(Comment.id.desc()).limit(1))


def log_measure(
    session: Session,
    comment: Comment | None,
    action: Action,
    *,
    actor: str,
    moderator_id: int | None = None,
    reason: Reason | None = None,
    explanation: str | None = None,
) -> None:
    """Log a measure about an author on one of their comments, whose status it leaves as it is.
    Without a comment (an email that never commented here), the measure's own row is its record."""
    if comment is None:
        return
    writes.log(
        session,
        [
            writes.LogEntry(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=actor,
                action=action,
                from_status=comment.status,
                to_status=comment.status,
                reason=reason,
                explanation=explanation,
                moderator_id=moderator_id,
            )
        ],
    )


def check_future(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise ValidationError("until", "The end of a measure must be in the future.")


def standing_of(
    session: Session, site_id: int, author_key: str, now: datetime | None = None
) -> AuthorStanding | None:
    """The author's standing on the site still in force (None: the rules alone decide)."""
    now = now or utcnow()
    return session.scalar(
        select(AuthorStanding).where(
            AuthorStanding.site_id == site_id,
            AuthorStanding.author_key == author_key,
            or_(AuthorStanding.expires_at.is_(None), AuthorStanding.expires_at > now),
        )
    )


def set_standing(
    session: Session,
    site_id: int,
    author_key: str,
    standing: Standing,
    *,
    actor: str,
    moderator_id: int | None = None,
    comment: Comment | None = None,
    reason: Reason | None = None,
    explanation: str | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> AuthorStanding:
    """Pre-moderate or trust an author from now on (until ``expires_at``), in place of any
    standing they had. Logged on ``comment``, else on their latest comment."""
    now = now or utcnow()
    check_future(expires_at, now)
    anchor = comment or latest_comment(session, site_id, author_key=author_key)
    if anchor is None:
        raise NotFound("There is no such author on this site.")
    session.execute(
        delete(AuthorStanding).where(
            AuthorStanding.site_id == site_id, AuthorStanding.author_key == author_key
        )
    )
    row = AuthorStanding(
        site_id=site_id,
        author_key=author_key,
        standing=standing,
        reason=explanation,
        created_by=actor,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    log_measure(
        session,
        anchor,
        STANDING_ACTIONS[standing],
        actor=actor,
        moderator_id=moderator_id,
        reason=reason,
        explanation=_with_end(explanation, expires_at),
    )
    return row


def lift_standing(
    session: Session,
    site_id: int,
    author_key: str,
    *,
    actor: str,
    moderator_id: int | None = None,
    explanation: str | None = None,
) -> None:
    """Let the rules alone judge the author again."""
    row = session.scalar(
        select(AuthorStanding).where(
            AuthorStanding.site_id == site_id, AuthorStanding.author_key == author_key
        )
    )
    if row is None:
        raise NotFound("This author has no standing to lift.")
    what = "always pre-moderate" if row.standing is Standing.PREMODERATED else "trusted"
    session.delete(row)
    session.flush()
    log_measure(
        session,
        latest_comment(session, site_id, author_key=author_key),
        Action.LIFT,
        actor=actor,
        moderator_id=moderator_id,
        explanation=f"lifted: {what}" + (f"; {explanation}" if explanation else ""),
    )


def _with_end(explanation: str | None, expires_at: datetime | None) -> str | None:
    if expires_at is None:
        return explanation
    end = f"until {expires_at:%Y-%m-%d %H:%M} UTC"
    return f"{explanation} ({end})" if explanation else end
