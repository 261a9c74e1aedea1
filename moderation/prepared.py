"""Statements of the hot paths, compiled once and run straight on the driver.

A cached thread costs one query (its article's version) and a count request one more. Measured on
the benchmark machine, that query costs about 120 µs of CPU through the ORM session, 45 µs
through a Core connection and 10 µs on the driver: at thousands of reads a second per core, the
difference between half the framework's ceiling and most of it. A submission runs a dozen
statements, and through the session they cost more than the rest of it together (bleach
included).

What is kept of SQLAlchemy: the statement is a ``select()``, ``insert()`` or ``update()``, compiled
by the engine's dialect (once per dialect and statement); values go in through the columns' own
bind processors and come back through their result processors; the connection is the pool's (with
its pre-ping and its reset) or the session's own, inside its transaction; and the engine's
``before_cursor_execute`` listeners hear of the statement as of any other, so SQL logging and the
tests' query counts see it. What is skipped: Core's execution context and result objects, the
ORM's compile step, loading, autoflush and events. So a caller that has changed ORM objects
flushes before running one of these on the session's connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session, configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any] | None
Row = tuple[Any, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # names in order for positional paramstyles
    # Values the statement carries itself (a LIMIT, a status compared with): name and value.
    defaults: tuple[tuple[str, Any], ...]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # names whose values need converting
    results: tuple[Processor, ...]


class Prepared:
    """A statement compiled once per dialect, run without the ORM or Core's execution."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        """``column_keys``: for an ``insert()`` without values, the columns it sets, each
        from the parameter of its name."""
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            sql = cast(
                SQLCompiler,
                self.statement.compile(dialect=dialect, column_keys=self.column_keys),
            )
            defaults: list[tuple[str, Any]] = []
            binds: list[tuple[str, Callable[[Any], Any]]] = []
            for bind, name in sql.bind_names.items():
                if bind.expanding:
                    # Rendered afresh for every list: the cost this module saves. A list of
                    # single values (``in_([literal(a), literal(b)])``) compiles once.
                    raise ValueError(f"{name}: expanding parameters cannot be prepared")
                if not bind.required:
                    defaults.append((name, bind.effective_value))
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                # A name used in several places (a subquery repeated) is one value: convert
                # it once.
                if processor is not None and all(name != known for known, _p in binds):
                    binds.append((name, processor))
            columns = getattr(self.statement, "exported_columns", ())
            results = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            )
            positions = tuple(sql.positiontup or ()) if sql.positional else None
            compiled = self._compiled[dialect.name] = _Compiled(
                str(sql), positions, tuple(defaults), tuple(binds), results
            )
        return compiled

    @staticmethod
    def _parameters(
        compiled: _Compiled, params: Mapping[str, Any]
    ) -> Sequence[Any] | Mapping[str, Any]:
        values = dict(compiled.defaults)
        values.update(params)
        for name, processor in compiled.binds:
            values[name] = processor(values[name])
        return values if compiled.positions is None else [values[n] for n in compiled.positions]

    @staticmethod
    def _rows(compiled: _Compiled, rows: Iterable[Sequence[Any]]) -> list[Row]:
        if not any(compiled.results):
            return [tuple(row) for row in rows]
        return [
            tuple(p(value) if p else value for p, value in zip(compiled.results, row, strict=True))
            for row in rows
        ]

    def _execute(
        self,
        engine: Engine,
        connection: Connection | None,
        dbapi_connection: Any,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    ) -> list[Row]:
        compiled = self._for(engine.dialect)
        parameters: Any
        if isinstance(params, Mapping):
            many, parameters = False, self._parameters(compiled, params)
        else:
            many, parameters = True, [self._parameters(compiled, p) for p in params]
        cursor = dbapi_connection.cursor()
        try:
            if engine.dispatch.before_cursor_execute:
                # No execution context exists to pass (nor, in autocommit, a Connection).
                engine.dispatch.before_cursor_execute(
                    connection, cursor, compiled.sql, parameters, None, many
                )
            if many:
                cursor.executemany(compiled.sql, parameters)
                return []
            cursor.execute(compiled.sql, parameters)
            rows = cursor.fetchall() if cursor.description is not None else []
        finally:
            cursor.close()
        return self._rows(compiled, rows)

    # --- In the session's transaction ---------------------------------------------------------

    def run(self, session: Session, params: Mapping[str, Any]) -> list[Row]:
        """Run in the session's transaction (beginning it as the session would); the rows, if
        the statement returns any."""
        connection = session.connection()
        return self._execute(
            connection.engine, connection, connection.connection.dbapi_connection, params
        )

    def run_many(self, session: Session, params: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once per set of parameters (``executemany``), in the session's
        transaction."""
        if params:
            connection = session.connection()
            self._execute(
                connection.engine, connection, connection.connection.dbapi_connection, params
            )

    def one_or_none(self, session: Session, params: Mapping[str, Any]) -> Row | None:
        rows = self.run(session, params)
        return rows[0] if rows else None

    def scalar(self, session: Session, params: Mapping[str, Any]) -> Any:
        rows = self.run(session, params)
        return rows[0][0] if rows else None

    # --- On its own, in autocommit ----------------------------------------------------------

    def all(self, engine: Engine, params: Mapping[str, Any]) -> list[Row]:
        """Run a read on a pooled connection, outside any transaction of the caller's."""
        connection = engine.raw_connection()
        # psycopg would open a transaction for the statement (BEGIN, then ROLLBACK when the
        # pool takes the connection back): two round trips more than the read itself. SQLite's
        # connections already run single statements in autocommit.
        autocommit = engine.dialect.name == "postgresql"
        if autocommit:
            connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        try:
            return self._execute(engine, None, connection.dbapi_connection, params)
        finally:
            try:
                if autocommit:
                    connection.dbapi_connection.autocommit = False  # type: ignore[union-attr]
            finally:
                connection.close()  # back to the pool

    def first(self, engine: Engine, params: Mapping[str, Any]) -> Row | None:
        """The first row; for statements that select one row (by a unique key)."""
        rows = self.all(engine, params)
        return rows[0] if rows else None


def entity_columns(cls: type) -> list[Any]:
    """The columns of a mapped class, in the order :func:`as_loaded` takes them."""
    return list(inspect(cls).columns)


def as_loaded(session: Session, cls: type[T], row: Row | Mapping[str, Any]) -> T:
    """The ORM object of a row (of :func:`entity_columns`, or by attribute name), in the
    session as if the session had loaded it; the one the session holds already, if any."""
    mapper = inspect(cls)
    if not mapper.configured:
        configure_mappers()  # what any query would do first; the state below needs it
    values = row if isinstance(row, Mapping) else dict(zip(mapper.columns.keys(), row, strict=True))
    identity = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    held = session.identity_map.get(identity)
    if held is not None:
        return held  # type: ignore[no-any-return]
    # Filled in as the ORM's loading fills an object, straight into its state's dict: through
    # the constructor, every attribute set records a change that the next line forgets, and
    # that cost twice as much as the rest.
    obj = mapper.class_manager.new_instance()
    instance_state(obj).dict.update(values)
    make_transient_to_detached(obj)  # every value as loaded, and the identity key
    session.add(obj)
    return obj  # type: ignore[no-any-return]
