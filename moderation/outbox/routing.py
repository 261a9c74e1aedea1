"""From events to deliveries: which endpoints, channels and addresses each event goes to.

Done by the worker, not in the request that wrote the event: a submission pays for one row
whatever the site has configured, and endpoints added later do not see older events. Each event
is routed once: it is locked (``SKIP LOCKED`` on PostgreSQL, so workers share the work) and
marked routed in the transaction that writes its deliveries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from ..models import (
    PUBLIC_STATUSES,
    Channel,
    Comment,
    Delivery,
    DeliveryStatus,
    Endpoint,
    EndpointKind,
    Event,
    MailSubscription,
    Moderator,
    moderator_sites,
    utcnow,
)
from . import events as ev
from .endpoints import wants

#: Decisions the author is mailed about. A spam verdict is not: telling a spammer which
#: messages were caught helps only them (the DSA exempts such content from statements too).
_AUTHOR_NOTICES = {"approve": "approved", "restore": "approved", "reject": "decision"}


@dataclass(frozen=True)
class Planned:
    channel: Channel
    endpoint_id: int | None = None
    recipient: str | None = None
    mail: str | None = None


def route_events(session: Session, limit: int = 200, mail: bool = True) -> int:
    """Route up to ``limit`` events not yet routed, oldest first; the caller commits. Without
    ``mail`` (no SMTP server configured) events go to endpoints only."""
    batch = list(
        session.scalars(
            select(Event)
            .where(Event.routed.is_(False))
            .order_by(Event.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not batch:
        return 0
    endpoints = _endpoints_of(session, {e.site_id for e in batch})
    now = utcnow()
    rows = [
        {
            "event_id": event.id,
            "site_id": event.site_id,
            "channel": plan.channel,
            "endpoint_id": plan.endpoint_id,
            "recipient": plan.recipient,
            "mail": plan.mail,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for event in batch
        for plan in plan_event(session, event, endpoints.get(event.site_id, []), mail)
    ]
    # Plain statements: the batch's deliveries in one executemany, its events marked in one.
    if rows:
        session.execute(insert(Delivery), rows)
    session.execute(
        update(Event)
        .where(Event.id.in_([e.id for e in batch]))
        .values(routed=True)
        .execution_options(synchronize_session=False)
    )
    return len(batch)


def plan_event(
    session: Session, event: Event, endpoints: Sequence[Endpoint], mail: bool = True
) -> list[Planned]:
    """Where one event goes."""
    plans: list[Planned] = []
    if event.type in ev.PUBLIC_TYPES:
        for endpoint in endpoints:
            if endpoint.kind is EndpointKind.WEBHOOK and wants(endpoint, event.type):
                plans.append(Planned(Channel.WEBHOOK, endpoint_id=endpoint.id))
        topic = slack_topic(event.type, event.data)
        if topic is not None:
            for endpoint in endpoints:
                if endpoint.kind is EndpointKind.SLACK and wants(endpoint, topic):
                    plans.append(Planned(Channel.SLACK, endpoint_id=endpoint.id))
    if mail:
        plans.extend(_mails(session, event))
    return plans


def slack_topic(type_: str, data: dict[str, Any]) -> str | None:
    """The Slack topic an event belongs to, if any: a comment waiting for a moderator, a
    report, a staff member's comment."""
    if type_ == "flag.created":
        return "reported"
    if type_ == "comment.created":
        comment = data["comment"]
        if comment.get("staff"):
            return "staff"
        if comment["status"] == "pending":
            return "pending"
    return None


