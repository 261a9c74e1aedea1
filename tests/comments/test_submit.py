"""A reader's submission, through the core: stored sanitized, screened, logged and counted, or
refused with the class of its reason and nothing stored; screened before SQLite's write lock is
taken, with what changed meanwhile counted."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select, update

from moderation.comments.submit import NewComment, screen_submission, store_submission, submit
from moderation.db import db, read_phase, write_intent
from moderation.errors import ApiError, ArticleClosed, Forbidden, NotFound, ValidationError
from moderation.models import Action, Article, Comment, Decision, Site, Status

from ..conftest import PUBLISH_AT_ONCE

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


# --- The core, called directly ----------------------------------------------------------------


def test_a_submission_is_stored_sanitized_logged_and_pending(session, new_comment):
    comment = new_comment(body="Hello <script>alert(1)</script> **world**")
    assert comment.status is Status.PENDING and comment.held_because == ["premod"]
    assert "<script>" not in comment.html and "&lt;script&gt;" in comment.html
    assert comment.body_text.startswith("Hello <script>")
    [entry] = session.scalars(select(Decision).where(Decision.comment_id == comment.id))
    assert (entry.actor, entry.action, entry.to_status) == (
        "system:premod",
        Action.HOLD,
        Status.PENDING,
    )


def test_a_public_submission_counts_and_moves_the_article_on(app, make_site, session, policy):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    new = NewComment(body="Public at once.", author_name="Ann")
    first = submit(session, site_slug="open", article_key="/a", new=new, policy=policy)
    session.commit()
    article = session.get_one(Article, first.comment.article_id)
    version = article.version
    assert first.comment.status is Status.PUBLISHED and article.public_count == 1
    new = NewComment(body="And another.", author_name="Bob")
    submit(session, site_slug="open", article_key="/a", new=new, policy=policy)
    session.commit()
    assert (article.public_count, article.version) == (2, version + 1)


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"body": "<b></b>"}, ValidationError, "body"),
        ({"parent_id": 12345}, NotFound, "parent_id"),
        ({"article_url": "https://elsewhere.example/a"}, Forbidden, "article_url"),
    ],
)
def test_a_refused_submission_says_why_and_stores_nothing(
    session, new_comment, fields, error, field
):
    with pytest.raises(error) as refused:
        new_comment(**fields)
    assert refused.value.field == field
    session.rollback()
    assert session.scalar(select(func.count(Comment.id))) == 0


def test_a_submission_to_an_unknown_site_is_not_found(session, new_comment):
    with pytest.raises(NotFound):
        new_comment(site="nowhere")


def test_a_closed_article_refuses_comments(session, new_comment):
    comment = new_comment()
    session.get_one(Article, comment.article_id).closed = True
    session.commit()
    with pytest.raises(ArticleClosed) as refused:
        new_comment()
    assert (refused.value.status, refused.value.code) == (403, "article_closed")


def test_inside_a_callers_transaction_both_halves_run_in_it(session, policy):
    """No read phase of its own when the caller has a transaction open: nothing of the
    caller's is committed behind its back."""
    session.add(Site(slug="other", name="Other", origins=["https://other.example"]))
    session.flush()
    new = NewComment(body="In the caller's transaction.", author_name="Ann")
    submit(session, site_slug="other", article_key="/a", new=new, policy=policy)
    session.rollback()
    assert session.scalar(select(func.count(Site.id)).where(Site.slug == "other")) == 0


def test_a_blocked_word_in_the_authors_name_is_caught_like_one_in_the_body(
    make_site, session, new_comment
):
    make_site("open", mode="post", rules={**PUBLISH_AT_ONCE, "blocked_words": ["idiot"]})
    comment = new_comment(
        site="open", body="A perfectly polite comment.", author_name="Idiot Crétin"
    )
    assert comment.status is Status.REJECTED and comment.held_because == ["blocked_word"]
    [entry] = session.scalars(select(Decision).where(Decision.comment_id == comment.id))
    assert entry.explanation == 'blocked: name: "idiot"'
