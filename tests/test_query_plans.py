"""PostgreSQL's plans for the hot queries use their indexes, checked with EXPLAIN on skewed data."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, text

from moderation.comments.cursors import encode_cursor
from moderation.comments.listing import queue_counts
from moderation.db import db
from moderation.identity import token_hash
from moderation.models import Article, Comment, Site, Status, utcnow

POSTGRESQL_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
APPROVED, PENDING = 3_000, 20_000


def _seed(app) -> None:
    """A site whose approved comments come first, then a long pending queue: the shape that
    makes "status = 'pending' ORDER BY id" look cheap by the primary key."""
    with app.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "news"))
        article = Article(site_id=site.id, key="story", title="Story", public_count=APPROVED)
        db.session.add(article)
        db.session.flush()
        now = utcnow()
        rows = [
            {
                "site_id": site.id,
                "article_id": article.id,
                "depth": 0,
                "author_name": f"Reader {n}",
                "author_key": f"{n:064x}",
                "body_text": "words",
                "html": "<p>words</p>",
                "status": Status.APPROVED if n < APPROVED else Status.PENDING,
                "held_because": [],
                "edit_token_hash": token_hash(str(n)),
                "created_at": now,
            }
            for n in range(APPROVED + PENDING)
        ]
        db.session.execute(db.insert(Comment), rows)
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE comments"))
            connection.commit()


def _plan(app, statement: str, parameters) -> dict:
    with app.app_context(), db.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        (plan,) = cursor.fetchone()
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]


def _scans(plan: dict) -> list[tuple[str, str | None]]:
    found = []
    if "Relation Name" in plan:
        found.append((plan["Relation Name"], plan.get("Index Name")))
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


@POSTGRESQL_ONLY
def test_the_queue_page_reads_the_queue_index(app, client, site, auth):
    _seed(app)
    statements = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
        if "FROM articles JOIN comments" in statement or "FROM comments JOIN articles" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get("/api/v1/sites/news/queue", headers=auth)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert len(response.get_json()["comments"]) == 50
    [(statement, parameters)] = statements
    assert ("comments", "ix_comments_queue") in _scans(_plan(app, statement, parameters))

    # The premise: asked the plain way, the planner takes the primary key and filters.
    plain = (
        "SELECT comments.id FROM comments JOIN articles ON articles.id = comments.article_id "
        "WHERE comments.site_id = %(site)s AND comments.status = 'pending' "
        "ORDER BY comments.id LIMIT 51"
    )
    with app.app_context():
        site_id = db.session.scalar(db.select(Site.id).where(Site.slug == "news"))
    assert ("comments", "pk_comments") in _scans(_plan(app, plain, {"site": site_id}))


@POSTGRESQL_ONLY
def test_the_thread_and_count_reads_use_their_indexes(app, client, site):
    _seed(app)
    statements = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get("/api/v1/sites/news/articles/story/comments")
        client.get("/api/v1/sites/news/counts?article=story&article=other")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        for relation, index in _scans(_plan(app, statement, parameters)):
            if relation == "comments":
                assert index is not None, f"comments read without an index by:\n{statement}"


@POSTGRESQL_ONLY
def test_a_submissions_reads_use_their_indexes(app, client, site, post):
    """The screening reads an author's record from the author index, whatever the queue holds."""
    _seed(app)
    with app.app_context():
        engine = db.engine
    post("story", body="First words.", author_name="Reader 7")
    statements = []

    def record(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        post("story", body="Second words.", author_name="Reader 7")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    read = [
        (s, p) for s, p in statements if "FROM comments" in s and s.lstrip().startswith("SELECT")
    ]
    assert read, "the submission read no comments"
    scans = [scan for s, p in read for scan in _scans(_plan(app, s, p))]
    assert ("comments", "ix_comments_author_record") in scans
    for relation, index in scans:
        if relation == "comments":
            assert index is not None, scans


def test_a_page_deep_in_the_queue_starts_at_its_cursor(app, client, site, auth):
    """A cursor is a seek into the queue index, not a walk of the queue up to it."""
    _seed(app)
    with app.app_context():
        pending = db.session.scalars(
            db.select(Comment.id).where(Comment.status == Status.PENDING).order_by(Comment.id)
        ).all()
        dialect = db.engine.dialect.name
        engine = db.engine
    deep = PENDING - 200
    statements = []

    def record(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
        if "FROM articles JOIN comments" in statement or "FROM comments JOIN articles" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(
            "/api/v1/sites/news/queue",
            headers=auth,
            query_string={"cursor": encode_cursor(pending[deep - 1])},
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert [c["id"] for c in response.get_json()["comments"]] == pending[deep : deep + 50]
    [(statement, parameters)] = statements
    with app.app_context(), db.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            details = [row[-1] for row in cursor.fetchall()]
            assert any("ix_comments_queue" in d and "id>?" in d for d in details), details
        else:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            (plan,) = cursor.fetchone()
            plan = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
            conditions = _index_conditions(plan, "ix_comments_queue")
            # The cursor is where the index scan starts, not a filter on its rows.
            assert any(str(pending[deep - 1]) in c for c in conditions), json.dumps(plan, indent=1)


def _index_conditions(plan: dict, index: str) -> list[str]:
    found = [plan.get("Index Cond", "")] if plan.get("Index Name") == index else []
    for child in plan.get("Plans", []):
        found += _index_conditions(child, index)
    return found


def test_the_dashboard_counts_read_indexes_alone(app, site):
    """Tab counts come from the queue index and the flagged index, not from every row."""
    _seed(app)
    statements = []
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        site_id = db.session.scalar(db.select(Site.id).where(Site.slug == "news"))
        one = db.session.scalar(db.select(Comment).where(Comment.status == Status.APPROVED))
        one.open_flag_count = 2
        db.session.commit()

        def record(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
            statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", record)
        try:
            counts = queue_counts(db.session, site_ids=[site_id])
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert counts["pending"] == PENDING and counts["approved"] == APPROVED
    assert counts["flagged"] == 1
    assert len(statements) == 2
    if dialect == "sqlite":
        plans = []
        with app.app_context(), db.engine.connect() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            for statement, parameters in statements:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plans.append(" ".join(row[-1] for row in cursor.fetchall()))
        assert "COVERING INDEX ix_comments_queue" in plans[0], plans
        assert "ix_comments_flagged" in plans[1], plans
    else:
        scans = [_scans(_plan(app, s, p)) for s, p in statements]
        assert ("comments", "ix_comments_flagged") in scans[1], scans
