"""Sending one event to one webhook endpoint, as the Standard Webhooks specification has it:
``{"type", "timestamp", "data"}`` signed in the ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` headers."""

from __future__ import annotations

import json
import time
from typing import Any

from ..config import Settings
from . import signing, targets
from .jobs import Job, Outcome

USER_AGENT = "moderation-webhooks/1"


def payload(job: Job) -> bytes:
    """The body receivers get; ``data`` names the site by its slug."""
    body: dict[str, Any] = {
        "type": job.event_type,
        "timestamp": job.event_at.isoformat().replace("+00:00", "Z"),
        "data": {"site": job.site_slug, **job.data},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def headers(job: Job, body: bytes, now: float | None = None) -> dict[str, str]:
    """The signed headers of one try: the timestamp is the try's own (receivers refuse old ones
    to stop replays), the id the event's (the same on every try, to drop repeats)."""
    timestamp = int(now if now is not None else time.time())
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": job.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature(job.secrets, job.message_id, timestamp, body),
    }


def send(job: Job, settings: Settings) -> Outcome:
    """One try; any 2xx answer is success, anything else is tried again later."""
    assert job.url is not None
    body = payload(job)
    return post(job.url, body, headers(job, body), settings)


def post(url: str, body: bytes, headers_: dict[str, str], settings: Settings) -> Outcome:
    """POST to an endpoint and say how it went (shared with Slack)."""
    try:
        answer = targets.post(
            url,
            body,
            headers_,
            timeout=settings.webhook_timeout_seconds,
            allow_private=settings.webhook_allow_private,
        )
    except targets.RefusedTarget as exc:
        return Outcome(ok=False, error=str(exc))
    except OSError as exc:
        return Outcome(ok=False, error=_in_words(exc))
    if 200 <= answer.status < 300:
        return Outcome(ok=True, status=answer.status, response=answer.text)
    error = f"answered {answer.status}"
    if 300 <= answer.status < 400:
        error += " (a redirect: deliveries never follow them)"
    return Outcome(ok=False, status=answer.status, error=error, response=answer.text)


def _in_words(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return str(exc) or "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return f"{type(exc).__name__}: {exc}"[:500]
