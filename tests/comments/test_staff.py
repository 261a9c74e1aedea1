"""Staff answers from the dashboard, through the core."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.comments.staff import reply_as_staff
from moderation.errors import NotFound, ValidationError
from moderation.models import Action, Article, Decision, Status


def _answer(session, app, parent_id: int, **kwargs):
    values = {
        "body": "Thanks, <b>we corrected it</b>. <script>x()</script>",
        "author_name": "Ed Itor",
        "actor": "moderator:ed@news.example",
        "moderator_id": None,
        "secret_key": app.config["SECRET_KEY"],
        **kwargs,
    }
    return reply_as_staff(session, parent_id=parent_id, **values)


def test_a_staff_answer_is_published_at_once_and_logged(session, app, new_comment, approve):
    parent = new_comment()
    approve(parent)
    count = session.get_one(Article, parent.article_id).public_count
    answer = _answer(session, app, parent.id)
    session.commit()
    assert (answer.status, answer.staff, answer.parent_id) == (Status.APPROVED, True, parent.id)
    assert "<script>" not in answer.html and "<b>we corrected it</b>" in answer.html
    assert session.get_one(Article, parent.article_id).public_count == count + 1
    entry = session.scalars(select(Decision).where(Decision.comment_id == answer.id)).one()
    assert (entry.action, entry.actor) == (Action.APPROVE, "moderator:ed@news.example")


def test_only_under_a_public_comment_of_ones_sites(session, app, new_comment, approve):
    pending = new_comment()
    with pytest.raises(ValidationError, match="Approve the comment first"):
        _answer(session, app, pending.id)
    approve(pending)
    with pytest.raises(NotFound):
        _answer(session, app, pending.id, site_ids={pending.site_id + 1})
    with pytest.raises(ValidationError):
        _answer(session, app, pending.id, body="   ")
