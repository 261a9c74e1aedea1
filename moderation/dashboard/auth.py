"""Who is signed in, what they may see, and how many guesses a password gets.

Login throttle, built so that an attacker cannot turn it against a moderator. Failed logins
leave rows in ``login_failures``, keyed by keyed hashes (the table holds neither the emails
people type nor their addresses), in the database so every service process counts the same:

- per account *and* address: five failures within fifteen minutes lock that pair; the password
  is not even checked until the oldest ages out. The moderator, at another address, is not
  locked out by someone guessing from elsewhere.
- per address, whatever the account: twenty failures lock the address (one attacker trying
  many accounts).
- per account, from every address: past ten failures the account is *slowed*, not locked: from
  a device that has never signed in to it, one try is allowed after a pause that doubles with
  each failure (up to a minute). A device that signed in to the account before (it keeps a
  signed cookie of that) is not slowed, so the right password from a known device still works
  while strangers guess.

A successful login clears the pair's and the account's failures.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import abort, current_app, g, session
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..identity import check_password, hash_password, ip_hash, keyed_hash
from ..models import LoginFailure, Moderator, Site, utcnow

PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
ACCOUNT_SLOWDOWN = 10
MAX_PAUSE = timedelta(minutes=1)
THROTTLE_WINDOW = timedelta(minutes=15)

_MODERATOR_KEY = "moderator_id"
_MARKER_KEY = "auth"
DEVICE_COOKIE = "moderation_device"


class LoginFailed(Exception):
    """Wrong email or password (the message never says which)."""


class LoginThrottled(Exception):
    """Too many failed attempts recently; ``retry_after`` seconds until the next try."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"locked for {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Counters:
    """The keys one login attempt counts against."""

    account: str
    pair: str
    address: str | None


def counters(secret_key: str, email: str, ip: str | None) -> Counters:
    account = keyed_hash(secret_key, "login", email.strip().casefold())
    address = ip_hash(secret_key, ip)
    pair = keyed_hash(secret_key, "login-pair", f"{account}\x00{address or ''}")
    return Counters(
        account="account:" + account[:64],
        pair="pair:" + pair[:64],
        address="ip:" + address[:64] if address else None,
    )


def _failures(session_: Session, key: str, since: datetime) -> list[datetime]:
    """The failures counted against ``key`` since ``since``, newest first."""
    return list(
        session_.scalars(
            select(LoginFailure.created_at)
            .where(LoginFailure.key == key, LoginFailure.created_at > since)
            .order_by(LoginFailure.created_at.desc())
            .limit(64)
        )
    )


def _locked(failures: list[datetime], limit: int, now: datetime) -> int:
    """Seconds until the limit-th newest failure ages out of the window (0: not locked)."""
    if len(failures) < limit:
        return 0
    return int((failures[limit - 1] + THROTTLE_WINDOW - now).total_seconds()) + 1


def _pause(failures: list[datetime], now: datetime) -> int:
    """Seconds a device new to a slowed account still waits (0: it may try)."""
    if len(failures) < ACCOUNT_SLOWDOWN:
        return 0
    doubled = timedelta(seconds=2 ** min(len(failures) - ACCOUNT_SLOWDOWN, 6))
    wait = min(doubled, MAX_PAUSE) - (now - failures[0])
    return max(0, int(wait.total_seconds()) + 1) if wait > timedelta(0) else 0


def wait_for(session_: Session, keys: Counters, now: datetime, known_device: bool = False) -> int:
    """Seconds until another attempt is allowed (0: allowed now)."""
    since = now - THROTTLE_WINDOW
    wait = _locked(_failures(session_, keys.pair, since), PAIR_LIMIT, now)
    if keys.address:
        wait = max(wait, _locked(_failures(session_, keys.address, since), ADDRESS_LIMIT, now))
    if not known_device:
        wait = max(wait, _pause(_failures(session_, keys.account, since), now))
    return wait


def record_failure(session_: Session, keys: Counters, now: datetime) -> None:
    """Count one failed attempt against each key, forgetting failures older than the window."""
    session_.execute(
        delete(LoginFailure)
        .where(LoginFailure.created_at < now - THROTTLE_WINDOW)
        .execution_options(synchronize_session=False)
    )
    for key in (keys.account, keys.pair, keys.address):
        if key:
            session_.add(LoginFailure(key=key, created_at=now))
    session_.flush()


def clear_failures(session_: Session, keys: Counters) -> None:
    session_.execute(
        delete(LoginFailure)
        .where(LoginFailure.key.in_([keys.account, keys.pair]))
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _decoy_hash() -> str:
    # Checked when no account has the email typed, so a failed login takes as long either way and
    # does not tell which emails have accounts.
    return hash_password("no account has this password")


def _devices(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="known-device")


def device_token(moderator: Moderator) -> str:
    """The cookie a device keeps once it signed in to ``moderator``'s account."""
    return _devices(current_app.config["SECRET_KEY"]).dumps({"m": moderator.id})


def known_device_of(cookie: str | None, secret_key: str) -> int | None:
    """The moderator a device signed in as before, from its cookie (None: a stranger)."""
    if not cookie:
        return None
    try:
        data = _devices(secret_key).loads(cookie)
    except BadSignature:
        return None
    moderator = data.get("m") if isinstance(data, dict) else None
    return moderator if isinstance(moderator, int) else None


def authenticate(
    session_: Session,
    *,
    email: str,
    password: str,
    secret_key: str,
    ip: str | None,
    device: str | None = None,
    now: datetime | None = None,
) -> Moderator:
    """The moderator with this email and password, counting failures against the throttle.

    Raises :class:`LoginThrottled` before checking anything while the attempt may not be made,
    and :class:`LoginFailed` for a wrong email or password. ``device`` is the cookie of a device
    that signed in before. The caller commits either way, so that failures are counted.
    """
    now = now or utcnow()
    email = email.strip().lower()
    keys = counters(secret_key, email, ip)
    moderator = session_.scalar(select(Moderator).where(Moderator.email == email))
    known = moderator is not None and known_device_of(device, secret_key) == moderator.id
    wait = wait_for(session_, keys, now, known_device=known)
    if wait:
        raise LoginThrottled(wait)
    stored = moderator.password_hash if moderator is not None else _decoy_hash()
    if not password or not check_password(stored, password) or moderator is None:
        record_failure(session_, keys, now)
        raise LoginFailed("Wrong email or password.")
    clear_failures(session_, keys)
    return moderator


def verify_password(
    session_: Session, moderator: Moderator, password: str, secret_key: str, ip: str | None
) -> bool:
    """Check a signed-in moderator's current password (to change it), under the same throttle,
    as their own known device."""
    try:
        authenticate(
            session_,
            email=moderator.email,
            password=password,
            secret_key=secret_key,
            ip=ip,
            device=_devices(secret_key).dumps({"m": moderator.id}),
        )
    except LoginFailed:
        return False
    return True


# --- The signed-in moderator ------------------------------------------------------------------


def session_marker(moderator: Moderator) -> str:
    """A keyed digest of the password hash, kept in the session: changing the password changes
    it, and so ends every other session of the account."""
    secret = current_app.config["SECRET_KEY"]
    return keyed_hash(secret, "session", moderator.password_hash)[:32]


def sign_in(moderator: Moderator) -> None:
    """Start a fresh session (a new CSRF token with it) for the moderator."""
    session.clear()
    session.permanent = True
    session[_MODERATOR_KEY] = moderator.id
    session[_MARKER_KEY] = session_marker(moderator)


def refresh_marker(moderator: Moderator) -> None:
    """Keep this session valid after the moderator changed their own password."""
    session[_MARKER_KEY] = session_marker(moderator)


def sign_out() -> None:
    session.clear()


def load_moderator(session_: Session) -> Moderator | None:
    """The moderator of this session, or None (and a cleared session) if it is not valid."""
    moderator_id = session.get(_MODERATOR_KEY)
    if not isinstance(moderator_id, int):
        return None
    moderator = session_.get(Moderator, moderator_id)
    marker = session.get(_MARKER_KEY)
    if (
        moderator is None
        or not isinstance(marker, str)
        or not hmac.compare_digest(marker, session_marker(moderator))
    ):
        session.clear()
        return None
    return moderator


def allowed_site_ids(session_: Session, moderator: Moderator) -> list[int]:
    """The sites a moderator works on: their own, or every site for an admin."""
    if moderator.is_admin:
        return list(session_.scalars(select(Site.id).order_by(Site.id)))
    return sorted(site.id for site in moderator.sites)


def current_moderator() -> Moderator:
    """The signed-in moderator (the blueprint's ``before_request`` guarantees one)."""
    moderator: Moderator = g.moderator
    return moderator


View = TypeVar("View", bound=Callable[..., Any])


def admin_required(view: View) -> View:
    """Sites, people and tokens are for admins only."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_moderator().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
