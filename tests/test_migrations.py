"""Migrations: a database built by ``moderation init`` has exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from moderation import create_app
from moderation.db import db
from moderation.migrate import current_revision, head_revision, upgrade_database

from .conftest import postgres_schema


def _fresh_app(url: str, tmp_path):
    return create_app(
        {"database_url": url, "instance_path": str(tmp_path / "i"), "secret_key": "k"}
    )


def _assert_schema_matches_models(app) -> None:
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
        )
    assert diff == [], f"models and migrations differ: {diff}"


def _upgrade_with_data_on_the_way(app) -> None:
    """A deployed database with rows in it upgrades in place, revision by revision."""
    upgrade_database(app, "0001")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sites (slug, name, origins, moderation_mode, edit_window_minutes,"
                " closed, created_at) VALUES ('old', 'Old', '[]', 'pre', 15, false,"
                " CURRENT_TIMESTAMP)"
            )
        )
    assert upgrade_database(app) == head_revision()
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("SELECT slug FROM sites")).scalar() == "old"


def test_upgrade_keeps_existing_rows_on_sqlite(tmp_path):
    _upgrade_with_data_on_the_way(_fresh_app(f"sqlite:///{tmp_path / 'u.sqlite3'}", tmp_path))


def test_init_builds_the_models_schema_on_sqlite(tmp_path):
    app = _fresh_app(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path)
    assert current_revision(app) is None
    assert upgrade_database(app) == head_revision()
    _assert_schema_matches_models(app)
    # Upgrading again is a no-op, not an error.
    assert upgrade_database(app) == head_revision()
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_init_builds_the_models_schema_on_postgresql(tmp_path):
    with postgres_schema("mig") as url:
        app = _fresh_app(url, tmp_path)
        _upgrade_with_data_on_the_way(app)
        _assert_schema_matches_models(app)
        with app.app_context():
            indexes = {i["name"] for i in inspect(db.engine).get_indexes("comments")}
            db.engine.dispose()
        assert {"ix_comments_queue", "ix_comments_thread"} <= indexes


def _deployed_at_0007_with_an_author_ban(app) -> None:
    upgrade_database(app, "0007")
    statements = [
        "INSERT INTO sites (id, slug, name, origins, moderation_mode, edit_window_minutes, closed,"
        " rule_settings, created_at, queue_version) VALUES (1, 'old', 'Old', '[]', 'pre', 15,"
        " false, '{}', CURRENT_TIMESTAMP, 0)",
        "INSERT INTO articles (id, site_id, key, closed, public_count, version, created_at)"
        " VALUES (1, 1, 'a', false, 0, 1, CURRENT_TIMESTAMP)",
        "INSERT INTO comments (id, site_id, article_id, depth, author_name, author_email,"
        " author_key, body_text, html, status, held_because, edit_token_hash, open_flag_count,"
        " created_at) VALUES (1, 1, 1, 0, 'Troll', 'Troll@Example.org', 'k', 'x', 'x',"
        " 'rejected', '[]', 'h', 0, CURRENT_TIMESTAMP)",
        "INSERT INTO bans (site_id, kind, value_hash, label, comment_id, created_by, created_at)"
        " VALUES (1, 'author', 'k', 'Troll', 1, 'moderator:m', CURRENT_TIMESTAMP)",
    ]
    with app.app_context(), db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _assert_the_ban_goes_on_by_email(app) -> None:
    from moderation.identity import email_hash

    assert upgrade_database(app) == head_revision()
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, value_hash FROM bans ORDER BY id")).all()
    expected = email_hash(app.config["SECRET_KEY"], 1, "troll@example.org")
    assert [tuple(r) for r in rows] == [("author", "k"), ("email", expected)]


def test_author_bans_go_on_as_email_bans_on_sqlite(tmp_path):
    app = _fresh_app(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path)
    _deployed_at_0007_with_an_author_ban(app)
    _assert_the_ban_goes_on_by_email(app)


def test_author_bans_go_on_as_email_bans_on_postgresql(tmp_path):
    with postgres_schema("migban") as url:
        app = _fresh_app(url, tmp_path)
        _deployed_at_0007_with_an_author_ban(app)
        _assert_the_ban_goes_on_by_email(app)
        with app.app_context():
            db.engine.dispose()
