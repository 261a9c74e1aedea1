"""Bans, through the core: by email, author or address, in force until they end, refused
politely, and only ever kept as keyed hashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.comments.bans import create_ban, lift_ban, list_bans
from moderation.errors import Banned, Conflict, NotFound, ValidationError
from moderation.models import Ban, BanKind, utcnow

SECRET = "test-secret"


def _ban(session, comment, kind, **kwargs):
    ban = create_ban(
        session, comment.site_id, kind, actor="moderator:tests", secret_key=SECRET,
        comment_id=comment.id, **kwargs,
    )  # fmt: skip
    session.commit()
    return ban


@pytest.mark.parametrize("kind", [BanKind.EMAIL, BanKind.AUTHOR])
def test_a_banned_author_is_refused_politely(session, new_comment, kind):
    comment = new_comment(author_email="troll@example.org")
    _ban(session, comment, kind)
    with pytest.raises(Banned) as refused:
        new_comment(author_email="troll@example.org")
    assert "newsroom" in refused.value.message
    stored = session.scalars(select(Ban.value_hash)).one()
    assert "troll" not in stored and len(stored) == 64


def test_a_ban_ends(session, new_comment):
    comment = new_comment(author_email="troll@example.org")
    ban = _ban(session, comment, BanKind.EMAIL, expires_at=utcnow() + timedelta(hours=1))
    assert list_bans(session, comment.site_id) == [ban]
    assert list_bans(session, comment.site_id, now=utcnow() + timedelta(hours=2)) == []
    with pytest.raises(ValidationError) as refused:
        _ban(session, comment, BanKind.EMAIL, expires_at=utcnow() - timedelta(minutes=1))
    assert refused.value.field == "expires_at"


def test_a_ban_needs_something_to_ban(session, new_comment):
    comment = new_comment()  # no email
    with pytest.raises(Conflict):
        _ban(session, comment, BanKind.EMAIL)
    with pytest.raises(ValidationError):
        create_ban(session, comment.site_id, BanKind.IP, actor="t", secret_key=SECRET)


def test_bans_belong_to_their_site(session, new_comment):
    comment = new_comment(author_email="troll@example.org")
    ban = _ban(session, comment, BanKind.AUTHOR)
    with pytest.raises(NotFound):
        lift_ban(session, comment.site_id + 1, ban.id)
    lift_ban(session, comment.site_id, ban.id)
    session.commit()
    assert list_bans(session, comment.site_id) == []
