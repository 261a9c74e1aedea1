"""Secrets and keyed hashes: edit tokens, API tokens, IP addresses and author identities.

Nothing here is stored in clear: IP addresses and author identities are kept as HMACs under the
service's secret key (so bans and rate limits work without the address itself), tokens as SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def keyed_hash(secret_key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``; ``purpose`` keeps hashes of one kind apart from another's."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def ip_hash(secret_key: str, ip: str | None) -> str | None:
    return keyed_hash(secret_key, "ip", ip) if ip else None


#: A guest's browser key: random, made by the widget and kept in the browser (``X-Guest-Key``).
GUEST_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")


def _who(subject: str | None, guest_key: str | None, moderator_id: int | None = None) -> str:
    if moderator_id is not None:
        return f"moderator:{moderator_id}"
    if subject is not None:
        return f"reader:{subject}"
    if guest_key is not None:
        return f"guest:{guest_key}"
    # No one the site can recognise again: an author known by this one comment.
    return f"once:{secrets.token_hex(16)}"


def author_key(
    secret_key: str,
    site_id: int,
    *,
    subject: str | None = None,
    guest_key: str | None = None,
    moderator_id: int | None = None,
) -> str:
    """Who wrote a comment, by something they cannot borrow: the signed-in reader's ``sub``, the
    guest's browser key, or the moderator answering from the dashboard. Never a typed email or
    name: trust (a trusted author's comments are approved at once) follows this key, and anyone
    can type anyone's email."""
    return keyed_hash(secret_key, f"author:{site_id}", _who(subject, guest_key, moderator_id))


def reactor_key(
    secret_key: str, site_id: int, *, subject: str | None = None, guest_key: str | None = None
) -> str:
    """Who reacted to a comment (one reaction each), under a purpose of its own."""
    return keyed_hash(secret_key, f"reactor:{site_id}", _who(subject, guest_key))


def email_hash(secret_key: str, site_id: int, email: str) -> str:
    """An email address as bans keep it: a keyed hash, per site, case-insensitive."""
    return keyed_hash(secret_key, f"email:{site_id}", email.casefold())


def new_token() -> str:
    """A random token to hand out once (edit tokens, API tokens)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    return token is not None and hmac.compare_digest(token_hash(token), stored_hash)


def hash_password(password: str) -> str:
    """A salted scrypt hash (Werkzeug's format, so parameters can be raised later)."""
    return generate_password_hash(password, method="scrypt")


def check_password(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)
