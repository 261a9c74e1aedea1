"""Who asked to be mailed, and the signed links that confirm and end it.

A reader asks on a comment (``notify``: replies, decisions); nothing is sent to the address until
they follow the link mailed to it (double opt-in), so nobody can have the service mail a
stranger. The links carry what they do, signed with the service's secret: no token is stored,
and a link cannot be altered to unsubscribe someone else. An unsubscribe link works in one click
(RFC 8058): mail clients POST to it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import MailSubscription, Moderator, Site, utcnow
from . import events

READER_LISTS = ("replies", "decisions")
MODERATOR_LISTS = ("reports", "queue", "digest")
LANGUAGES = ("en", "fr", "nl", "de")
#: How long a confirmation link works, and how often one is sent to the same address.
CONFIRM_MAX_AGE = timedelta(days=7)
CONFIRM_EVERY = timedelta(hours=1)


class BadLink(Exception):
    """A link that was altered, has run out, or names what no longer exists."""


@dataclass(frozen=True)
class Link:
    """What a signed link does."""

    purpose: str  # "confirm" or "unsubscribe"
    site_id: int | None = None
    email: str | None = None
    moderator_id: int | None = None
    lists: tuple[str, ...] = ()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="moderation.mail-links")


def sign(secret_key: str, link: Link) -> str:
    """The token of a link."""
    data: dict[str, Any] = {"p": link.purpose, "l": list(link.lists)}
    if link.moderator_id is not None:
        data["m"] = link.moderator_id
    else:
        data["s"], data["e"] = link.site_id, link.email
    return _serializer(secret_key).dumps(data)


def read(secret_key: str, token: str) -> Link:
    """The link a token stands for; confirmation links run out, unsubscribe links do not (a
    mail read a year later must still let its reader stop the mail)."""
    serializer = _serializer(secret_key)
    try:
        data, signed_at = serializer.loads(token, return_timestamp=True)
    except SignatureExpired:
        raise BadLink("This link has run out.") from None
    except BadSignature:
        raise BadLink("This link is not valid.") from None
    if not isinstance(data, dict) or data.get("p") not in ("confirm", "unsubscribe"):
        raise BadLink("This link is not valid.")
    if data["p"] == "confirm" and utcnow() - signed_at > CONFIRM_MAX_AGE:
        raise BadLink("This confirmation link has run out; comment again to get a new one.")
    return Link(
        purpose=data["p"],
        site_id=data.get("s"),
        email=data.get("e"),
        moderator_id=data.get("m"),
        lists=tuple(data.get("l") or ()),
    )


def normalise(email: str) -> str:
    return email.strip().lower()


def subscribe(
    session: Session,
    site: Site,
    email: str,
    lists: Collection[str],
    *,
    lang: str = "en",
    verified: bool = False,
    article: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> MailSubscription:
    """A reader asks to be mailed ``lists``; they add to what the address asked before. An
    address the publisher's sign-in vouches for (``verified``) counts as confirmed; any other is
    sent a confirmation link, at most once an hour."""
    now = now or utcnow()
    address = normalise(email)
    subscription = session.scalar(
        select(MailSubscription).where(
            MailSubscription.site_id == site.id, MailSubscription.email == address
        )
    )
    if subscription is None:
        subscription = MailSubscription(site_id=site.id, email=address, created_at=now)
        session.add(subscription)
    subscription.lang = lang if lang in LANGUAGES else "en"
    subscription.replies = bool(subscription.replies) or "replies" in lists
    subscription.decisions = bool(subscription.decisions) or "decisions" in lists
    if verified and subscription.confirmed_at is None:
        subscription.confirmed_at = now
    due = subscription.confirm_sent_at is None or now - subscription.confirm_sent_at > CONFIRM_EVERY
    if subscription.confirmed_at is None and due:
        subscription.confirm_sent_at = now
        events.emit(
            session,
            site.id,
            events.READER_CONFIRM,
            {
                "email": address,
                "lang": subscription.lang,
                "lists": sorted(lists),
                "article": article,
            },
        )
    session.flush()
    return subscription


def confirm(session: Session, link: Link, now: datetime | None = None) -> MailSubscription:
    """Follow a confirmation link: the address may be mailed from now on."""
    subscription = _subscription(session, link)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or utcnow()
    return subscription


def unsubscribe(session: Session, link: Link) -> str:
    """Follow an unsubscribe link; says what was stopped, in words, for the page."""
    if link.moderator_id is not None:
        moderator = session.get(Moderator, link.moderator_id)
        if moderator is None:
            raise BadLink("This link names an account that no longer exists.")
        if "reports" in link.lists:
            moderator.notify_reports = False
        if "queue" in link.lists:
            moderator.notify_queue_minutes = None
        if "digest" in link.lists:
            moderator.notify_digest = False
        return ", ".join(link.lists)
    subscription = _subscription(session, link)
    if "replies" in link.lists:
        subscription.replies = False
    if "decisions" in link.lists:
        subscription.decisions = False
    return ", ".join(link.lists)


def _subscription(session: Session, link: Link) -> MailSubscription:
    subscription = session.scalar(
        select(MailSubscription).where(
            MailSubscription.site_id == link.site_id,
            MailSubscription.email == (link.email or ""),
        )
    )
    if subscription is None:
        raise BadLink("This link names an address we no longer keep.")
    return subscription


def confirmed(session: Session, site_id: int, email: str) -> MailSubscription | None:
    """The address's subscription, if it is confirmed."""
    return session.scalar(
        select(MailSubscription).where(
            MailSubscription.site_id == site_id,
            MailSubscription.email == normalise(email),
            MailSubscription.confirmed_at.is_not(None),
        )
    )
