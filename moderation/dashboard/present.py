"""How values look on a dashboard page: times and durations."""

from __future__ import annotations

from datetime import UTC, datetime

from ..models import utcnow


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
