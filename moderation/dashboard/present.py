"""How values look on a dashboard page: times, durations, links that are safe to follow."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..models import utcnow


def http_url(url: str | None) -> str | None:
    """The URL if it is an http(s) address a link may point to, else None (shown as text).

    Article URLs are checked against the site's origins when they are written; this is the
    second check, at the point where a ``javascript:`` URL would do harm.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def when(value: datetime | None) -> str:
    """A moment in UTC, to the minute: what newsrooms in several time zones can share."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: float | None) -> str:
    """A length of time in the two largest units: "3 d 4 h", "12 min 5 s"."""
    if seconds is None:
        return "n/a"
    total = max(int(seconds), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    shown = [f"{n} {unit}" for n, unit in parts if n]
    return " ".join(shown[:2]) if shown else "0 s"


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago: "5 min 2 s ago"."""
    if value is None:
        return ""
    return duration(((now or utcnow()) - value).total_seconds()) + " ago"
