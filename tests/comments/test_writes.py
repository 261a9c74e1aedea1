"""The writes done on the driver: their values come from the models, defaults included, and the
session never shows an old count afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.comments import writes
from moderation.models import Action, Article, Comment, Decision, Site, Status


def test_every_column_of_a_comment_gets_its_value_or_its_default():
    row = writes.with_defaults(Comment, {"body_text": "x"})
    columns = {c.key for c in Comment.__table__.columns} - {"id"}
    assert set(row) == columns
    assert row["open_flag_count"] == 0 and row["held_because"] == [] and row["depth"] == 0
    assert row["created_at"] is not None
    assert writes.with_defaults(Comment, {})["held_because"] is not row["held_because"]


def test_an_unknown_column_is_an_error():
    with pytest.raises(ValueError, match="no column"):
        writes.with_defaults(Comment, {"colour": "red"})


def test_an_inserted_comment_is_the_sessions_own_and_in_the_table(session):
    site = session.scalars(select(Site)).one()
    article = Article(site_id=site.id, key="/a")
    session.add(article)
    session.flush()
    comment = writes.insert_comment(
        session, site_id=site.id, article_id=article.id, author_name="Ann", author_key="k",
        body_text="Hi", html="<p>Hi</p>", status=Status.PENDING, edit_token_hash="h",
    )  # fmt: skip
    session.commit()
    session.expire_all()
    assert session.get(Comment, comment.id).html == "<p>Hi</p>"


def test_the_log_keeps_the_order_it_was_given(session, new_comment):
    comment = new_comment()
    entries = [
        writes.LogEntry(comment.site_id, comment.id, "system:a", Action.HOLD, None, Status.PENDING),
        writes.LogEntry(comment.site_id, comment.id, "system:b", Action.HOLD, None, Status.PENDING),
    ]
    writes.log(session, entries)
    session.commit()
    actors = session.scalars(
        select(Decision.actor).where(Decision.comment_id == comment.id).order_by(Decision.id)
    )
    assert list(actors)[-2:] == ["system:a", "system:b"]


def test_counters_move_in_sql_and_loaded_objects_see_it(session, new_comment):
    comment = new_comment()
    article = session.get_one(Article, comment.article_id)
    site = session.get_one(Site, comment.site_id)
    version, queue_version = article.version, site.queue_version
    writes.adjust_articles(session, {article.id: +2})
    writes.queue_changed(session, [site.id])
    assert (article.public_count, article.version) == (2, version + 1)
    assert site.queue_version == queue_version + 1
