"""The delivery worker: routes new events, leases what is due, sends it, and records how it went.

Each step is its own short transaction and sending happens outside any: a slow receiver holds
no lock and no connection. A lease (``leased_until``) is what makes a delivery a worker's; on
PostgreSQL the rows are claimed with ``FOR UPDATE SKIP LOCKED``, so workers side by side never
take the same one, and with SQLite every claim takes the database's write lock. A worker killed
mid-send leaves a lease that runs out, and the delivery is sent again: at least once, with the
same ``webhook-id``, so receivers drop the repeat.

``moderation worker`` runs :meth:`Worker.run` in the foreground; with SQLite ``moderation serve``
and ``demo`` run it in a thread (``start_thread``).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from ..db import db, write_intent
from ..models import Channel, Delivery, DeliveryStatus, Endpoint, Event, Site, utcnow
from . import mail, notices, routing, slack, webhooks
from .endpoints import signing_secrets
from .jobs import Job, Outcome

log = logging.getLogger("moderation.outbox")


def session() -> Session:
    """The app context's session (the worker runs inside one)."""
    return db.session()


#: The first retry's delay in seconds; each later one is four times longer, up to MAX_DELAY.
BASE_DELAY = 10.0
MAX_DELAY = 4 * 3600.0
#: How long a leased delivery is the worker's: longer than any one send can take.
LEASE = timedelta(seconds=60)
#: How many old events one round forgets at most (a short transaction, whatever the backlog).
PRUNE_BATCH = 1000


def retry_delay(
    attempt: int, base: float = BASE_DELAY, rng: Callable[[], float] = random.random
) -> float:
    """Seconds before try ``attempt + 1``: exponential, with jitter (half fixed, half random),
    so deliveries that failed together (a receiver down) do not all come back at once."""
    delay = min(base * 4 ** (attempt - 1), MAX_DELAY)
    return delay / 2 + rng() * delay / 2


