"""Administration: sites, rules, moderators and API tokens. Used by the CLI, the API and the
dashboard alike; what cannot be done raises the error classes of ``errors``, whose message says
why."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .errors import Conflict, NotFound, ValidationError
from .identity import hash_password, new_token, token_hash
from .models import (
    PUBLIC_STATUSES,
    ApiToken,
    Article,
    Comment,
    Commenters,
    ModerationMode,
    Moderator,
    Site,
    moderator_sites,
    utcnow,
)
from .rules import RuleSettings
from .schemas.fields import EMAIL_RE, SLUG_RE
from .starter_words import starter_rule_overrides
from .urls import normalise_origin

MIN_PASSWORD = 10
# scrypt takes any length; a bound keeps a megabyte "password" from costing a login's CPU.
MAX_PASSWORD = 1024
MAX_SITE_NAME = 200
MAX_TOKEN_LABEL = 100


def create_site(
    session: Session,
    slug: str,
    origins: Iterable[str],
    *,
    name: str | None = None,
    mode: str = "pre",
    edit_window_minutes: int = 15,
    starter_words: bool = False,
) -> Site:
    """A new site (publication) whose pages live on ``origins``; with ``starter_words``, its
    rules hold comments with the common insults and spam phrases of ``starter_words`` (the site
    edits the list as it likes)."""
    if not SLUG_RE.match(slug):
        raise ValidationError("slug", f"{slug!r} is not a site slug: use 1-64 of a-z, 0-9 and -.")
    if session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise Conflict(f"A site {slug!r} exists already.", field="slug")
    normalised, mode_value = _site_fields(origins, mode, edit_window_minutes)
    site = Site(
        slug=slug,
        name=_site_name(name or slug),
        origins=normalised,
        moderation_mode=mode_value,
        edit_window_minutes=edit_window_minutes,
        rule_settings=starter_rule_overrides() if starter_words else {},
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
    except ValueError as exc:
        raise ValidationError("origins", str(exc)) from None
    try:
        mode_value = ModerationMode(mode)
    except ValueError:
        raise ValidationError("mode", "Choose pre- or post-moderation.") from None
    if not normalised:
        raise ValidationError("origins", "Give at least one origin (the pages that embed it).")
    if not 0 <= edit_window_minutes <= 24 * 60:
        raise ValidationError("edit_window_minutes", "The edit window is 0 to 1440 minutes.")
    return normalised, mode_value


def _site_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_SITE_NAME:
        raise ValidationError("name", f"The site name is 1 to {MAX_SITE_NAME} characters.")
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


MAX_REACTION_LABEL = 40


def update_readers(
    session: Session,
    site: Site,
    *,
    commenters: str | None = None,
    login_url: str | None = None,
    reaction_label: str | None = None,
) -> Site:
    """Who may comment (guests, signed-in readers, or both with guests held), where readers
    sign in, and the reaction's label. ``login_url=""`` removes the link; None leaves a field.

    Public threads show these, and are keyed by the site's settings version: it moves on here.
    """
    if commenters is not None:
        try:
            site.commenters = Commenters(commenters)
        except ValueError:
            raise ValidationError(
                "commenters", "Choose guests, readers (signed in only) or mixed."
            ) from None
    if login_url is not None:
        url = login_url.strip()
        if url and (urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc):
            raise ValidationError("login_url", "The sign-in page is an http(s) address.")
        if len(url) > 2048:
            raise ValidationError("login_url", "The sign-in address is at most 2,048 characters.")
        site.login_url = url or None
    if reaction_label is not None:
        label = " ".join(reaction_label.split())
        if not label or len(label) > MAX_REACTION_LABEL or any(c in label for c in "<>"):
            raise ValidationError(
                "reaction_label", f"The reaction's label is 1 to {MAX_REACTION_LABEL} characters."
            )
        site.reaction_label = label
    if site.commenters is Commenters.READERS and not site.sso_secret:
        raise ValidationError(
            "commenters",
            "Give the site an SSO secret first (moderation site sso-secret): without one no "
            "reader can sign in.",
        )
    site.settings_version = (site.settings_version or 0) + 1
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
        raise NotFound(f"No such site: {', '.join(sorted(missing))}.", field="sites")
    return sites


def create_moderator(
    session: Session, email: str, password: str, site_slugs: Sequence[str], is_admin: bool = False
) -> Moderator:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError("email", f"{email!r} is not an email address.")
    _check_password(password)
    if session.scalar(select(Moderator.id).where(Moderator.email == email)) is not None:
        raise Conflict(f"A moderator {email} exists already.", field="email")
    moderator = Moderator(
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        sites=get_sites(session, site_slugs),
    )
    session.add(moderator)
    session.flush()
    return moderator


def admin_exists(session: Session) -> bool:
    """Whether any account may administer the installation."""
    return session.scalar(select(Moderator.id).where(Moderator.is_admin).limit(1)) is not None


def create_token(session: Session, site_slug: str, label: str = "") -> tuple[ApiToken, str]:
    """A new API token for one site; the token itself is returned once and stored hashed."""
    [site] = get_sites(session, [site_slug])
    label = " ".join(label.split())
    if len(label) > MAX_TOKEN_LABEL:
        raise ValidationError("label", f"A token label is at most {MAX_TOKEN_LABEL} characters.")
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
        raise NotFound("There is no such token for this site.")
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
        raise NotFound("There is no such moderator.")
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
        raise Conflict("You cannot remove your own admin role; ask another admin.")
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
        raise ValidationError(
            "password", f"The password must be at least {MIN_PASSWORD} characters."
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationError(
            "password", f"The password must be at most {MAX_PASSWORD} characters."
        )


def delete_moderator(session: Session, moderator: Moderator, acting: Moderator) -> None:
    """Remove an account. Their decisions stay in the log under ``moderator:<email>``."""
    if moderator.id == acting.id:
        raise Conflict("You cannot remove your own account.")
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
