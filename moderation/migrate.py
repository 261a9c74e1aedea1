"""Schema migrations with Alembic: create a new database or upgrade a deployed one in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.engine import Connection

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
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite alters a table by building a new one and dropping the old: with foreign
                # keys on, dropping ``sites`` would delete every row that refers to it (ON DELETE
                # CASCADE). SQLite's own recipe: keys off (only outside a transaction) while the
                # tables are rebuilt, then check that every reference still holds.
                _driver_execute(connection, "PRAGMA foreign_keys=OFF")
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                connection.commit()
                if sqlite:
                    broken = _driver_execute(connection, "PRAGMA foreign_key_check")
                    if broken:
                        raise RuntimeError(f"the upgrade left broken references: {broken[:5]}")
            finally:
                if sqlite:
                    _driver_execute(connection, "PRAGMA foreign_keys=ON")
    finally:
        write_intent.reset(token)
    return current_revision(app) or "base"


def _driver_execute(connection: Connection, sql: str) -> list[Any]:
    """Run ``sql`` on the driver's connection, outside any transaction SQLAlchemy would open."""
    cursor = connection.connection.dbapi_connection.execute(sql)  # type: ignore[union-attr]
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def current_revision(app: Flask) -> str | None:
    with app.app_context(), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
