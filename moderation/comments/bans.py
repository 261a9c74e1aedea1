"""Bans: authors who may not comment on a site, by email, author identity or address.

A ban keeps only keyed hashes (of the email, the author key or the IP address), so a ban list
reveals no one's address; an address ban always names the comment it came from, the only place
the service knows an address (as a hash) from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ..errors import Banned, Conflict, NotFound, ValidationError
from ..identity import email_hash
from ..models import (
    Action,
    AuthorStanding,
    Ban,
    BanKind,
    Comment,
    Reason,
    Site,
    Standing,
    Status,
    utcnow,
)
from ..prepared import Prepared
from . import decide
from .standing import comment_of_site, latest_comment, log_measure


def _in_force(column: Any) -> Any:
    return or_(column.is_(None), column > bindparam("now"))


_BANS_OF_AUTHOR = (
    select(Ban.id, Ban.expires_at)
    .where(
        Ban.site_id == bindparam("site_id"),
        or_(
            and_(Ban.kind == BanKind.AUTHOR, Ban.value_hash == bindparam("author")),
            and_(Ban.kind == BanKind.EMAIL, Ban.value_hash == bindparam("email")),
            and_(Ban.kind == BanKind.IP, Ban.value_hash == bindparam("ip")),
        ),
        _in_force(Ban.expires_at),
    )
    # The ban that ends last: a permanent one, else the latest end.
    .order_by(Ban.expires_at.is_(None).desc(), Ban.expires_at.desc())
    .limit(1)
)
#: The author's ban ending last and their standing, in one round trip.
_AUTHOR_LOOKUP = Prepared(
    select(
        _BANS_OF_AUTHOR.with_only_columns(Ban.id).scalar_subquery(),
        _BANS_OF_AUTHOR.with_only_columns(Ban.expires_at).scalar_subquery(),
        select(AuthorStanding.standing)
        .where(
            AuthorStanding.site_id == bindparam("site_id"),
            AuthorStanding.author_key == bindparam("author"),
            _in_force(AuthorStanding.expires_at),
        )
        .scalar_subquery(),
    )
)


def check_banned(
    session: Session,
    site: Site,
    secret_key: str,
    *,
    author_key: str,
    email: str | None,
    ip_hash: str | None,
    now: datetime,
) -> Standing | None:
    """Refuse, politely, an author banned or suspended by email, identity or address (a
    suspension says until when); else their standing, for the rules."""
    row = _AUTHOR_LOOKUP.one_or_none(
        session,
        {
            "site_id": site.id,
            "author": author_key,
            # None compares as NULL and matches no ban: no email or address, no such check.
            "email": email_hash(secret_key, site.id, email) if email else None,
            "ip": ip_hash,
            "now": now,
        },
    )
    assert row is not None  # a SELECT of scalar subqueries returns one row
    ban_id, ends, standing = row
    if ban_id is not None:
        if ends is not None:
            if ends.tzinfo is None:  # SQLite gives the stored UTC back without its zone
                ends = ends.replace(tzinfo=UTC)
            raise Banned(
                f"Sorry, you cannot comment on {site.name} until "
                f"{ends:%d %B %Y, %H:%M} UTC. If you think this is a mistake, please contact "
                "the newsroom.",
                headers={"Retry-After": str(max(1, int((ends - now).total_seconds())))},
            )
        raise Banned(
            f"Sorry, you cannot comment on {site.name} at the moment. If you think this is a "
            "mistake, please contact the newsroom."
        )
    return Standing(standing) if standing is not None else None


def create_ban(
    session: Session,
    site_id: int,
    kind: BanKind,
    *,
    actor: str,
    secret_key: str,
    comment_id: int | None = None,
    email: str | None = None,
    reason: str | None = None,
    reason_code: Reason | None = None,
    expires_at: datetime | None = None,
    moderator_id: int | None = None,
    reject_pending: bool = False,
    now: datetime | None = None,
) -> Ban:
    """Ban an author from one site, for good or until ``expires_at`` (a suspension): by email,
    by author identity, or by the address a comment came from. A comment of another site is not
    found. Logged on the comment it names (else the latest one with the email); with
    ``reject_pending``, the author's comments awaiting a decision are rejected at once."""
    now = now or utcnow()
    comment = comment_of_site(session, site_id, comment_id) if comment_id is not None else None
    if kind is BanKind.EMAIL:
        address = email or (comment.author_email if comment else None)
        if not address:
            raise Conflict("This comment has no email address to ban.", field="comment_id")
        value, label = email_hash(secret_key, site_id, address), address
    elif comment is None:
        raise ValidationError("comment_id", f"A ban by {kind.value} names a comment.")
    elif kind is BanKind.AUTHOR:
        value, label = comment.author_key, f"{comment.author_name} (comment {comment.id})"
    else:
        if not comment.ip_hash:
            raise Conflict("The address of this comment is not known.", field="comment_id")
        value, label = comment.ip_hash, f"address of comment {comment.id}"
    if expires_at is not None and expires_at <= now:
        raise ValidationError("expires_at", "The end of a ban must be in the future.")
    ban = Ban(
        site_id=site_id,
        kind=kind,
        value_hash=value,
        label=label,
        reason=reason,
        comment_id=comment.id if comment else None,
        created_by=actor,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(ban)
    session.flush()
    anchor = comment or latest_comment(session, site_id, email=email)
    end = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "permanent"
    log_measure(
        session,
        anchor,
        Action.SUSPEND if expires_at else Action.BAN,
        actor=actor,
        moderator_id=moderator_id,
        reason=reason_code,
        explanation=f"by {kind.value}, {end}" + (f": {reason}" if reason else ""),
    )
    if reject_pending:
        _reject_awaiting(session, ban, actor, moderator_id, reason_code, reason, secret_key)
    return ban


#: Comments still awaiting a moderator's decision: held, or public under post-moderation.
AWAITING = (Status.PENDING, Status.PUBLISHED)


def _reject_awaiting(
    session: Session,
    ban: Ban,
    actor: str,
    moderator_id: int | None,
    reason_code: Reason | None,
    explanation: str | None,
    secret_key: str,
) -> None:
    stmt = select(Comment.id).where(Comment.site_id == ban.site_id, Comment.status.in_(AWAITING))
    if ban.kind is BanKind.AUTHOR:
        stmt = stmt.where(Comment.author_key == ban.value_hash)
    elif ban.kind is BanKind.IP:
        stmt = stmt.where(Comment.ip_hash == ban.value_hash)
    else:
        stmt = stmt.where(func.lower(Comment.author_email) == ban.label.strip().lower())
    ids = list(session.scalars(stmt.order_by(Comment.id)))
    for start in range(0, len(ids), decide.MAX_BULK):
        decide.decide(
            session,
            site_id=ban.site_id,
            comment_ids=ids[start : start + decide.MAX_BULK],
            action=Action.REJECT,
            actor=actor,
            moderator_id=moderator_id,
            reason=reason_code or Reason.OTHER,
            explanation=explanation,
        )


def list_bans(session: Session, site_id: int, now: datetime | None = None) -> list[Ban]:
    """The site's bans still in force, newest first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Ban)
            .where(Ban.site_id == site_id, or_(Ban.expires_at.is_(None), Ban.expires_at > now))
            .order_by(Ban.id.desc())
        )
    )


def lift_ban(
    session: Session,
    site_id: int,
    ban_id: int,
    *,
    actor: str = "system",
    moderator_id: int | None = None,
    explanation: str | None = None,
) -> None:
    """Remove a ban of this site (another site's is not found); logged where the ban was."""
    ban = session.get(Ban, ban_id)
    if ban is None or ban.site_id != site_id:
        raise NotFound("There is no such ban.")
    anchor = session.get(Comment, ban.comment_id) if ban.comment_id else None
    if anchor is None and ban.kind is BanKind.EMAIL:
        anchor = latest_comment(session, site_id, email=ban.label)
    what = "suspension" if ban.expires_at else "ban"
    session.delete(ban)
    session.flush()
    log_measure(
        session,
        anchor,
        Action.LIFT,
        actor=actor,
        moderator_id=moderator_id,
        explanation=f"lifted: {what} by {ban.kind.value}"
        + (f"; {explanation}" if explanation else ""),
    )
