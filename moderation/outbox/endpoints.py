"""A site's endpoints: signed webhooks and Slack channels, added, listed, rotated, removed.

The CLI (``moderation webhook ...``) and the dashboard's site page call these; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models import Endpoint, EndpointKind, utcnow
from . import signing, targets
from .events import PUBLIC_TYPES

#: What a Slack channel can be sent: new comments waiting for a moderator, readers' reports,
#: and every comment of the newsroom's staff.
SLACK_TOPICS = ("pending", "reported", "staff")
#: How long a rotated-out webhook secret keeps signing beside the new one.
ROTATION_GRACE = timedelta(hours=24)
MAX_ENDPOINTS = 20


def check_events(kind: EndpointKind, events: Sequence[str]) -> list[str]:
    """The event filter, checked: event types for a webhook, topics for Slack."""
    known = PUBLIC_TYPES if kind is EndpointKind.WEBHOOK else SLACK_TOPICS
    unknown = [e for e in events if e not in known]
    if unknown:
        raise ValidationError(
            "events",
            f"Unknown {'event' if kind is EndpointKind.WEBHOOK else 'topic'}: "
            f"{', '.join(unknown)}. Choose from {', '.join(known)}.",
        )
    return list(dict.fromkeys(events))


def add_endpoint(
    session: Session,
    site_id: int,
    url: str,
    *,
    kind: EndpointKind = EndpointKind.WEBHOOK,
    events: Sequence[str] = (),
    description: str = "",
    allow_private: bool = False,
) -> Endpoint:
    """A new endpoint of the site. A webhook gets a new secret (``endpoint.secret``, shown to
    the admin once). The URL is checked now, so a mistake shows when it is made, and again at
    each delivery, since what a name resolves to can change."""
    url = url.strip()
    if len(url) > 2048:
        raise ValidationError("url", "The URL is too long (2,048 characters at most).")
    try:
        targets.check(url, allow_private)
    except targets.RefusedTarget as exc:
        raise ValidationError("url", str(exc)) from None
    if kind is EndpointKind.SLACK and not url.startswith("https://"):
        raise ValidationError("url", "A Slack incoming webhook's URL starts with https://.")
    count = len(list_endpoints(session, site_id))
    if count >= MAX_ENDPOINTS:
        raise ValidationError("url", f"A site has at most {MAX_ENDPOINTS} endpoints.")
    endpoint = Endpoint(
        site_id=site_id,
        kind=kind,
        url=url,
        events=check_events(kind, events),
        secret=signing.new_secret() if kind is EndpointKind.WEBHOOK else None,
        description=description.strip()[:200],
        created_at=utcnow(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def list_endpoints(session: Session, site_id: int) -> list[Endpoint]:
    """The site's endpoints, oldest first."""
    return list(
        session.scalars(select(Endpoint).where(Endpoint.site_id == site_id).order_by(Endpoint.id))
    )


def get_endpoint(session: Session, site_id: int, endpoint_id: int) -> Endpoint:
    """One endpoint of the site; another site's is not found."""
    endpoint = session.get(Endpoint, endpoint_id)
    if endpoint is None or endpoint.site_id != site_id:
        raise NotFound("There is no such endpoint.")
    return endpoint


def remove_endpoint(session: Session, site_id: int, endpoint_id: int) -> None:
    """Remove an endpoint, and its deliveries with it."""
    session.delete(get_endpoint(session, site_id, endpoint_id))
    session.flush()


def rotate_secret(
    session: Session, site_id: int, endpoint_id: int, now: datetime | None = None
) -> Endpoint:
    """A new secret for a webhook; the old one signs beside it for ``ROTATION_GRACE``."""
    endpoint = get_endpoint(session, site_id, endpoint_id)
    if endpoint.kind is not EndpointKind.WEBHOOK:
        raise ValidationError("endpoint", "Only a webhook has a secret.")
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_until = (now or utcnow()) + ROTATION_GRACE
    endpoint.secret = signing.new_secret()
    session.flush()
    return endpoint


def signing_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one while its
    grace lasts."""
    secrets_ = [endpoint.secret] if endpoint.secret else []
    if endpoint.previous_secret and endpoint.previous_until and endpoint.previous_until > now:
        secrets_.append(endpoint.previous_secret)
    return secrets_


def wants(endpoint: Endpoint, topic: str) -> bool:
    """Whether the endpoint's filter lets this event type (or Slack topic) through."""
    return not endpoint.events or topic in endpoint.events
