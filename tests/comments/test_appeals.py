"""Appeals, through the core: against a decision still in force, within six months, one at a
time, decided by someone else than the decider."""

from __future__ import annotations

from datetime import timedelta

import pytest

from moderation.comments import appeals
from moderation.errors import NotFound, ValidationError
from moderation.models import Action, AppealStatus, Comment, Moderator, Reason, Status, utcnow


@pytest.fixture
def rejected(session, new_comment, approve):
    decider = Moderator(email="decider@news.example", password_hash="x")
    session.add(decider)
    session.commit()
    comment = new_comment()
    approve(comment, action=Action.REJECT, reason=Reason.ABUSE, moderator_id=decider.id)
    return session.get_one(Comment, comment.id), decider


def test_the_decider_cannot_decide_the_appeal(session, rejected):
    comment, decider = rejected
    appeal = appeals.file_appeal(session, comment, "I was quoting the article.")
    with pytest.raises(appeals.SameModerator):
        appeals.decide_appeal(
            session, appeal.id, [comment.site_id], reverse=True, actor="moderator:decider",
            moderator_id=decider.id,
        )  # fmt: skip


def test_upheld_keeps_it_down_and_is_logged(session, rejected):
    comment, _ = rejected
    appeal = appeals.file_appeal(session, comment, "Please")
    decided = appeals.decide_appeal(
        session, appeal.id, [comment.site_id], reverse=False, actor="moderator:other",
        moderator_id=None, explanation="It is an insult.",
    )  # fmt: skip
    assert decided.status is AppealStatus.UPHELD
    assert session.get_one(Comment, comment.id).status is Status.REJECTED
    assert appeals.open_count(session, [comment.site_id]) == 0


def test_six_months_later_it_is_too_late(session, rejected):
    comment, _ = rejected
    with pytest.raises(appeals.AppealClosed):
        appeals.file_appeal(session, comment, "Late", now=utcnow() + timedelta(days=200))


def test_an_empty_appeal_is_refused(session, rejected):
    with pytest.raises(ValidationError):
        appeals.file_appeal(session, rejected[0], "   ")


def test_nothing_to_contest_on_a_published_comment(session, new_comment, approve):
    comment = new_comment()
    approve(comment)
    with pytest.raises(NotFound):
        appeals.file_appeal(session, comment, "Why?")
