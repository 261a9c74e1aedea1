"""Administration: sites, moderators and API tokens. Used by the CLI and the dashboard alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .api.errors import not_found, validation_error
from .identity import email_hash, hash_password, new_token, token_hash
from .models import (
    PUBLIC_STATUSES,
    ApiToken,
    Article,
    Ban,
    BanKind,
    Comment,
    ModerationMode,
    Moderator,
    Site,
    utcnow,
)
from .validate import EMAIL, SLUG, normalise_origin

MIN_PASSWORD = 10


class AdminError(ValueError):
    """An administrative request that cannot be done; the message says why."""


def create_site(
    session: Session,
    slug: str,
    origins: Iterable[str],
    *,
    name: str | None = None,
    mode: str = "pre",
    edit_window_minutes: int = 15,
) -> Site:
    if not SLUG.match(slug):
        raise AdminError(f"{slug!r} is not a site slug: use 1-64 of a-z, 0-9 and -.")
    if session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise AdminError(f"A site {slug!r} exists already.")
    try:
        normalised = list(dict.fromkeys(normalise_origin(o) for o in origins))
        mode_value = ModerationMode(mode)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    if not normalised:
        raise AdminError("Give at least one origin (the pages that embed the widget).")
    if not 0 <= edit_window_minutes <= 24 * 60:
        raise AdminError("The edit window is 0 to 1440 minutes.")
    site = Site(
        slug=slug,
        name=name or slug,
        origins=normalised,
        moderation_mode=mode_value,
        edit_window_minutes=edit_window_minutes,
    )
    session.add(site)
    session.flush()
    return site


def get_sites(session: Session, slugs: Sequence[str]) -> list[Site]:
    sites = list(session.scalars(select(Site).where(Site.slug.in_(slugs))))
    missing = set(slugs) - {s.slug for s in sites}
    if missing:
        raise AdminError(f"No such site: {', '.join(sorted(missing))}.")
    return sites


def create_moderator(
    session: Session, email: str, password: str, site_slugs: Sequence[str], is_admin: bool = False
) -> Moderator:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AdminError(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"The password must be at least {MIN_PASSWORD} characters.")
    if session.scalar(select(Moderator.id).where(Moderator.email == email)) is not None:
        raise AdminError(f"A moderator {email} exists already.")
    moderator = Moderator(
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        sites=get_sites(session, site_slugs),
    )
    session.add(moderator)
    session.flush()
    return moderator


def create_token(session: Session, site_slug: str, label: str = "") -> tuple[ApiToken, str]:
    """A new API token for one site; the token itself is returned once and stored hashed."""
    [site] = get_sites(session, [site_slug])
    token = new_token()
    record = ApiToken(site_id=site.id, token_hash=token_hash(token), label=label)
    session.add(record)
    session.flush()
    return record, token


def recount(session: Session) -> int:
    """Recompute every article's public count from its comments; returns how many changed."""
    real = (
        select(func.count(Comment.id))
        .where(Comment.article_id == Article.id, Comment.status.in_(PUBLIC_STATUSES))
        .scalar_subquery()
    )
    result = session.execute(
        update(Article)
        .where(Article.public_count != real)
        .values(public_count=real, version=Article.version + 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def get_sites_or_none(session: Session, slug: str) -> Site | None:
    return session.scalar(select(Site).where(Site.slug == slug))


def add_origins(session: Session, slug: str, origins: Iterable[str]) -> Site:
    [site] = get_sites(session, [slug])
    site.origins = list(dict.fromkeys([*site.origins, *(normalise_origin(o) for o in origins)]))
    return site


def moderator_exists(session: Session, email: str) -> bool:
    return session.scalar(select(Moderator.id).where(Moderator.email == email.lower())) is not None


# --- Bans -------------------------------------------------------------------------------------


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
) -> Ban:
    """Ban an author from one site: by email, by author identity, or by the address a comment
    came from (known only as a keyed hash, so an IP ban always names a comment)."""
    comment = None
    if comment_id is not None:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.site_id != site_id:
            raise not_found("There is no such comment.")
    if kind is BanKind.EMAIL:
        address = email or (comment.author_email if comment else None)
        if not address:
            raise validation_error("email", "Give the email address, or a comment that has one.")
        value, label = email_hash(secret_key, site_id, address), address
    elif comment is None:
        raise validation_error("comment_id", f"A ban by {kind.value} names a comment.")
    elif kind is BanKind.AUTHOR:
        value, label = comment.author_key, f"{comment.author_name} (comment {comment.id})"
    else:
        if not comment.ip_hash:
            raise validation_error("comment_id", "The address of this comment is not known.")
        value, label = comment.ip_hash, f"address of comment {comment.id}"
    if expires_at is not None and expires_at <= utcnow():
        raise validation_error("expires_at", "The end of a ban must be in the future.")
    ban = Ban(
        site_id=site_id,
        kind=kind,
        value_hash=value,
        label=label,
        reason=reason,
        comment_id=comment.id if comment else None,
        created_by=actor,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(ban)
    session.flush()
    return ban


def list_bans(session: Session, site_id: int) -> list[Ban]:
    """The site's bans still in force, newest first."""
    now = utcnow()
    return list(
        session.scalars(
            select(Ban)
            .where(Ban.site_id == site_id, or_(Ban.expires_at.is_(None), Ban.expires_at > now))
            .order_by(Ban.id.desc())
        )
    )


def lift_ban(session: Session, site_id: int, ban_id: int) -> None:
    ban = session.get(Ban, ban_id)
    if ban is None or ban.site_id != site_id:
        raise not_found("There is no such ban.")
    session.delete(ban)
