"""Fixtures for the outbox: a real SMTP server and a real webhook receiver on loopback, an app
that may deliver to them, and the core's one-line builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from moderation.db import db
from moderation.models import Endpoint, EndpointKind, Site
from moderation.outbox import endpoints
from moderation.outbox.worker import Worker

from .receiver import Receiver
from .smtp_server import SmtpServer

PUBLIC_URL = "https://comments.news.example"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    """The tests' app, allowed to reach the receivers on loopback, mailing through the test
    server, retrying at once (a test moves the worker's clock instead of waiting)."""
    return {
        **app_config,
        "webhook_allow_private": True,
        # Short, for the slow receiver's test; long enough for a suite's load on two cores
        # (at 1 s, a delivery of seven at once once missed it and waited for its retry).
        "webhook_timeout_seconds": 2.5,
        "smtp_url": smtp_server.url,
        "mail_from": "Comments <comments@news.example>",
        "public_url": PUBLIC_URL,
    }


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(**options: Any) -> Receiver:
        receiver = Receiver(**options).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def hook(
    app: Flask, session: Session, receivers: Callable[..., Receiver]
) -> Callable[..., Receiver]:
    """A receiver and the site's webhook to it: ``hook(events=["flag.created"])``."""

    def make(site: str = "news", events: tuple[str, ...] = (), **options: Any) -> Receiver:
        receiver = receivers(**options)
        site_id = session.scalar(db.select(Site.id).where(Site.slug == site))
        assert site_id is not None
        endpoint = endpoints.add_endpoint(
            session, site_id, receiver.url, events=events, allow_private=True
        )
        receiver.secret = endpoint.secret
        session.commit()
        return receiver

    return make


@pytest.fixture
def slack(
    app: Flask, session: Session, receivers: Callable[..., Receiver]
) -> Callable[..., Receiver]:
    """A receiver standing in for Slack, and the site's channel to it."""

    def make(topics: tuple[str, ...] = (), **options: Any) -> Receiver:
        receiver = receivers(**options)
        site_id = session.scalar(db.select(Site.id).where(Site.slug == "news"))
        assert site_id is not None
        endpoint = Endpoint(
            site_id=site_id, kind=EndpointKind.SLACK, url=receiver.url, events=list(topics)
        )
        session.add(endpoint)
        session.commit()
        return receiver

    return make


@pytest.fixture
def deliver(app: Flask, session: Session) -> Callable[..., int]:
    """Run the worker until nothing more is due (at ``clock``, if given); how many it sent.
    The test's own transaction is committed first: with SQLite it would hold the write lock."""

    def run(clock: Callable[[], Any] | None = None, **options: Any) -> int:
        session.commit()
        worker = Worker(app, clock=clock, **options) if clock else Worker(app, **options)
        sent = 0
        while True:
            done = worker.run_once()
            if not done:
                return sent
            sent += done

    return run
