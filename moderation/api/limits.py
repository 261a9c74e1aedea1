"""Rate limits of the widget API (Flask-Limiter), keyed by hashes, never by addresses or names."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter

from ..errors import ApiError
from ..identity import keyed_hash
from ..schemas.requests import submit_comment
from .payload import client_ip_hash, json_body

# Per client address. A reader writes a comment in minutes, not seconds: five a minute leaves room
# for quick replies in a live discussion, thirty an hour stops a flood from one address while a
# newsroom's shared office connection still fits several active commenters.
SUBMIT_LIMIT = "5/minute;30/hour"
AUTHOR_SUBMIT_LIMIT = "5/minute;30/hour"
REPORT_LIMIT = "10/minute;60/hour"
EDIT_LIMIT = "20/minute"


def _address_key() -> str:
    # Counters are keyed by the keyed hash of the address, so not even the rate-limit store
    # (possibly a shared Redis) holds readers' IP addresses in clear.
    return client_ip_hash() or "unknown"


def author_limit_key() -> str:
    """Per author as well as per address: one person behind many addresses is still one.

    The body is parsed as the view parses it (once: ``json_body`` keeps it for the view); a body
    that does not parse counts against "unknown", and the view refuses it.
    """
    try:
        submission = json_body(submit_comment(current_app.config["SETTINGS"].max_comment_chars))
    except ApiError:
        return "author:unknown"
    email = getattr(submission, "author_email", None)
    identity = email or getattr(submission, "author_name", "")
    if not identity:
        return "author:unknown"
    # Hashed, like addresses: the limit store holds no one's name or email.
    secret = current_app.config["SECRET_KEY"]
    return "author:" + keyed_hash(secret, "limit", identity.strip().casefold())[:32]


limiter = Limiter(key_func=_address_key, headers_enabled=True, default_limits=[])
