"""Who is signed in, what they may see, and how many guesses a password gets.

Login throttle: every failed login leaves two rows in ``login_failures``, one keyed by the email
that was typed and one by the client's address, both as keyed hashes (the table holds neither).
Rows live in the database, so every service process counts the same failures. Five failures on an
account, or twenty from one address, within fifteen minutes lock further attempts until the
oldest of them ages out; while locked, the password is not even checked, so guessing stops
cold. A successful login clears the account's count.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import abort, current_app, g, session
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..identity import check_password, hash_password, ip_hash, keyed_hash
from ..models import LoginFailure, Moderator, Site, utcnow

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
THROTTLE_WINDOW = timedelta(minutes=15)

_MODERATOR_KEY = "moderator_id"
_MARKER_KEY = "auth"


class LoginFailed(Exception):
    """Wrong email or password (the message never says which)."""


class LoginThrottled(Exception):
    """Too many failed attempts recently; ``retry_after`` seconds until the next try."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"locked for {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottleKey:
    key: str
    limit: int


def throttle_keys(secret_key: str, email: str, ip: str | None) -> list[ThrottleKey]:
    """The counters one login attempt counts against: the account, and the client address."""
    account = keyed_hash(secret_key, "login", email.strip().casefold())
    keys = [ThrottleKey("account:" + account, ACCOUNT_LIMIT)]
    address = ip_hash(secret_key, ip)
    if address:
        keys.append(ThrottleKey("ip:" + address, ADDRESS_LIMIT))
    return keys


def locked_for(session_: Session, keys: list[ThrottleKey], now: datetime) -> int:
    """Seconds until another attempt is allowed (0: allowed now)."""
    since = now - THROTTLE_WINDOW
    wait = 0
    for counter in keys:
        # The limit-th most recent failure: once it ages out of the window, the count drops below
        # the limit again.
        edge = session_.scalar(
            select(LoginFailure.created_at)
            .where(LoginFailure.key == counter.key, LoginFailure.created_at > since)
            .order_by(LoginFailure.created_at.desc())
            .offset(counter.limit - 1)
            .limit(1)
        )
        if edge is not None:
            wait = max(wait, int((edge + THROTTLE_WINDOW - now).total_seconds()) + 1)
    return wait


def record_failure(session_: Session, keys: list[ThrottleKey], now: datetime) -> None:
    """Count one failed attempt against each key, forgetting failures older than the window."""
    session_.execute(
        delete(LoginFailure)
        .where(LoginFailure.created_at < now - THROTTLE_WINDOW)
        .execution_options(synchronize_session=False)
    )
    session_.add_all(LoginFailure(key=counter.key, created_at=now) for counter in keys)
    session_.flush()


def clear_failures(session_: Session, key: ThrottleKey) -> None:
    session_.execute(
        delete(LoginFailure)
        .where(LoginFailure.key == key.key)
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _decoy_hash() -> str:
    # Checked when no account has the email typed, so a failed login takes as long either way and
    # does not tell which emails have accounts.
    return hash_password("no account has this password")


def authenticate(
    session_: Session,
    *,
    email: str,
    password: str,
    secret_key: str,
    ip: str | None,
    now: datetime | None = None,
) -> Moderator:
    """The moderator with this email and password, counting failures against the throttle.

    Raises :class:`LoginThrottled` before checking anything while the account or address is
    locked, and :class:`LoginFailed` for a wrong email or password. The caller commits either
    way, so that failures are counted.
    """
    now = now or utcnow()
    email = email.strip().lower()
    keys = throttle_keys(secret_key, email, ip)
    wait = locked_for(session_, keys, now)
    if wait:
        raise LoginThrottled(wait)
    moderator = session_.scalar(select(Moderator).where(Moderator.email == email))
    stored = moderator.password_hash if moderator is not None else _decoy_hash()
    if not password or not check_password(stored, password) or moderator is None:
        record_failure(session_, keys, now)
        raise LoginFailed("Wrong email or password.")
    clear_failures(session_, keys[0])
    return moderator


def verify_password(
    session_: Session, moderator: Moderator, password: str, secret_key: str, ip: str | None
) -> bool:
    """Check a signed-in moderator's current password (to change it), under the same throttle."""
    try:
        authenticate(
            session_, email=moderator.email, password=password, secret_key=secret_key, ip=ip
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
