"""The notices moderators ask for that no single change causes: a pending queue older than
they allow, and a daily digest. The worker looks once a minute and writes them as events, so they
go through the outbox like everything else."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import (
    PUBLIC_STATUSES,
    Comment,
    Decision,
    Moderator,
    Site,
    Status,
    moderator_sites,
)
from . import events

#: How often the worker looks.
EVERY = timedelta(minutes=1)
DIGEST_EVERY = timedelta(hours=24)
#: After a notice of a waiting queue, the next one comes no sooner than this (or their own
#: threshold, if longer): a queue left alone all night is one mail an hour, not sixty.
QUEUE_REPEAT = timedelta(hours=1)


def write_due(session: Session, settings: Settings, now: datetime) -> int:
    """Write the notices that are due as events; how many. The caller commits."""
    moderators = list(
        session.scalars(
            select(Moderator).where(
                or_(Moderator.notify_queue_minutes.is_not(None), Moderator.notify_digest.is_(True))
            )
        )
    )
    if not moderators:
        return 0
    base = settings.public_url.rstrip("/")
    sites = {s.id: s for s in session.scalars(select(Site))}
    waiting = _waiting(session)
    written = 0
    for moderator in moderators:
        site_ids = _sites_of(session, moderator, sites)
        if moderator.notify_queue_minutes is not None:
            written += _queue_notices(session, moderator, site_ids, sites, waiting, base, now)
        if moderator.notify_digest and site_ids:
            due = moderator.digest_sent_at is None or now - moderator.digest_sent_at >= DIGEST_EVERY
            if due:
                _digest(session, moderator, site_ids, sites, waiting, base, now)
                written += 1
    return written


def _queue_notices(
    session: Session,
    moderator: Moderator,
    site_ids: list[int],
    sites: dict[int, Site],
    waiting: dict[int, tuple[int, datetime]],
    base: str,
    now: datetime,
) -> int:
    limit = timedelta(minutes=moderator.notify_queue_minutes or 0)
    last = moderator.queue_notified_at
    if last is not None and now - last < max(limit, QUEUE_REPEAT):
        return 0
    written = 0
    for site_id in site_ids:
        count, oldest = waiting.get(site_id, (0, now))
        if count and now - oldest >= limit:
            site = sites[site_id]
            context = {
                "site_name": site.name,
                "count": count,
                "oldest_minutes": int((now - oldest).total_seconds() // 60),
                "queue_url": f"{base}/dashboard/queue?site={site.slug}",
            }
            _emit(session, site_id, events.QUEUE_WAITING, moderator, "queue", context)
            written += 1
    if written:
        moderator.queue_notified_at = now
    return written


def _digest(
    session: Session,
    moderator: Moderator,
    site_ids: list[int],
    sites: dict[int, Site],
    waiting: dict[int, tuple[int, datetime]],
    base: str,
    now: datetime,
) -> None:
    flagged = dict(
        session.execute(
            select(Comment.site_id, func.count(Comment.id))
            .where(
                Comment.site_id.in_(site_ids),
                Comment.open_flag_count > 0,
                Comment.status.in_(list(PUBLIC_STATUSES)),
            )
            .group_by(Comment.site_id)
        ).all()
    )
    decided = dict(
        session.execute(
            select(Decision.site_id, func.count(Decision.id))
            .where(
                Decision.site_id.in_(site_ids),
                Decision.created_at >= now - DIGEST_EVERY,
                Decision.moderator_id.is_not(None) | Decision.actor.like("token:%"),
            )
            .group_by(Decision.site_id)
        ).all()
    )
    context = {
        "day": now.date().isoformat(),
        "sites": [
            {
                "name": sites[i].name,
                "pending": waiting.get(i, (0, now))[0],
                "flagged": int(flagged.get(i, 0)),
                "decided": int(decided.get(i, 0)),
                "queue_url": f"{base}/dashboard/queue?site={sites[i].slug}",
            }
            for i in site_ids
        ],
    }
    _emit(session, site_ids[0], events.QUEUE_DIGEST, moderator, "digest", context)
    moderator.digest_sent_at = now


def _emit(
    session: Session,
    site_id: int,
    type_: str,
    moderator: Moderator,
    mail: str,
    context: dict[str, Any],
) -> None:
    data = {
        "moderator_id": moderator.id,
        "moderator_email": moderator.email,
        "mail": mail,
        "context": context,
    }
    events.emit(session, site_id, type_, data)


def _waiting(session: Session) -> dict[int, tuple[int, datetime]]:
    """Per site: how many comments wait, and since when the oldest has."""
    rows = session.execute(
        select(Comment.site_id, func.count(Comment.id), func.min(Comment.created_at))
        .where(Comment.status == Status.PENDING)
        .group_by(Comment.site_id)
    ).all()
    # min() keeps the column's type, so the oldest comes back as an aware datetime.
    return {site_id: (int(count), oldest) for site_id, count, oldest in rows}


def _sites_of(session: Session, moderator: Moderator, sites: dict[int, Site]) -> list[int]:
    if moderator.is_admin:
        return sorted(sites)
    return sorted(
        session.scalars(
            select(moderator_sites.c.site_id).where(moderator_sites.c.moderator_id == moderator.id)
        )
    )
