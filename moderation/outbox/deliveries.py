"""Deliveries as admins see them: the last ones of a site or endpoint with their answers, the
ones that failed for good, and sending one again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InvalidTransition, NotFound
from ..models import Delivery, DeliveryStatus, Event, utcnow


@dataclass(frozen=True)
class Shown:
    """One delivery with the event it carries."""

    delivery: Delivery
    event_type: str
    message_id: str


def recent(
    session: Session,
    site_id: int,
    *,
    endpoint_id: int | None = None,
    status: DeliveryStatus | None = None,
    limit: int = 50,
) -> list[Shown]:
    """The site's latest deliveries, newest first, optionally of one endpoint or status."""
    stmt = (
        select(Delivery, Event.type, Event.message_id)
        .join(Event, Event.id == Delivery.event_id)
        .where(Delivery.site_id == site_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if endpoint_id is not None:
        stmt = stmt.where(Delivery.endpoint_id == endpoint_id)
    if status is not None:
        stmt = stmt.where(Delivery.status == status)
    return [Shown(d, t, m) for d, t, m in session.execute(stmt).all()]


def failed_count(session: Session, site_ids: Sequence[int]) -> int:
    """How many deliveries of these sites failed for good (the dashboard's warning)."""
    if not site_ids:
        return 0
    return (
        session.scalar(
            select(func.count(Delivery.id)).where(
                Delivery.site_id.in_(list(site_ids)), Delivery.status == DeliveryStatus.FAILED
            )
        )
        or 0
    )


def resend(
    session: Session, site_id: int, delivery_id: int, now: datetime | None = None
) -> Delivery:
    """Send a failed delivery again: due now, with a fresh set of tries. A delivery still
    on its way is refused (it would only race the worker)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.site_id != site_id:
        raise NotFound("There is no such delivery.")
    if delivery.status is DeliveryStatus.PENDING:
        raise InvalidTransition(f"Delivery {delivery_id} is still on its way.")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now or utcnow()
    delivery.leased_until = None
    session.flush()
    return delivery
