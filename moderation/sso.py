"""Readers' tokens from the publisher's own login: HS256 JWTs, verified with PyJWT.

The publisher's server signs a token with the site's SSO secret and its page hands it to the
widget, which sends it as ``X-Reader-Token``. Only HS256 is accepted (``alg: none`` and every
other algorithm are refused, whatever the header says); ``exp`` is honoured with a small clock
skew; a secret rotated out keeps verifying until its grace period ends. The claims are checked
like any input: they are written into threads, so a name is a name and a badge a short word.
Pure: no database (revocation of ``jti`` is ``comments.readers``' job).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from .errors import InvalidReaderToken
from .models import Role

ALGORITHM = "HS256"
#: Seconds a token's ``exp`` or ``iat`` may be off, for clocks a little apart.
CLOCK_SKEW = 60
MAX_TOKEN_CHARS = 8192
MAX_BADGES = 8
MAX_BADGE_CHARS = 32
# Any characters but control ones: a badge is a label, shown as text wherever it goes.
_BADGE = re.compile(r"[^\x00-\x1f\x7f]{1,32}")
_EMAIL = re.compile(r"[^@\s<>\"]{1,64}@[^@\s<>\"]{1,189}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def new_secret() -> str:
    """A fresh SSO secret: 256 random bits, URL-safe, easy to paste into a config."""
    return "sso_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Claims:
    """What a verified token says about its reader."""

    subject: str
    name: str | None
    email: str | None
    badges: tuple[str, ...]
    role: Role
    jti: str | None
    expires_at: int | None


def verify(token: str, secrets_in_force: Sequence[str], now: datetime) -> Claims:
    """The claims of ``token`` if one of the secrets signed it; refused with a reason otherwise.

    ``secrets_in_force``: the site's secret, then the one it replaced while in its grace period.
    """
    if not secrets_in_force:
        raise InvalidReaderToken("This site does not accept signed-in readers.")
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidReaderToken("The reader token is too long.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise InvalidReaderToken("The reader token is not a JWT.") from None
    if header.get("alg") != ALGORITHM:
        raise InvalidReaderToken(f"Reader tokens are signed {ALGORITHM}.")
    payload: dict[str, Any] | None = None
    for secret in secrets_in_force:
        try:
            payload = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                leeway=CLOCK_SKEW,
                options={"require": ["sub"], "verify_aud": False},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise InvalidReaderToken("The reader token has expired; sign in again.") from None
        except jwt.InvalidTokenError as exc:
            raise InvalidReaderToken(f"The reader token is not valid: {exc}.") from None
    if payload is None:
        raise InvalidReaderToken("The reader token is not signed with this site's secret.")
    iat = payload.get("iat")
    if isinstance(iat, int | float) and iat > now.timestamp() + CLOCK_SKEW:
        raise InvalidReaderToken("The reader token was issued in the future.")
    return _claims(payload)


def _claims(payload: dict[str, Any]) -> Claims:
    subject = payload["sub"]
    if not isinstance(subject, str) or not 1 <= len(subject) <= 255 or _CONTROL.search(subject):
        raise InvalidReaderToken("The reader token's sub must be a string of 1 to 255 characters.")
    name = payload.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise InvalidReaderToken("The reader token's name must be a string.")
        name = " ".join(_CONTROL.sub(" ", name).split())[:100] or None
    email = payload.get("email")
    if email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
        raise InvalidReaderToken("The reader token's email is not an email address.")
    badges = payload.get("badges", [])
    if not isinstance(badges, list) or len(badges) > MAX_BADGES:
        raise InvalidReaderToken(
            f"The reader token's badges must be a list of at most {MAX_BADGES}."
        )
    for badge in badges:
        if not isinstance(badge, str) or not _BADGE.fullmatch(badge):
            raise InvalidReaderToken(
                f"Each badge must be a word or two of at most {MAX_BADGE_CHARS} characters."
            )
    role = payload.get("role", Role.COMMENTER.value)
    if role not in {r.value for r in Role}:
        raise InvalidReaderToken("The reader token's role must be commenter or staff.")
    jti = payload.get("jti")
    if jti is not None and (not isinstance(jti, str) or not 1 <= len(jti) <= 255):
        raise InvalidReaderToken("The reader token's jti must be a string.")
    exp = payload.get("exp")
    return Claims(
        subject=subject,
        name=name,
        email=email,
        badges=tuple(dict.fromkeys(b.strip() for b in badges if b.strip())),
        role=Role(role),
        jti=jti,
        expires_at=int(exp) if isinstance(exp, int | float) else None,
    )
