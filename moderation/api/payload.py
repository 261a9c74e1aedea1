"""Reading what a client sent: the JSON body, bearer tokens, conditional headers, its address."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..form_tokens import FormTokens
from ..identity import ip_hash
from ..screening import Client
from .errors import ApiError


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
    return parse_if_none_match(request.headers.get("If-None-Match", ""))


def parse_if_none_match(header: str) -> list[str]:
    """The entity tags of an ``If-None-Match`` header, weak ones compared as strong."""
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


def form_tokens() -> FormTokens:
    return current_app.extensions["form_tokens"]


def check_form_token(token: object, site_slug: str) -> str | None:
    """None for a token that shows a person's pace; otherwise what is wrong with it."""
    minimum = current_app.config["SETTINGS"].min_form_seconds
    return form_tokens().check(token, site_slug, minimum)


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
