"""A person's data under the GDPR: exported whole, erased everywhere, kept no longer than the
retention periods."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import JSON, String, Text, cast, func, select
from sqlalchemy.types import TypeDecorator

from moderation.comments import privacy
from moderation.db import db
from moderation.errors import NotFound, ValidationError
from moderation.identity import token_hash
from moderation.models import (
    Action,
    AuthorNote,
    Comment,
    Event,
    Flag,
    IdempotentRequest,
    MailSubscription,
    Reason,
    Site,
    Status,
    utcnow,
)

from ..conftest import thread_url

NAME = "Zelda Quixotic"
EMAIL = "Zelda.Q@Example.org"
WORD = "flamingoquartz"


def _site_id(session) -> int:
    return session.scalars(select(Site.id).where(Site.slug == "news")).one()


@pytest.fixture
def zelda(session, new_comment, approve):
    """Zelda's two comments (one approved and answered by Bob, one rejected), a subscription of
    her address, a moderator's note about her, a stored replay and a report on her comment."""
    first = new_comment(body=f"My {WORD} opinion.", author_name=NAME, author_email=EMAIL)
    second = new_comment(body=f"Another {WORD} thought.", author_name=NAME, author_email=EMAIL)
    approve(first, explanation="Fine by the house rules.")
    approve(second, action=Action.REJECT, reason=Reason.OFF_TOPIC, explanation="Off.")
    reply = new_comment(body="Bob answers politely.", author_name="Bob", parent_id=first.id)
    approve(reply)
    site_id = _site_id(session)
    session.add_all(
        [
            MailSubscription(site_id=site_id, email=EMAIL.lower(), replies=True, lang="nl"),
            AuthorNote(site_id=site_id, author_key=first.author_key, body="x", created_by="m"),
            IdempotentRequest(
                key_hash="k" * 64,
                fingerprint="f" * 64,
                comment_id=first.id,
                status_code=201,
                body=f'{{"body": "{WORD}"}}',
            ),
            Flag(
                comment_id=first.id, reason=Reason.OTHER, note="the reporter's", reporter_hash="r"
            ),
        ]
    )
    first.edit_token_hash = token_hash("zeldas-edit-token")
    session.commit()
    return first, second, reply


#: Word counts the spam score learned from many comments at once: statistics of words, linked to
#: no comment and no author.
AGGREGATES = {"spam_features"}


