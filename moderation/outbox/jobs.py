"""A delivery as the worker sends it: everything the send needs, read while it was leased, so
that sending runs outside any transaction (a slow receiver holds no lock and no connection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import Channel


@dataclass(frozen=True)
class Job:
    delivery_id: int
    attempt: int
    channel: Channel
    event_type: str
    message_id: str
    event_at: datetime
    data: dict[str, Any]
    site_id: int
    site_slug: str
    site_name: str
    url: str | None = None
    secrets: list[str] = field(default_factory=list)
    recipient: str | None = None
    mail: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one try gave: sent, or why not, and whether trying again can help."""

    ok: bool
    status: int | None = None
    error: str | None = None
    response: str | None = None
    permanent: bool = False
