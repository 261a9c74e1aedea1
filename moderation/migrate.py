"""Schema migrations with Alembic: create a new database or upgrade a deployed one in place."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from .db import db, write_intent

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_database(app: Flask, revision: str = "head") -> str:
    """Bring the app's database to ``revision`` (the newest by default); returns the revision."""
    config = alembic_config()
    token = write_intent.set(True)
    try:
        # A plain connection: Alembic runs each migration in a transaction of its own, and a
        # migration may step out of it (an index built concurrently on PostgreSQL).
        with app.app_context(), db.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
    finally:
        write_intent.reset(token)
    return current_revision(app) or "base"


def current_revision(app: Flask) -> str | None:
    with app.app_context(), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
