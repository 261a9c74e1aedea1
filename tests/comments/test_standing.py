"""Measures about people, through the core: suspensions that end on time, always pre-moderate,
trust, notes, and the log entry each one leaves."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.comments.bans import create_ban, lift_ban
from moderation.comments.notes import add_note, notes_of
from moderation.comments.screening import Client
from moderation.comments.standing import lift_standing, set_standing, standing_of
from moderation.comments.submit import NewComment, submit
from moderation.errors import Banned, NotFound, ValidationError
from moderation.models import (
    Action,
    BanKind,
    Comment,
    Decision,
    ModerationMode,
    Reason,
    Site,
    Standing,
    Status,
    utcnow,
)

from ..conftest import browser_key

SECRET = "test-secret"
TROLL = Client(guest_key=browser_key("Troll", None))


_count = itertools.count()


def _submit(session, policy, now=None, client=TROLL, body=None, name="Troll"):
    # A text of its own each time: the same text again is held as a repeat.
    body = body or f"Hello there, for the {next(_count)}th time."
    submitted = submit(
        session,
        site_slug="news",
        article_key="/a",
        new=NewComment(body=body, author_name=name),
        policy=policy,
        client=client,
        now=now,
    )
    session.commit()
    return submitted.comment


def _log(session, comment_id):
    return list(
        session.execute(
            select(Decision.action, Decision.actor, Decision.reason, Decision.explanation)
            .where(Decision.comment_id == comment_id)
            .order_by(Decision.id)
        )
    )


def test_a_suspended_author_is_refused_until_the_end_and_accepted_after(session, policy):
    start = utcnow()
    first = _submit(session, policy, now=start)
    end = start + timedelta(days=1)
    create_ban(
        session, first.site_id, BanKind.AUTHOR, actor="moderator:ed", secret_key=SECRET,
        comment_id=first.id, expires_at=end, reason="a day to cool off",
        reason_code=Reason.ABUSE, now=start,
    )  # fmt: skip
    session.commit()
    with pytest.raises(Banned) as refused:
        _submit(session, policy, now=start + timedelta(hours=23, minutes=59))
    assert "until" in refused.value.message and end.strftime("%Y") in refused.value.message
    assert int(refused.value.headers["Retry-After"]) == 60
    after = _submit(session, policy, now=end + timedelta(seconds=1))
    assert after.status is Status.PENDING

    action, actor, reason, explanation = _log(session, first.id)[-1]
    assert (action, actor, reason) == (Action.SUSPEND, "moderator:ed", Reason.ABUSE)
    assert "until" in explanation and "a day to cool off" in explanation


def test_a_permanent_ban_is_logged_as_a_ban_and_lifting_it_too(session, policy):
    first = _submit(session, policy)
    ban = create_ban(
        session, first.site_id, BanKind.AUTHOR, actor="moderator:ed", secret_key=SECRET,
        comment_id=first.id,
    )  # fmt: skip
    session.commit()
    with pytest.raises(Banned):
        _submit(session, policy)
    lift_ban(session, first.site_id, ban.id, actor="moderator:al")
    session.commit()
    assert _submit(session, policy).status is Status.PENDING
    actions = [(a, who) for a, who, _r, _e in _log(session, first.id)]
    assert actions[-2:] == [(Action.BAN, "moderator:ed"), (Action.LIFT, "moderator:al")]


def test_a_ban_can_reject_the_authors_waiting_comments_at_once(session, policy, new_comment):
    waiting = [_submit(session, policy, body=f"Troll {n}") for n in range(3)]
    other = new_comment(author_name="Someone else")
    create_ban(
        session, waiting[0].site_id, BanKind.AUTHOR, actor="moderator:ed", secret_key=SECRET,
        comment_id=waiting[0].id, reject_pending=True, reason_code=Reason.ABUSE,
        reason="trolling",
    )  # fmt: skip
    session.commit()
    statuses = {c.id: c.status for c in session.scalars(select(Comment))}
    assert [statuses[c.id] for c in waiting] == [Status.REJECTED] * 3
    assert statuses[other.id] is Status.PENDING
    rejected = _log(session, waiting[2].id)[-1]
    assert rejected[0] is Action.REJECT and rejected[2] is Reason.ABUSE
    assert rejected[3] == "trolling"


def test_always_premoderate_holds_an_author_the_record_would_trust(session, policy, approve):
    site = session.scalars(select(Site)).one()
    site.rule_settings = {"auto_approve_trusted": True, "trusted_min_approved": 1}
    session.commit()
    approve(_submit(session, policy))
    assert _submit(session, policy).status is Status.APPROVED  # trusted by their record
    author = session.scalars(select(Comment.author_key)).first()
    set_standing(
        session, site.id, author, Standing.PREMODERATED, actor="moderator:ed",
        explanation="watch them this week", expires_at=utcnow() + timedelta(days=7),
    )  # fmt: skip
    session.commit()
    held = _submit(session, policy)
    assert held.status is Status.PENDING
    assert held.held_because == ["author_premoderated"]
    lift_standing(session, site.id, author, actor="moderator:ed")
    session.commit()
    assert _submit(session, policy).status is Status.APPROVED


def test_premoderate_holds_under_post_moderation_too(session, policy, approve):
    site = session.scalars(select(Site)).one()
    site.moderation_mode = ModerationMode.POST
    session.commit()
    approve(_submit(session, policy))
    assert _submit(session, policy).status is Status.PUBLISHED
    author = session.scalars(select(Comment.author_key)).first()
    set_standing(session, site.id, author, Standing.PREMODERATED, actor="moderator:ed")
    session.commit()
    assert _submit(session, policy).status is Status.PENDING


def test_a_trusted_author_is_published_at_once_but_content_rules_still_apply(session, policy):
    site = session.scalars(select(Site)).one()
    site.rule_settings = {"blocked_words": ["forbidden"]}
    session.commit()
    first = _submit(session, policy)
    assert first.status is Status.PENDING
    set_standing(session, site.id, first.author_key, Standing.TRUSTED, actor="moderator:ed")
    session.commit()
    assert _submit(session, policy).status is Status.APPROVED
    assert _submit(session, policy, body="This is forbidden.").status is Status.REJECTED
    log = _log(session, first.id)
    assert log[-1][0] is Action.TRUST


def test_a_standing_ends_by_itself(session, policy):
    first = _submit(session, policy)
    start = utcnow()
    set_standing(
        session, first.site_id, first.author_key, Standing.TRUSTED, actor="moderator:ed",
        expires_at=start + timedelta(hours=1), now=start,
    )  # fmt: skip
    session.commit()
    assert standing_of(session, first.site_id, first.author_key, start) is not None
    later = start + timedelta(hours=2)
    assert standing_of(session, first.site_id, first.author_key, later) is None
    assert _submit(session, policy, now=later).status is Status.PENDING


def test_a_new_standing_replaces_the_old(session, policy):
    first = _submit(session, policy)
    for standing in (Standing.TRUSTED, Standing.PREMODERATED):
        set_standing(session, first.site_id, first.author_key, standing, actor="moderator:ed")
    session.commit()
    found = standing_of(session, first.site_id, first.author_key)
    assert found is not None and found.standing is Standing.PREMODERATED


def test_a_standing_for_no_one_or_in_the_past_is_refused(session, policy):
    first = _submit(session, policy)
    with pytest.raises(NotFound):
        set_standing(session, first.site_id, "0" * 64, Standing.TRUSTED, actor="m")
    with pytest.raises(ValidationError):
        set_standing(
            session, first.site_id, first.author_key, Standing.TRUSTED, actor="m",
            expires_at=utcnow() - timedelta(minutes=1),
        )  # fmt: skip
    with pytest.raises(NotFound):
        lift_standing(session, first.site_id, first.author_key, actor="m")


def test_notes_are_kept_with_who_and_when_newest_first(session, policy):
    first = _submit(session, policy)
    add_note(session, first.site_id, first.author_key, "Had one bad day.", actor="moderator:ed")
    add_note(session, first.site_id, first.author_key, "  Better since. ", actor="moderator:al")
    session.commit()
    notes = notes_of(session, first.site_id, first.author_key)
    assert [(n.body, n.created_by) for n in notes] == [
        ("Better since.", "moderator:al"),
        ("Had one bad day.", "moderator:ed"),
    ]
    assert all(n.created_at is not None for n in notes)
    with pytest.raises(ValidationError):
        add_note(session, first.site_id, first.author_key, "   ", actor="moderator:ed")
    with pytest.raises(NotFound):
        add_note(session, first.site_id, "f" * 64, "Who?", actor="moderator:ed")
