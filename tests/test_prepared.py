"""Driver-level reads of the hot paths give what SQLAlchemy gives, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import ProgrammingError

from moderation.extensions import db
from moderation.models import Site
from moderation.prepared import PreparedRead

SITE_ROW = select(Site.id, Site.slug, Site.closed, Site.origins).where(
    Site.slug == bindparam("slug")
)


def test_rows_match_sqlalchemys_with_types_processed(app, make_site):
    make_site("open", origins=("https://a.example", "https://b.example"))
    make_site("other")
    with app.app_context():
        db.session.execute(db.update(Site).where(Site.slug == "open").values(closed=True))
        db.session.commit()
        prepared = PreparedRead(SITE_ROW)
        for slug in ("open", "other", "missing"):
            expected = db.session.execute(SITE_ROW, {"slug": slug}).all()
            assert prepared.all(db.engine, {"slug": slug}) == [tuple(r) for r in expected]
        row = prepared.first(db.engine, {"slug": "open"})
        assert row is not None
        # Decoded by the columns' own types, whatever the driver hands back.
        assert row[2] is True
        assert row[3] == ["https://a.example", "https://b.example"]
        assert prepared.first(db.engine, {"slug": "missing"}) is None


def test_the_connection_goes_back_to_the_pool_even_on_errors(app, make_site):
    make_site("open")
    with app.app_context():
        pool = db.engine.pool
        PreparedRead(SITE_ROW).first(db.engine, {"slug": "open"})
        assert pool.checkedout() == 0
        broken = PreparedRead(select(Site.id).where(Site.slug == bindparam("slug")))
        broken._for(db.engine.dialect)  # compile, then break the SQL the driver will receive
        compiled = broken._compiled[db.engine.dialect.name]
        broken._compiled[db.engine.dialect.name] = type(compiled)(
            compiled.sql.replace("sites", "no_such_table"), compiled.positions, compiled.processors
        )
        with pytest.raises(Exception) as raised:
            broken.first(db.engine, {"slug": "open"})
        assert not isinstance(raised.value, ProgrammingError)  # the driver's own error
        assert pool.checkedout() == 0
        # The pool's reset ended the failed transaction: the next read works.
        assert PreparedRead(SITE_ROW).first(db.engine, {"slug": "open"}) is not None
