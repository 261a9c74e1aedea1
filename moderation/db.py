"""The database: the models' base, the session, and SQLite's pragmas and queue of writers.

One rule for loaded objects: the session never expires them on commit (``expire_on_commit`` is
off), so what a request loaded or wrote stays readable after its commit without a query; the few
writes that bypass the ORM (``comments/writes.py``) refresh what they change themselves.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Stable constraint names, so Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The models' base: typed declarative mapping, one metadata with stable constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

#: Set for a request or command that will write. On SQLite its transaction then starts with
#: ``BEGIN IMMEDIATE``: the write lock is taken up front, so a writer waits its turn under the
#: busy timeout instead of failing with "database is locked" when it upgrades a read lock.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)

SQLITE_BUSY_TIMEOUT_SECONDS = 30


@contextmanager
def read_phase(session: Session) -> Iterator[None]:
    """The reads of a writing request, done before it takes the write lock.

    A submission reads a dozen things to screen itself (the site, the article, bans, the
    author's record, spam statistics) and then writes a few rows. On SQLite a writing request's
    transaction starts with ``BEGIN IMMEDIATE``: the database's one write lock would be held from
    the first read, and every other writer would wait out the screening as well. In this block
    transactions start as readers; leaving it ends the read transaction (what was loaded stays
    loaded), so the next statement starts the write transaction. What may have
    changed in between and must be current, the writer reads again. (On PostgreSQL, which locks
    rows and not the database, the commit is not needed; dropping it measured 6% slower.)
    """
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)
    session.commit()  # nothing to write: this only ends the read transaction


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions wait their turn in a kernel queue.

    SQLite lets one writer in at a time; the others retry under the busy timeout, sleeping 1, 2,
    5, 10 ms and more between tries, so under a burst of submissions the lock often sits free
    while every writer sleeps (measured here: a fifth to two fifths of the CPU idle). Before
    ``BEGIN IMMEDIATE`` a writer takes an exclusive ``flock`` on a file beside the database, and
    the kernel hands it to the next waiter the moment the commit or rollback releases it.
    Writers that do not take it (the sqlite3 shell, another program) meet the busy timeout as
    before.
    """

    _turn_fd: int | None = None
    _has_turn = False

    def wait_for_write_turn(self, lock_path: str) -> None:
        if self._turn_fd is None:
            self._turn_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._turn_fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        self._has_turn = True

    def end_write_turn(self) -> None:
        if self._has_turn and self._turn_fd is not None:
            self._has_turn = False
            fcntl.flock(self._turn_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_write_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_write_turn()

    def close(self) -> None:
        try:
            self.end_write_turn()
            if self._turn_fd is not None:
                os.close(self._turn_fd)
                self._turn_fd = None
        finally:
            super().close()


def owner_only(path: str) -> None:
    """Make a database file we own readable by us alone (0o600): it holds readers' emails and
    texts. Files of another owner (an operator's choice) are left as they are."""
    try:
        found = os.stat(path)
    except OSError:
        return
    if found.st_uid == os.getuid() and found.st_mode & 0o077:
        os.chmod(path, 0o600)


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, explicit transactions and queued writers for a SQLite engine, and a
    database file readable by its owner only."""
    database = engine.url.database
    queue_path = f"{database}-writers.lock" if database and database != ":memory:" else None

    @event.listens_for(engine, "first_connect")
    def _on_first_connect(_dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Before WAL is turned on: SQLite gives the -wal and -shm files the database's mode.
        if queue_path is not None and database is not None:
            owner_only(database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module so BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # Straight to the driver: through Core's execution, a BEGIN cost as much as a query.
        dbapi_connection = connection.connection.dbapi_connection
        if not write_intent.get():
            dbapi_connection.execute("BEGIN").close()
            return
        queued = queue_path is not None and isinstance(dbapi_connection, QueuedWriterConnection)
        if queued:
            dbapi_connection.wait_for_write_turn(queue_path)
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE").close()
        except BaseException:
            if queued:
                dbapi_connection.end_write_turn()
            raise


def engine_options(url: str) -> dict[str, Any]:
    """Engine settings per database: SQLite's queued writers, PostgreSQL's pool."""
    if url.startswith("sqlite"):
        return {
            "connect_args": {
                "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                "check_same_thread": False,
                "factory": QueuedWriterConnection,
            }
        }
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}