def _mentions(session, needle: str) -> list[str]:
    """Every table and text column (strings, text, JSON) that holds ``needle``, any case."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in AGGREGATES:
            continue
        for column in table.columns:
            kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if not isinstance(kind, (String, Text, JSON)):
                continue
            hit = session.execute(
                select(func.count())
                .select_from(table)
                .where(func.lower(cast(column, Text)).like(f"%{needle.lower()}%"))
            ).scalar()
            if hit:
                found.append(f"{table.name}.{column.name}")
    return found


def test_one_selector_exactly(session, zelda):
    site_id = _site_id(session)
    with pytest.raises(ValidationError):
        privacy.find_reader_comments(session, site_id)
    with pytest.raises(ValidationError):
        privacy.find_reader_comments(session, site_id, email=EMAIL, subject="reader-1")
    with pytest.raises(NotFound):
        privacy.find_reader_comments(session, site_id, edit_token="not a token")


def test_comments_are_found_by_email_in_any_case_and_by_edit_token(session, zelda):
    first, second, _reply = zelda
    site_id = _site_id(session)
    by_email = privacy.find_reader_comments(session, site_id, email=EMAIL.upper())
    assert [c.id for c in by_email] == [first.id, second.id]
    by_token = privacy.find_reader_comments(session, site_id, edit_token="zeldas-edit-token")
    assert [c.id for c in by_token] == [first.id, second.id]  # one browser, one author


def test_export_holds_every_comment_decision_and_subscription(session, zelda):
    first, second, reply = zelda
    data = privacy.export(session, _site_id(session), email=EMAIL)
    assert data["site"] == "news" and data["reader"] is None
    assert [c["id"] for c in data["comments"]] == [first.id, second.id]
    exported = data["comments"][0]
    assert exported["author_email"] == EMAIL and WORD in exported["body_text"]
    assert exported["article"]["key"] == "/2026/11/story"
    assert [d["action"] for d in exported["decisions"]][-1] == "approve"
    rejected = data["comments"][1]
    assert rejected["status"] == "rejected"
    assert rejected["decisions"][-1]["explanation"] == "Off."
    assert data["mail"] == [
        {"email": EMAIL.lower(), "lists": ["replies"], "lang": "nl", "confirmed_at": None}
    ]
    assert reply.id not in {c["id"] for c in data["comments"]}


def test_erase_leaves_nothing_of_the_person_anywhere(session, zelda, client):
    first, second, reply = zelda
    before = _mentions(session, WORD)
    assert "events.data" in before and "comments.body_text" in before  # the search sees them
    erased = privacy.erase(session, _site_id(session), actor="cli", email=EMAIL)
    session.commit()
    assert (erased.comments, erased.mail_subscriptions, erased.author_notes) == (2, 1, 1)
    assert erased.idempotent_requests == 1 and erased.events >= 2
    for needle in (NAME, EMAIL, WORD, "Zelda"):
        assert _mentions(session, needle) == [], needle
    # The reporter's note on her comment is theirs, and stays.
    assert session.scalars(select(Flag.note)).one() == "the reporter's"
    # Her comments keep their place; Bob's reply stays in the thread under "[deleted]".
    thread = client.get(thread_url("news", "/2026/11/story")).get_json()
    [top] = [c for c in thread["comments"] if c["id"] == first.id]
    assert top["author_name"] == "[deleted]" and top["html"] == "<p>[deleted]</p>"
    assert [r["id"] for r in top["replies"]] == [reply.id]
    assert top["replies"][0]["author_name"] == "Bob"
    session.expire_all()
    assert session.get_one(Comment, second.id).status is Status.REJECTED
    assert privacy.export(session, _site_id(session), email=EMAIL)["comments"] == []


def test_erase_blanks_the_outbox_copies_of_the_comments(session, zelda):
    first, _second, _reply = zelda
    privacy.erase(session, _site_id(session), actor="cli", edit_token="zeldas-edit-token")
    session.commit()
    snapshots = [
        e.data["comment"]
        for e in session.scalars(select(Event))
        if e.data.get("comment", {}).get("id") == first.id
    ]
    assert snapshots and all(s["text"] == "" for s in snapshots)
    assert all(s["author_name"] == "[deleted]" for s in snapshots)


def _age(session, comment: Comment, days: int) -> None:
    comment.created_at = utcnow() - timedelta(days=days)
    comment.ip_hash = "h" * 64
    session.commit()


def test_purge_dry_run_counts_and_changes_nothing(session, zelda, app):
    first, second, _reply = zelda
    _age(session, first, 100)
    _age(session, second, 200)
    settings = app.config["SETTINGS"]
    counts = privacy.purge(session, settings, utcnow(), dry_run=True)
    assert counts == {"ip_hashes": 2, "texts": 1}
    session.expire_all()
    assert session.get_one(Comment, second.id).ip_hash == "h" * 64
    assert WORD in session.get_one(Comment, second.id).body_text


def test_purge_clears_old_addresses_and_old_rejected_texts_only(session, zelda, app, new_comment):
    first, second, _reply = zelda
    recent_rejected = new_comment(body=f"Fresh {WORD}.", author_email="x@example.org")
    recent_rejected.status = Status.REJECTED
    _age(session, recent_rejected, 10)
    _age(session, first, 200)  # public: keeps its text
    _age(session, second, 200)  # rejected long ago: its text goes
    counts = privacy.purge(session, app.config["SETTINGS"], utcnow())
    session.commit()
    assert counts == {"ip_hashes": 2, "texts": 1}
    session.expire_all()
    old = session.get_one(Comment, second.id)
    assert (old.body_text, old.author_email, old.html, old.ip_hash) == (
        "",
        None,
        privacy.REMOVED_HTML,
        None,
    )
    assert WORD in session.get_one(Comment, first.id).body_text
    kept = session.get_one(Comment, recent_rejected.id)
    assert kept.ip_hash == "h" * 64 and WORD in kept.body_text
    assert privacy.purge(session, app.config["SETTINGS"], utcnow()) == {"ip_hashes": 0, "texts": 0}
