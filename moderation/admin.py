"""Administration: sites, moderators and API tokens. Used by the CLI and the dashboard alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .identity import hash_password, new_token, token_hash
from .models import (
    PUBLIC_STATUSES,
    ApiToken,
    Article,
    Comment,
    ModerationMode,
    Moderator,
    Site,
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
    return result.rowcount or 0


def get_sites_or_none(session: Session, slug: str) -> Site | None:
    return session.scalar(select(Site).where(Site.slug == slug))


def add_origins(session: Session, slug: str, origins: Iterable[str]) -> Site:
    [site] = get_sites(session, [slug])
    site.origins = list(dict.fromkeys([*site.origins, *(normalise_origin(o) for o in origins)]))
    return site


def moderator_exists(session: Session, email: str) -> bool:
    return session.scalar(select(Moderator.id).where(Moderator.email == email.lower())) is not None
