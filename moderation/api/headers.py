"""Response headers of the widget API, built in one place for the Flask views and for the fast
path of the hot reads (:mod:`moderation.fastpath`), so both answer header for header alike."""

from __future__ import annotations

from ..urls import origin_of

EXPOSED_HEADERS = "ETag, Location, Retry-After, X-Form-Token, Idempotent-Replayed"
PREFLIGHT_HEADERS = [
    ("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE"),
    (
        "Access-Control-Allow-Headers",
        "Content-Type, X-Edit-Token, If-None-Match, Idempotency-Key, X-Reader-Token, X-Guest-Key",
    ),
    ("Access-Control-Max-Age", "600"),
]


def cors_headers(origin: str, origins: list[str], preflight: bool) -> list[tuple[str, str]]:
    """CORS for a request from ``origin`` to a site that allows ``origins``: none if not one."""
    if origin_of(origin) not in origins:
        return []
    headers = [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
    ]
    return headers + PREFLIGHT_HEADERS if preflight else headers


def tag_list(header: str) -> list[str]:
    """The entity tags of an ``If-None-Match`` header, weak ones compared as strong."""
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        if part:
            tags.append(part)
    return tags


def json_headers(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]


def counts_headers(max_age: int) -> list[tuple[str, str]]:
    return [("Cache-Control", f"public, max-age={max_age}")]


def _thread_cache_control(max_age: int) -> tuple[str, str]:
    # Shared caches may hold a thread briefly and must then revalidate (cheap: a 304).
    return ("Cache-Control", f"public, max-age={max_age}, stale-while-revalidate={max_age * 3}")


def thread_headers(etag: str, form_token: str, max_age: int) -> list[tuple[str, str]]:
    """A thread's validator, the widget's form token and how long caches may keep it."""
    return [
        ("ETag", etag),
        # The widget returns this with a comment; see rules.form_timing.
        ("X-Form-Token", form_token),
        _thread_cache_control(max_age),
    ]


def published_headers(etag: str, max_age: int) -> list[tuple[str, str]]:
    """A published thread's (HTML fragment, feed) validator and how long caches may keep it:
    as a thread's, without the form token (a page or a feed reader that includes it posts
    nothing)."""
    return [("ETag", etag), _thread_cache_control(max_age)]
