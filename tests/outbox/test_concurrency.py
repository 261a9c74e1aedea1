"""Workers side by side, and a worker killed mid-delivery: every committed event delivered at
least once, none twice by two workers, with ids a receiver can drop repeats by."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from moderation.models import Delivery, DeliveryStatus, Event, utcnow
from moderation.outbox.worker import LEASE, Worker

from ..pages import served_env


def test_two_workers_never_send_the_same_delivery(app, hook, new_comment, session):
    # Time enough for a receiver on a loaded machine: a timeout would leave a retry for later.
    app.config["SETTINGS"].webhook_timeout_seconds = 10.0
    receiver = hook(events=("comment.created",))
    for n in range(60):
        new_comment(body=f"Comment number {n}", article=f"/story/{n % 3}")
    session.commit()
    workers = [Worker(app, batch=5), Worker(app, batch=5)]
    sent = Counter()

    def work(index: int) -> None:
        while True:
            done = workers[index].run_once()
            sent[index] += done
            if not done:
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [r.message_id for r in receiver.received]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert receiver.tries == 60  # not one sent twice
    assert sum(sent.values()) == 60
    statuses = session.scalars(select(Delivery.status)).all()
    assert set(statuses) == {DeliveryStatus.SENT}


def test_a_worker_killed_mid_delivery_is_taken_over_after_its_lease(
    app, hook, new_comment, session, deliver
):
    hung = threading.Event()
    receiver = hook(events=("comment.created",), hang=hung)
    new_comment()
    session.commit()
    env = {**os.environ, **served_env(app)}
    env["MODERATION_WEBHOOK_ALLOW_PRIVATE"] = "true"
    env["MODERATION_WEBHOOK_TIMEOUT_SECONDS"] = "30"
    worker = subprocess.Popen(
        [sys.executable, "-m", "moderation.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while receiver.tries == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # until the worker is inside the delivery
        if receiver.tries != 1:
            worker.kill()
            raise AssertionError(worker.communicate()[1].decode())
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    hung.set()
    receiver.hang = None
    session.expire_all()
    delivery = session.scalars(select(Delivery)).one()
    assert delivery.status is DeliveryStatus.PENDING and delivery.leased_until is not None
    deliver()  # still leased by the dead worker: not taken yet
    assert len(receiver.received) <= 1
    moment = utcnow() + LEASE + timedelta(seconds=1)
    deliver(clock=lambda: moment)
    session.expire_all()
    assert session.get_one(Delivery, delivery.id).status is DeliveryStatus.SENT
    message_id = session.scalar(select(Event.message_id).where(Event.type == "comment.created"))
    assert {r.message_id for r in receiver.received} == {message_id}
    assert session.scalar(select(func.count(Delivery.id))) == 1
