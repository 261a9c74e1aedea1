"""The sources' timestamps, read into aware UTC datetimes (what every record carries)."""

from __future__ import annotations

from datetime import UTC, datetime

from moderation.importers.records import ImportFileError


def parse_iso(value: str, what: str, line: int | None) -> datetime:
    """An ISO 8601 / RFC 3339 timestamp (``2011-07-19T20:53:33Z``) in UTC; one without an
    offset is taken as UTC, which is what Disqus and Remark42 write."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ImportFileError(f"{what}: {value!r} is not a date", line) from None
    return as_utc(moment)


def parse_wordpress(value: str) -> datetime | None:
    """A WordPress ``*_gmt`` field (``2014-02-07 09:13:44``, UTC); ``0000-00-00 00:00:00``,
    WordPress's "never" (drafts and some imported rows), is None."""
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC)


def from_epoch(seconds: float) -> datetime:
    """Seconds since the epoch (Isso's ``created`` and ``modified``) in UTC."""
    return datetime.fromtimestamp(seconds, UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` made aware and moved to UTC (naive means UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
