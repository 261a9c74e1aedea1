"""Reactions through the core: one per reader, counts in SQL, and the article's reaction mark."""

from __future__ import annotations

import pytest

from moderation.comments import reactions
from moderation.errors import AlreadyReacted, IdentityRequired, NotFound
from moderation.models import Article, Comment, Status


def _public(session, new_comment, approve) -> Comment:
    comment = new_comment()
    approve(comment)
    return comment


def test_react_and_take_back(session, new_comment, approve):
    comment = _public(session, new_comment, approve)
    assert reactions.react(session, comment, "k1") == 1
    assert reactions.react(session, comment, "k2") == 2
    with pytest.raises(AlreadyReacted):
        reactions.react(session, comment, "k1")
    assert reactions.unreact(session, comment, "k1") == 1
    with pytest.raises(NotFound):
        reactions.unreact(session, comment, "k1")
    session.commit()
    assert session.get_one(Comment, comment.id).reactions == 1


def test_a_reaction_marks_its_second_and_not_the_version(session, new_comment, approve):
    comment = _public(session, new_comment, approve)
    article = session.get_one(Article, comment.article_id)
    version = article.version
    reactions.react(session, comment, "k1")
    session.commit()
    session.refresh(article)
    assert article.version == version
    assert article.reacted_second is not None


def test_who_reacts(session, new_comment, approve, app):
    comment = _public(session, new_comment, approve)
    secret = app.config["SECRET_KEY"]
    _, _, guest = reactions.reactor(
        session, comment.id, secret_key=secret, token=None, guest_key="g" * 32
    )
    _, _, other = reactions.reactor(
        session, comment.id, secret_key=secret, token=None, guest_key="h" * 32
    )
    assert guest != other
    with pytest.raises(IdentityRequired):
        reactions.reactor(session, comment.id, secret_key=secret, token=None, guest_key=None)


def test_only_public_comments_take_reactions(session, new_comment, app):
    comment = new_comment()
    assert comment.status is Status.PENDING
    with pytest.raises(NotFound):
        reactions.reactor(
            session, comment.id, secret_key=app.config["SECRET_KEY"], token=None, guest_key="g" * 32
        )
