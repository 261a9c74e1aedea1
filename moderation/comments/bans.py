"""Bans: authors who may not comment on a site, by email, author identity or address.

A ban keeps only keyed hashes (of the email, the author key or the IP address), so a ban list
reveals no one's address; an address ban always names the comment it came from, the only place
the service knows an address (as a hash) from.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from ..errors import Banned, Conflict, NotFound, ValidationError
from ..identity import email_hash
from ..models import Ban, BanKind, Comment, Site, utcnow
from ..prepared import Prepared

_BAN_LOOKUP = Prepared(
    select(Ban.id)
    .where(
        Ban.site_id == bindparam("site_id"),
        or_(
            and_(Ban.kind == BanKind.AUTHOR, Ban.value_hash == bindparam("author")),
            and_(Ban.kind == BanKind.EMAIL, Ban.value_hash == bindparam("email")),
            and_(Ban.kind == BanKind.IP, Ban.value_hash == bindparam("ip")),
        ),
        or_(Ban.expires_at.is_(None), Ban.expires_at > bindparam("now")),
    )
    .limit(1)
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
) -> None:
    """Refuse, politely, an author banned by email, identity or address."""
    banned = _BAN_LOOKUP.scalar(
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
    if banned is not None:
        raise Banned(
            f"Sorry, you cannot comment on {site.name} at the moment. If you think this is a "
            "mistake, please contact the newsroom."
        )


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
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> Ban:
    """Ban an author from one site: by email, by author identity, or by the address a comment
    came from. A comment of another site is not found."""
    now = now or utcnow()
    comment = None
    if comment_id is not None:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.site_id != site_id:
            raise NotFound("There is no such comment.", field="comment_id")
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
    return ban


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


def lift_ban(session: Session, site_id: int, ban_id: int) -> None:
    """Remove a ban of this site (another site's is not found)."""
    ban = session.get(Ban, ban_id)
    if ban is None or ban.site_id != site_id:
        raise NotFound("There is no such ban.")
    session.delete(ban)
    session.flush()
