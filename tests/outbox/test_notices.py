"""Moderators' own notices: a queue waiting longer than they allow, and a daily digest, each
written once when due and mailed through the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from moderation.models import Event, Moderator, Site, utcnow
from moderation.outbox import events, notices


def moderator(session, **prefs):
    site = session.scalars(select(Site)).one()
    person = Moderator(email="mod@news.example", password_hash="x", **prefs)
    person.sites.append(site)
    session.add(person)
    session.commit()
    return person


def test_a_queue_older_than_the_moderator_allows_is_mailed_once_an_hour(
    app, session, new_comment, deliver, smtp_server
):
    moderator(session, notify_queue_minutes=30)
    new_comment()
    settings = app.config["SETTINGS"]
    now = utcnow()
    assert notices.write_due(session, settings, now + timedelta(minutes=10)) == 0
    assert notices.write_due(session, settings, now + timedelta(minutes=31)) == 1
    assert notices.write_due(session, settings, now + timedelta(minutes=50)) == 0
    assert notices.write_due(session, settings, now + timedelta(minutes=95)) == 1
    session.commit()
    deliver()
    mails = smtp_server.wait_for(2)
    assert {m["To"] for m in mails} == {"mod@news.example"}
    assert "List-Unsubscribe" in mails[0]


def test_the_digest_comes_once_a_day(app, session, new_comment, deliver, smtp_server):
    moderator(session, notify_digest=True)
    new_comment()
    settings = app.config["SETTINGS"]
    now = utcnow()
    assert notices.write_due(session, settings, now) == 1
    assert notices.write_due(session, settings, now + timedelta(hours=23)) == 0
    assert notices.write_due(session, settings, now + timedelta(hours=24)) == 1
    [first, _] = session.scalars(
        select(Event).where(Event.type == events.QUEUE_DIGEST).order_by(Event.id)
    )
    assert first.data["context"]["sites"][0]["pending"] == 1
    session.commit()
    deliver()
    assert len(smtp_server.wait_for(2)) == 2


def test_nobody_asked_nothing_is_written(app, session, new_comment):
    moderator(session)
    new_comment()
    assert notices.write_due(session, app.config["SETTINGS"], utcnow() + timedelta(days=3)) == 0
