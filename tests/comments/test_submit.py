"""A submission is screened before the write lock is taken, and what changed meanwhile counts."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import update

from moderation.comments.submit import NewComment, screen_submission, store_submission
from moderation.db import db, read_phase, write_intent
from moderation.errors import ApiError
from moderation.models import Article, Comment

ARTICLE = "/2026/11/story"


def _screen(app, session):
    return screen_submission(
        session,
        site_slug="news",
        article_key=ARTICLE,
        new=NewComment(body="Screened first, stored second.", author_name="Ann"),
        policy=app.extensions["screening_policy"],
    )


def _other_writer_can_write(app) -> bool:
    """Whether another connection gets SQLite's write lock at once."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_screening_does_not_hold_sqlite_write_lock(app, site):
    token = write_intent.set(True)  # a writing request, as before_request marks a POST
    try:
        with app.test_request_context(method="POST"):
            session = db.session()
            with read_phase(session):
                screened = _screen(app, session)
                assert _other_writer_can_write(app)
            submitted = store_submission(session, screened)
            assert not _other_writer_can_write(app), "the write phase holds the lock"
            session.commit()
            assert submitted.comment.id is not None
    finally:
        write_intent.reset(token)


@SQLITE_ONLY
def test_without_a_read_phase_the_lock_is_held_from_the_first_read(app, site):
    """The contrast that shows the test above can fail."""
    token = write_intent.set(True)
    try:
        with app.test_request_context(method="POST"):
            _screen(app, db.session())
            assert not _other_writer_can_write(app)
            db.session.rollback()
    finally:
        write_intent.reset(token)


def test_an_article_closed_during_screening_refuses_the_comment(app, site, post):
    post(ARTICLE)  # the article exists, open
    with app.test_request_context(method="POST"):
        session = db.session()
        with read_phase(session):
            screened = _screen(app, session)
        # A moderator closes the thread between the screening and the write.
        with db.engine.begin() as other:
            other.execute(update(Article).where(Article.key == ARTICLE).values(closed=True))
        with pytest.raises(ApiError) as refused:
            store_submission(session, screened)
        assert refused.value.code == "article_closed"
        session.rollback()
        assert session.query(Comment).count() == 1
