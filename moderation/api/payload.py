"""Reading what a client sent: the JSON body, bearer tokens, conditional headers, its address."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..identity import ip_hash
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
