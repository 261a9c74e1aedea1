"""Reading what a client sent: the JSON body, bearer tokens, conditional headers, its address."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from ..identity import ip_hash
from ..screening import Client
from .errors import ApiError

FORM_TOKEN_MAX_AGE = 24 * 3600


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a clear 4xx: wrong content type, bad JSON, not an object."""
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."
        )
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "validation_error", "The body is not valid JSON.", field="body")
    if not isinstance(data, dict):
        raise ApiError(400, "validation_error", "The body must be a JSON object.", field="body")
    return data


def if_none_match() -> list[str]:
    header = request.headers.get("If-None-Match", "")
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        if part:
            tags.append(part)
    return tags


def client_ip_hash() -> str | None:
    """The keyed hash of the client's address (behind ``proxy_count`` trusted proxies)."""
    return ip_hash(current_app.config["SECRET_KEY"], request.remote_addr)


def _form_signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="comment-form")


def issue_form_token(site_slug: str) -> str:
    """A signed timestamp the widget sends back with a comment: proof that a page was loaded, and
    when."""
    return _form_signer().sign(site_slug).decode()


def check_form_token(token: object, site_slug: str) -> str | None:
    """None for a token that shows a person's pace; otherwise what is wrong with it."""
    if not isinstance(token, str) or not token:
        return "no form token"
    try:
        value, signed_at = _form_signer().unsign(
            token, max_age=FORM_TOKEN_MAX_AGE, return_timestamp=True
        )
    except SignatureExpired:
        return "form token expired"
    except BadSignature:
        return "invalid form token"
    if value.decode() != site_slug:
        return "form token of another site"
    age = (datetime.now(UTC) - signed_at).total_seconds()
    minimum = current_app.config["SETTINGS"].min_form_seconds
    if age < minimum:
        return f"too fast: posted {age:.1f} s after the form loaded"
    return None


def client_from_request(data: dict[str, Any] | None = None, site_slug: str | None = None) -> Client:
    """Who is submitting, as the request tells: hashed address, origin, and the widget's
    bot checks (a hidden ``website`` field, the signed form token) when ``data`` is given."""
    form_check = None
    honeypot = False
    if data is not None and site_slug is not None:
        form_check = check_form_token(data.get("form_token"), site_slug)
        honeypot = bool(data.get("website"))
    return Client(
        ip_hash=client_ip_hash(),
        origin=request.headers.get("Origin"),
        form_check=form_check,
        honeypot_filled=honeypot,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
