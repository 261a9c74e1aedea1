"""Signed-in readers: the site's SSO secrets, tokens checked against them and against sign-outs,
and the account kept per site and ``sub``, refreshed from each token.

Identifying a reader only reads (:func:`identify`), so a submission's screening can run before
SQLite's write lock; the account is written with the comment (:func:`remember`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import sso
from ..errors import InvalidReaderToken, NotFound
from ..identity import token_hash
from ..models import Reader, RevokedToken, Role, Site, utcnow

#: How long a rotated-out secret keeps verifying, unless the caller says otherwise: a day, so
#: the publisher's servers can be moved to the new secret one by one.
DEFAULT_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class SignedIn:
    """A reader whose token verified: its claims, and the account if one exists already."""

    claims: sso.Claims
    reader: Reader | None

    @property
    def staff(self) -> bool:
        return self.claims.role is Role.STAFF


def secrets_in_force(site: Site, now: datetime) -> list[str]:
    """The secrets a token may be signed with now: the current one, then the one it replaced
    until its grace period ends."""
    found = [site.sso_secret] if site.sso_secret else []
    until = site.sso_previous_until
    if site.sso_previous_secret and until is not None and until > now:
        found.append(site.sso_previous_secret)
    return found


def rotate_secret(
    session: Session, site: Site, grace: timedelta = DEFAULT_GRACE, now: datetime | None = None
) -> str:
    """Give the site a new SSO secret; the old one verifies for ``grace`` more."""
    now = now or utcnow()
    secret = sso.new_secret()
    if site.sso_secret:
        site.sso_previous_secret = site.sso_secret
        site.sso_previous_until = now + grace
    site.sso_secret = secret
    session.flush()
    return secret


def _jti_hash(site_id: int, jti: str) -> str:
    return token_hash(f"{site_id}:{jti}")


def identify(session: Session, site: Site, token: str | None, now: datetime) -> SignedIn | None:
    """The reader a token names, or None without a token; refused if it does not verify or was
    signed out. Reads only."""
    if token is None:
        return None
    claims = sso.verify(token, secrets_in_force(site, now), now)
    if claims.jti is not None:
        revoked = session.get(RevokedToken, _jti_hash(site.id, claims.jti))
        if revoked is not None:
            raise InvalidReaderToken("This reader token was signed out; sign in again.")
    reader = session.scalar(
        select(Reader).where(Reader.site_id == site.id, Reader.subject == claims.subject)
    )
    return SignedIn(claims, reader)


def remember(session: Session, site: Site, signed_in: SignedIn, fallback_name: str) -> Reader:
    """The reader's account, created on first use and refreshed from the token: the token's
    name, email, badges and role are the publisher's word, and replace what was kept."""
    claims = signed_in.claims
    reader = signed_in.reader
    if reader is None:
        reader = session.scalar(
            select(Reader).where(Reader.site_id == site.id, Reader.subject == claims.subject)
        )
    if reader is None:
        reader = Reader(site_id=site.id, subject=claims.subject, name=claims.name or fallback_name)
        try:
            # A savepoint: two first comments at once by one reader create one account.
            with session.begin_nested():
                session.add(reader)
        except IntegrityError:
            reader = session.scalars(
                select(Reader).where(Reader.site_id == site.id, Reader.subject == claims.subject)
            ).one()
    reader.name = claims.name or reader.name or fallback_name
    reader.email = claims.email
    reader.badges = list(claims.badges)
    reader.role = claims.role
    reader.seen_at = utcnow()
    session.flush()
    return reader


def sign_out(session: Session, site: Site, token: str, now: datetime | None = None) -> None:
    """Refuse this token from now on (by its ``jti``) until it would have expired anyway."""
    now = now or utcnow()
    # Verified, but not refused for being signed out already: signing out twice is once.
    claims = sso.verify(token, secrets_in_force(site, now), now)
    if claims.jti is None:
        raise InvalidReaderToken("This token has no jti, so it cannot be signed out.")
    expires = (
        datetime.fromtimestamp(claims.expires_at + sso.CLOCK_SKEW, UTC)
        if claims.expires_at is not None
        else now + timedelta(days=365)
    )
    key = _jti_hash(site.id, claims.jti)
    if session.get(RevokedToken, key) is None:
        session.add(RevokedToken(jti_hash=key, site_id=site.id, expires_at=expires))
    # Sign-outs of tokens that have expired since are of no more use.
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    session.flush()


def reader_of(session: Session, site_id: int, reader_id: int) -> Reader:
    reader = session.get(Reader, reader_id)
    if reader is None or reader.site_id != site_id:
        raise NotFound("There is no such reader.")
    return reader
