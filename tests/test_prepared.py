"""Driver-level statements of the hot paths give what SQLAlchemy gives, on both databases."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import ProgrammingError

from moderation.db import db
from moderation.models import Article, Site
from moderation.prepared import Prepared, as_loaded, entity_columns

SITE_ROW = select(Site.id, Site.slug, Site.closed, Site.origins).where(
    Site.slug == bindparam("slug")
)


def test_rows_match_sqlalchemys_with_types_processed(app, make_site):
    make_site("open", origins=("https://a.example", "https://b.example"))
    make_site("other")
    with app.app_context():
        db.session.execute(db.update(Site).where(Site.slug == "open").values(closed=True))
        db.session.commit()
        prepared = Prepared(SITE_ROW)
        for slug in ("open", "other", "missing"):
            expected = db.session.execute(SITE_ROW, {"slug": slug}).all()
            assert prepared.all(db.engine, {"slug": slug}) == [tuple(r) for r in expected]
            assert prepared.run(db.session, {"slug": slug}) == [tuple(r) for r in expected]
        row = prepared.first(db.engine, {"slug": "open"})
        assert row is not None
        # Decoded by the columns' own types, whatever the driver hands back.
        assert row[2] is True
        assert row[3] == ["https://a.example", "https://b.example"]
        assert prepared.first(db.engine, {"slug": "missing"}) is None


def test_values_the_statement_carries_and_bind_processors_apply(app, make_site):
    make_site("one")
    make_site("two")
    with app.app_context():
        # A LIMIT and an enum compared with are parameters the caller never passes.
        stmt = Prepared(
            select(Site.slug)
            .where(Site.moderation_mode == bindparam("mode"), Site.slug != "two")
            .order_by(Site.id)
            .limit(1)
        )
        site = db.session.scalars(select(Site).where(Site.slug == "one")).one()
        assert stmt.run(db.session, {"mode": site.moderation_mode}) == [("one",)]
        other = next(m for m in type(site.moderation_mode) if m is not site.moderation_mode)
        assert stmt.run(db.session, {"mode": other}) == []


def test_writes_run_in_the_sessions_transaction(app, make_site):
    make_site("news")
    with app.app_context():
        site = db.session.scalars(select(Site).where(Site.slug == "news")).one()
        site_id = site.id
        when = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
        add_article = Prepared(
            insert(Article).returning(Article.id),
            column_keys=["site_id", "key", "closed", "public_count", "version", "created_at"],
        )
        values = {"site_id": site_id, "closed": False, "public_count": 0, "version": 1}
        first = add_article.scalar(db.session, {**values, "key": "a", "created_at": when})
        db.session.rollback()  # the insert was the session's, and goes with it
        assert db.session.scalar(select(Article.id).where(Article.key == "a")) is None

        first = add_article.scalar(db.session, {**values, "key": "a", "created_at": when})
        bump = Prepared(
            update(Article)
            .where(Article.id == bindparam("article_id"))
            .values(public_count=Article.public_count + bindparam("delta"))
        )
        bump.run(db.session, {"article_id": first, "delta": 3})
        more = Prepared(
            insert(Article),
            column_keys=["site_id", "key", "closed", "public_count", "version", "created_at"],
        )
        entries = [
            {**values, "key": f"more-{n}", "created_at": when + timedelta(seconds=n)}
            for n in range(3)
        ]
        more.run_many(db.session, entries)
        db.session.commit()

        article = db.session.get(Article, first)
        assert article is not None
        assert (article.public_count, article.created_at) == (3, when)
        added = db.session.execute(
            select(Article.key, Article.created_at).where(Article.key.like("more-%"))
        ).all()
        assert sorted(added) == [(e["key"], e["created_at"]) for e in entries]


def test_expanding_parameters_are_refused_when_compiled(app):
    with app.app_context():
        stmt = Prepared(select(Site.id).where(Site.slug.in_(bindparam("slugs", expanding=True))))
        with pytest.raises(ValueError, match="expanding"):
            stmt.run(db.session, {"slugs": ["a"]})


def test_as_loaded_objects_are_the_sessions_own(app, make_site, count_queries):
    make_site("news")
    with app.app_context():
        read = Prepared(select(*entity_columns(Site)).where(Site.slug == bindparam("slug")))
        row = read.run(db.session, {"slug": "news"})[0]
        with count_queries() as queries:
            site = as_loaded(db.session, Site, row)
            # Loaded as a whole: reading any column costs no query.
            assert (site.slug, site.closed, site.queue_version) == ("news", False, 0)
        assert queries == []
        assert as_loaded(db.session, Site, row) is site
        assert db.session.get(Site, site.id) is site
        site.name = "Renamed"  # a change to it is flushed like any other
        db.session.commit()
        db.session.expunge_all()
        assert db.session.scalars(select(Site.name)).one() == "Renamed"


def test_the_connection_goes_back_to_the_pool_even_on_errors(app, make_site):
    make_site("open")
    with app.app_context():
        pool = db.engine.pool
        Prepared(SITE_ROW).first(db.engine, {"slug": "open"})
        assert pool.checkedout() == 0
        broken = Prepared(select(Site.id).where(Site.slug == bindparam("slug")))
        broken._for(db.engine.dialect)  # compile, then break the SQL the driver will receive
        compiled = broken._compiled[db.engine.dialect.name]
        broken._compiled[db.engine.dialect.name] = dataclasses.replace(
            compiled, sql=compiled.sql.replace("sites", "no_such_table")
        )
        with pytest.raises(Exception) as raised:
            broken.first(db.engine, {"slug": "open"})
        assert not isinstance(raised.value, ProgrammingError)  # the driver's own error
        assert pool.checkedout() == 0
        # The pool's reset ended the failed transaction: the next read works.
        assert Prepared(SITE_ROW).first(db.engine, {"slug": "open"}) is not None
