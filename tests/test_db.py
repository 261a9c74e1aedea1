"""The database as the service creates it: SQLite's file and the instance folder are readable
by their owner only (they hold readers' emails and comments)."""

from __future__ import annotations

from sqlalchemy import text

from moderation import create_app
from moderation.db import db


def test_the_sqlite_file_and_instance_folder_are_the_owner_s_only(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"instance_path": str(instance), "database_url": ""})
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        db.engine.dispose()
    database = instance / "moderation.sqlite3"
    assert database.exists() and database.stat().st_mode & 0o077 == 0
    assert instance.stat().st_mode & 0o077 == 0