def _mails(session: Session, event: Event) -> Iterable[Planned]:
    data = event.data
    if event.type == ev.READER_CONFIRM:
        yield Planned(Channel.MAIL, recipient=data["email"], mail="confirm")
        return
    if event.type in (ev.NOTICE_RECEIVED, ev.NOTICE_DECIDED):
        # The notifier's receipt and outcome, which the regulation requires be sent to the
        # address they gave (one per notice, held to the reports' rate limit).
        kind = "notice_receipt" if event.type == ev.NOTICE_RECEIVED else "notice_decision"
        yield Planned(Channel.MAIL, recipient=data["email"], mail=kind)
        return
    if event.type == ev.APPEAL_DECIDED:
        author = _author_email(session, data["comment"]["id"])
        if author is not None and _confirmed(session, event.site_id, author):
            yield Planned(Channel.MAIL, recipient=author, mail="appeal_outcome")
        return
    if event.type in (ev.QUEUE_WAITING, ev.QUEUE_DIGEST):
        yield Planned(Channel.MAIL, recipient=data["moderator_email"], mail=data["mail"])
        return
    if event.type == "flag.created":
        for moderator in _moderators_wanting_reports(session, event.site_id):
            yield Planned(Channel.MAIL, recipient=moderator, mail="report")
        return
    comment = data.get("comment")
    if comment is None:
        return
    decision = data.get("decision") or {}
    became_public = comment["status"] in {s.value for s in PUBLIC_STATUSES} and (
        event.type == "comment.created"
        or (event.type == "comment.decided" and decision.get("from_status") == "pending")
    )
    if became_public and comment.get("parent_id"):
        replied_to = _reply_recipient(session, event.site_id, comment)
        if replied_to is not None:
            yield Planned(Channel.MAIL, recipient=replied_to, mail="reply")
    notice = (
        _AUTHOR_NOTICES.get(decision.get("action", "")) if event.type == "comment.decided" else None
    )
    if notice is not None and decision.get("actor", "").split(":")[0] != "system":
        author = _author_email(session, comment["id"])
        if author is not None and _subscribed(session, event.site_id, author, "decisions"):
            yield Planned(Channel.MAIL, recipient=author, mail=notice)


def _reply_recipient(session: Session, site_id: int, reply: dict[str, Any]) -> str | None:
    parent_email = _author_email(session, reply["parent_id"])
    own_email = _author_email(session, reply["id"])
    if parent_email is None or parent_email == own_email:
        return None  # nobody to tell, or answering oneself
    return parent_email if _subscribed(session, site_id, parent_email, "replies") else None


def _author_email(session: Session, comment_id: int) -> str | None:
    email = session.scalar(select(Comment.author_email).where(Comment.id == comment_id))
    return email.strip().lower() if email else None


def _subscribed(session: Session, site_id: int, email: str, kind: str) -> bool:
    column = MailSubscription.replies if kind == "replies" else MailSubscription.decisions
    found = session.scalar(
        select(func.count(MailSubscription.id)).where(
            MailSubscription.site_id == site_id,
            MailSubscription.email == email,
            MailSubscription.confirmed_at.is_not(None),
            column.is_(True),
        )
    )
    return bool(found)


def _confirmed(session: Session, site_id: int, email: str) -> bool:
    """Whether the address was confirmed (an appeal's outcome goes to any confirmed author)."""
    found = session.scalar(
        select(func.count(MailSubscription.id)).where(
            MailSubscription.site_id == site_id,
            MailSubscription.email == email,
            MailSubscription.confirmed_at.is_not(None),
        )
    )
    return bool(found)


def _moderators_wanting_reports(session: Session, site_id: int) -> list[str]:
    """The site's moderators (admins work on every site) who asked for each report."""
    of_site = select(moderator_sites.c.moderator_id).where(moderator_sites.c.site_id == site_id)
    return list(
        session.scalars(
            select(Moderator.email)
            .where(
                Moderator.notify_reports.is_(True),
                or_(Moderator.is_admin.is_(True), Moderator.id.in_(of_site)),
            )
            .order_by(Moderator.id)
        )
    )


def _endpoints_of(session: Session, site_ids: set[int]) -> dict[int, list[Endpoint]]:
    found: dict[int, list[Endpoint]] = defaultdict(list)
    for endpoint in session.scalars(
        select(Endpoint).where(Endpoint.site_id.in_(site_ids)).order_by(Endpoint.id)
    ):
        found[endpoint.site_id].append(endpoint)
    return found