class Worker:
    """Delivers the outbox of the app's database."""

    def __init__(
        self,
        app: Flask,
        *,
        batch: int = 20,
        clock: Callable[[], datetime] = utcnow,
        base_delay: float = BASE_DELAY,
        concurrency: int = 8,
    ) -> None:
        self.app = app
        self.settings = app.config["SETTINGS"]
        self.batch = batch
        self.clock = clock
        self.base_delay = base_delay
        self.concurrency = concurrency
        self._pool: ThreadPoolExecutor | None = None
        self._last_notices: datetime | None = None
        self._secret = str(app.config["SECRET_KEY"])

    def run_once(self) -> int:
        """Route what is new, then send one batch of what is due; how many were sent or tried."""
        with self.app.app_context():
            token = write_intent.set(True)  # SQLite: each step takes the write lock up front
            try:
                self._notices()
                routing.route_events(session(), mail=bool(self.settings.smtp_url))
                session().commit()
                jobs = self._lease()
                session().commit()
                session().close()  # no connection held while sending
                self._record_all(jobs, self._send_all(jobs))
                session().commit()
                return len(jobs)
            except BaseException:
                session().rollback()
                raise
            finally:
                write_intent.reset(token)
                db.session.remove()

    def run(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set; when nothing is due, look again every ``poll_seconds``."""
        log.info("delivering the outbox")
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database away, say: keep trying, never die
                log.exception("delivery round failed; trying again shortly")
                busy = 0
            if not busy:
                stop.wait(poll_seconds)

    def _notices(self) -> None:
        now = self.clock()
        if self._last_notices is None or now - self._last_notices >= notices.EVERY:
            self._last_notices = now
            notices.write_due(session(), self.settings, now)
            session().commit()
            self._prune(now)
            session().commit()

    def _prune(self, now: datetime) -> None:
        """Forget events older than ``outbox_keep_days`` with their deliveries (sent or failed
        long ago: the dashboard shows the recent ones), a bounded batch at a time."""
        before = now - timedelta(days=self.settings.outbox_keep_days)
        old = (
            select(Event.id)
            .where(Event.routed.is_(True), Event.created_at < before)
            .order_by(Event.id)
            .limit(PRUNE_BATCH)
        )
        ids = list(session().scalars(old))
        if ids:
            session().execute(delete(Delivery).where(Delivery.event_id.in_(ids)))
            session().execute(delete(Event).where(Event.id.in_(ids)))
        last_purge = getattr(self, "_last_purge", None)
        if last_purge is None or now - last_purge >= timedelta(hours=1):
            from ..comments import privacy  # the retention periods (GDPR), once an hour

            self._last_purge = now
            privacy.purge(session(), self.settings, now)

    def _lease(self) -> list[Job]:
        """Take a batch of due deliveries: one query for them, one each for their events,
        sites and endpoints, and one statement marking them leased."""
        now = self.clock()
        due = (
            session()
            .execute(
                select(
                    Delivery.id,
                    Delivery.event_id,
                    Delivery.site_id,
                    Delivery.channel,
                    Delivery.endpoint_id,
                    Delivery.recipient,
                    Delivery.mail,
                    Delivery.attempts,
                )
                .where(
                    Delivery.status == DeliveryStatus.PENDING,
                    Delivery.next_attempt_at <= now,
                    or_(Delivery.leased_until.is_(None), Delivery.leased_until <= now),
                )
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            .all()
        )
        if not due:
            return []
        session().execute(
            update(Delivery)
            .where(Delivery.id.in_([row.id for row in due]))
            .values(leased_until=now + LEASE, attempts=Delivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        events = _by_id(Event, {row.event_id for row in due})
        sites = _by_id(Site, {row.site_id for row in due})
        endpoints = _by_id(Endpoint, {row.endpoint_id for row in due} - {None})
        jobs, unsendable = [], []
        for row in due:
            event, site = events[row.event_id], sites[row.site_id]
            url, secrets_, data = None, [], event.data
            if row.channel is Channel.MAIL:
                try:
                    data = mail.context_for(
                        session(),
                        row.mail or "",
                        row.recipient or "",
                        event,
                        site,
                        self.settings,
                        self._secret,
                    )
                except mail.NotSendable as exc:
                    unsendable.append(
                        self._outcome(row.id, row.attempts + 1, Outcome(ok=False, error=str(exc)))
                    )
                    continue
            else:
                endpoint = endpoints[row.endpoint_id]
                url, secrets_ = endpoint.url, signing_secrets(endpoint, now)
            jobs.append(
                Job(
                    delivery_id=row.id,
                    attempt=row.attempts + 1,
                    channel=row.channel,
                    event_type=event.type,
                    message_id=event.message_id,
                    event_at=event.created_at,
                    data=data,
                    site_id=site.id,
                    site_slug=site.slug,
                    site_name=site.name,
                    url=url,
                    secrets=secrets_,
                    recipient=row.recipient,
                    mail=row.mail,
                )
            )
        self._write_outcomes(unsendable)
        return jobs

    def _send_all(self, jobs: list[Job]) -> list[Outcome]:
        """Send a batch side by side: one slow receiver costs the batch its timeout once, not
        once per delivery, and fast ones are not queued behind it."""
        if len(jobs) <= 1:
            return [self._send(job) for job in jobs]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox-send")
        return list(self._pool.map(self._send, jobs))

    def _send(self, job: Job) -> Outcome:
        try:
            if job.channel is Channel.WEBHOOK:
                return webhooks.send(job, self.settings)
            if job.channel is Channel.SLACK:
                return slack.send(job, self.settings)
            return mail.send(job, self.settings)
        except Exception as exc:  # a bug in one delivery must not stop the others
            log.exception("delivery %s failed unexpectedly", job.delivery_id)
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])

    def _outcome(self, delivery_id: int, attempt: int, outcome: Outcome) -> dict[str, Any]:
        """What one try leaves on its delivery: sent, due again later, or failed for good."""
        now = self.clock()
        row: dict[str, Any] = {
            "delivery_id": delivery_id,
            "status": DeliveryStatus.SENT,
            "sent_at": now if outcome.ok else None,
            "next_attempt_at": now,
            "last_attempt_at": now,
            "last_status": outcome.status,
            "last_error": None if outcome.ok else (outcome.error or "failed")[:500],
            "last_response": (outcome.response or "")[:500] or None,
        }
        if outcome.ok:
            return row
        if outcome.permanent or attempt >= self.settings.delivery_attempts:
            row["status"] = DeliveryStatus.FAILED
            log.warning("delivery %s failed for good: %s", delivery_id, row["last_error"])
        else:
            row["status"] = DeliveryStatus.PENDING
            delay = retry_delay(attempt, self.base_delay)
            row["next_attempt_at"] = now + timedelta(seconds=delay)
        return row

    def _record_all(self, jobs: list[Job], outcomes: list[Outcome]) -> None:
        self._write_outcomes(
            [
                self._outcome(job.delivery_id, job.attempt, outcome)
                for job, outcome in zip(jobs, outcomes, strict=True)
            ]
        )

    @staticmethod
    def _write_outcomes(rows: list[dict[str, Any]]) -> None:
        """One statement for the batch (a delivery removed meanwhile with its endpoint matches
        no row, and is no error)."""
        if rows:
            session().connection().execute(_RECORD, rows)


_RECORD = (
    update(Delivery.__table__)  # type: ignore[arg-type]
    .where(Delivery.__table__.c.id == bindparam("delivery_id"))
    .values(
        status=bindparam("status"),
        sent_at=bindparam("sent_at"),
        next_attempt_at=bindparam("next_attempt_at"),
        last_attempt_at=bindparam("last_attempt_at"),
        last_status=bindparam("last_status"),
        last_error=bindparam("last_error"),
        last_response=bindparam("last_response"),
        leased_until=None,
    )
)


def _by_id(model: Any, ids: set[Any]) -> dict[int, Any]:
    """Rows of ``model`` by id, in one query."""
    if not ids:
        return {}
    return {obj.id: obj for obj in session().scalars(select(model).where(model.id.in_(ids)))}


def embedded(app: Flask) -> bool:
    """Whether ``serve`` and ``demo`` deliver in a thread of their own: with SQLite by default
    (a newcomer sets nothing up), with PostgreSQL only when asked (run ``moderation worker``)."""
    choice = app.config["SETTINGS"].embedded_worker
    if choice == "on":
        return True
    if choice == "off":
        return False
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")


def start_thread(app: Flask, after: Callable[[], bool] | None = None) -> threading.Event:
    """Deliver in a daemon thread of this process (once ``after()`` holds, if given); set the
    returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while after is not None and not after() and not stop.is_set():
            stop.wait(0.05)
        Worker(app).run(stop)

    thread = threading.Thread(target=run, name="outbox-worker", daemon=True)
    thread.start()
    return stop
