"""How values look on a dashboard page: times, durations and who did something."""

from __future__ import annotations

from datetime import UTC, datetime

from ..models import utcnow


def when(value: datetime | None) -> str:
    """A moment in UTC, to the minute: what newsrooms in several time zones can share."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# English whatever the server's locale, like the rest of the dashboard.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_when(value: datetime | None, now: datetime | None = None) -> str:
    """A moment in UTC, short enough for one line of a table: "2 Dec 16:50", with the year
    ("2 Dec 2025 16:50") when it is not this year's."""
    if value is None:
        return ""
    moment = value.astimezone(UTC)
    year = "" if moment.year == (now or utcnow()).astimezone(UTC).year else f" {moment.year}"
    return f"{moment.day} {_MONTHS[moment.month - 1]}{year} {moment:%H:%M}"


def who(actor: str) -> str:
    """A log entry's actor in words: "mod@newsroom.example", "API token ci", "rule premod"."""
    kind, _, name = actor.partition(":")
    if not name:
        return actor
    if kind == "moderator":
        return name
    if kind == "token":
        return f"API token {name}"
    if kind == "system":
        return f"rule {name}"
    return actor


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
