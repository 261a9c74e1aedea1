"""The addresses the service meets: origins of pages, article URLs, links safe to follow."""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports dropped; ``""`` for text
    that is not an absolute URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if not parts.scheme or not host:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = f"[{host}]" if ":" in host else host
    if port and port != default:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme.lower()}://{netloc}"


def normalise_origin(value: str) -> str:
    """Check and normalise an allowed origin as an operator gives it (``https://news.example``)."""
    value = value.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(f"{value!r} is not an origin like https://news.example") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"{value!r} is not an origin like https://news.example")
    return origin_of(value)


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def link_target(url: str | None) -> str | None:
    """The URL if it is an http(s) address a link may point to, else None (shown as text).

    Article URLs are checked against the site's origins when they are written; this is the
    second check, at the point where a ``javascript:`` URL would do harm.
    """
    url = (url or "").strip()
    return url if is_http_url(url) else None
