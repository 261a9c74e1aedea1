"""Administration: sites, rules, moderators, API tokens and bans. Used by the CLI, the API and the
dashboard alike."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

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
    moderator_sites,
    utcnow,
)
from .rules import RuleSettings
from .validate import EMAIL, SLUG, normalise_origin

MIN_PASSWORD = 10
# scrypt takes any length; a bound keeps a megabyte "password" from costing a login's CPU.
MAX_PASSWORD = 1024
MAX_SITE_NAME = 200
MAX_TOKEN_LABEL = 100


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
    """A new site (publication) whose pages live on ``origins``."""
    if not SLUG.match(slug):
        raise AdminError(f"{slug!r} is not a site slug: use 1-64 of a-z, 0-9 and -.")
    if session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise AdminError(f"A site {slug!r} exists already.")
    normalised, mode_value = _site_fields(origins, mode, edit_window_minutes)
    site = Site(
        slug=slug,
        name=_site_name(name or slug),
        origins=normalised,
        moderation_mode=mode_value,
        edit_window_minutes=edit_window_minutes,
    )
    session.add(site)
    session.flush()
    return site


def _site_fields(
    origins: Iterable[str], mode: str, edit_window_minutes: int
) -> tuple[list[str], ModerationMode]:
    """Check what a site is made of; the same rules on creation and on every edit."""
    try:
        normalised = list(dict.fromkeys(normalise_origin(o) for o in origins))
        mode_value = ModerationMode(mode)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    if not normalised:
        raise AdminError("Give at least one origin (the pages that embed the widget).")
    if not 0 <= edit_window_minutes <= 24 * 60:
        raise AdminError("The edit window is 0 to 1440 minutes.")
    return normalised, mode_value


def _site_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_SITE_NAME:
        raise AdminError(f"The site name is 1 to {MAX_SITE_NAME} characters.")
    return name


def update_site(
    session: Session,
    site: Site,
    *,
    name: str,
    origins: Iterable[str],
    mode: str,
    edit_window_minutes: int,
    closed: bool,
) -> Site:
    """Change a site's name, origins, moderation mode, edit window, or close it to comments.

    Public threads carry the site's closed state in their ETags, so closing shows at once.
    """
    normalised, mode_value = _site_fields(origins, mode, edit_window_minutes)
    site.name = _site_name(name)
    site.origins = normalised
    site.moderation_mode = mode_value
    site.edit_window_minutes = edit_window_minutes
    site.closed = closed
    session.flush()
    return site


def list_sites(session: Session, site_ids: Collection[int] | None = None) -> list[Site]:
    """Every site (or the given ones), by name."""
    stmt = select(Site).order_by(Site.name, Site.slug)
    if site_ids is not None:
        stmt = stmt.where(Site.id.in_(list(site_ids)))
    return list(session.scalars(stmt))


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
    _check_password(password)
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
    label = " ".join(label.split())
    if len(label) > MAX_TOKEN_LABEL:
        raise AdminError(f"A token label is at most {MAX_TOKEN_LABEL} characters.")
    token = new_token()
    record = ApiToken(site_id=site.id, token_hash=token_hash(token), label=label)
    session.add(record)
    session.flush()
    return record, token


def list_tokens(session: Session, site_id: int) -> list[ApiToken]:
    """A site's API tokens, newest first, revoked ones included (they say when)."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.site_id == site_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, site_id: int, token_id: int) -> ApiToken:
    """Stop a token from working; the record stays, so the log's ``token:<label>`` still means
    something."""
    record = session.get(ApiToken, token_id)
    if record is None or record.site_id != site_id:
        raise AdminError("There is no such token for this site.")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    return record


# --- Moderators -------------------------------------------------------------------------------


def list_moderators(session: Session) -> list[Moderator]:
    """Every moderator account, by email, with their sites."""
    return list(session.scalars(select(Moderator).order_by(Moderator.email)))


def moderators_of(session: Session, site_ids: Collection[int]) -> list[Moderator]:
    """Everyone whose decisions can appear in these sites' log: their moderators, and admins."""
    return list(
        session.scalars(
            select(Moderator)
            .outerjoin(moderator_sites, moderator_sites.c.moderator_id == Moderator.id)
            .where(or_(moderator_sites.c.site_id.in_(list(site_ids)), Moderator.is_admin))
            .distinct()
            .order_by(Moderator.email)
        )
    )


def get_moderator(session: Session, moderator_id: int) -> Moderator:
    moderator = session.get(Moderator, moderator_id)
    if moderator is None:
        raise AdminError("There is no such moderator.")
    return moderator


def update_moderator(
    session: Session,
    moderator: Moderator,
    *,
    site_slugs: Sequence[str],
    is_admin: bool,
    acting: Moderator | None = None,
) -> Moderator:
    """Change which sites a moderator works on and whether they administer the service.

    An admin cannot take their own admin role away: the service must never be left without one
    by accident.
    """
    if acting is not None and acting.id == moderator.id and moderator.is_admin and not is_admin:
        raise AdminError("You cannot remove your own admin role; ask another admin.")
    moderator.sites = get_sites(session, list(dict.fromkeys(site_slugs)))
    moderator.is_admin = is_admin
    session.flush()
    return moderator


def set_password(session: Session, moderator: Moderator, password: str) -> None:
    """Store a new password (scrypt-hashed); sessions signed with the old one end."""
    _check_password(password)
    moderator.password_hash = hash_password(password)
    session.flush()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"The password must be at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AdminError(f"The password must be at most {MAX_PASSWORD} characters.")


def delete_moderator(session: Session, moderator: Moderator, acting: Moderator) -> None:
    """Remove an account. Their decisions stay in the log under ``moderator:<email>``."""
    if moderator.id == acting.id:
        raise AdminError("You cannot remove your own account.")
    session.delete(moderator)
    session.flush()


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


# --- Screening rules --------------------------------------------------------------------------


def update_rule_settings(site: Site, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply changes to a site's rule overrides (``None`` returns a setting to the configured
    default) and return the new overrides. Every value is checked; a bad one raises
    :class:`~moderation.rules.RuleSettingsError` naming the setting, and nothing changes."""
    overrides = dict(site.rule_settings or {})
    for key, value in changes.items():
        if value is None:
            overrides.pop(key, None)
        else:
            overrides[key] = value
    normalised = RuleSettings.from_mappings(overrides).to_json()
    site.rule_settings = {key: normalised[key] for key in overrides}
    return site.rule_settings
