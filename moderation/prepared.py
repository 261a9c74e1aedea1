"""One read statement of a hot path, run straight on a pooled driver connection.

A cached thread costs one query (its article's version) and a count request one more. Measured on
the benchmark machine, that query costs about 120 µs of CPU through the ORM session, 45 µs
through a Core connection and 10 µs on the driver: at thousands of reads a second per core, the
difference between half the framework's ceiling and most of it.

What is kept of SQLAlchemy: the statement is a ``select()``, compiled by the engine's dialect
(once per dialect and statement); values come back through the columns' own result processors;
the connection comes from, and returns to, the engine's pool (with its pre-ping and its reset);
and the engine's ``before_cursor_execute`` listeners hear of the statement as of any other, so
SQL logging and the tests' query counts see it. What is skipped: the ``Connection`` object, its
transaction and its events. Use it for single reads only: the statement runs in autocommit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect, Engine

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # names in order for positional paramstyles
    processors: tuple[Processor, ...]


class PreparedRead:
    """A ``select()`` compiled once per dialect, run without the ORM or Core's connection."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            )
            positions = tuple(sql.positiontup or ()) if sql.positional else None
            compiled = self._compiled[dialect.name] = _Compiled(str(sql), positions, processors)
        return compiled

    def all(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        compiled = self._for(engine.dialect)
        parameters: Sequence[Any] | Mapping[str, Any] = (
            params if compiled.positions is None else [params[n] for n in compiled.positions]
        )
        connection = engine.raw_connection()
        # psycopg would open a transaction for the statement (BEGIN, then ROLLBACK when the
        # pool takes the connection back): two round trips more than the read itself. SQLite's
        # connections already run single statements in autocommit.
        autocommit = engine.dialect.name == "postgresql"
        if autocommit:
            connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        try:
            cursor = connection.cursor()
            try:
                if engine.dispatch.before_cursor_execute:
                    # No Connection or execution context exists to pass: listeners get None.
                    engine.dispatch.before_cursor_execute(
                        None, cursor, compiled.sql, parameters, None, False
                    )
                cursor.execute(compiled.sql, parameters)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        finally:
            try:
                if autocommit:
                    connection.dbapi_connection.autocommit = False  # type: ignore[union-attr]
            finally:
                connection.close()  # back to the pool
        if not any(compiled.processors):
            return [tuple(row) for row in rows]
        return [
            tuple(
                p(value) if p else value for p, value in zip(compiled.processors, row, strict=True)
            )
            for row in rows
        ]

    def first(self, engine: Engine, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row; for statements that select one row (by a unique key)."""
        rows = self.all(engine, params)
        return rows[0] if rows else None
