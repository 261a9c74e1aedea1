"""Many rows into one table, on the driver's ``executemany``, with what is the same in every row
converted once.

``prepared.Prepared.run_many`` converts every value of every row through its column's bind
processor. An import writes three rows a comment, and half their values are the same for all
of them (the site, the actor, the time of the import, empty lists): measured on SQLite, those
conversions cost as much as the writes. Here they are converted once per batch; the rest go
through the same processors as ever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from ..models import Comment
from ..prepared import Prepared


class BulkInsert(Prepared):
    """An ``insert()`` of every column of ``table`` but its generated key (unless
    ``with_id``)."""

    def __init__(self, table: Table, with_id: bool = False) -> None:
        keys = [c.key for c in table.columns if with_id or not c.primary_key]
        super().__init__(insert(table), column_keys=keys)

    def insert_rows(
        self, session: Session, constant: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Write ``rows``, each completed by ``constant`` (what every row shares)."""
        if not rows:
            return
        connection = session.connection()
        engine = connection.engine
        compiled = self._for(engine.dialect)
        processors = dict(compiled.binds)
        shared = {
            name: processors[name](value) if name in processors else value
            for name, value in constant.items()
        }
        varying = [(name, processors.get(name)) for name in rows[0] if name not in constant]
        parameters: list[Any] = []
        if compiled.positions is None:
            for row in rows:
                values = dict(shared)
                for name, processor in varying:
                    value = row[name]
                    values[name] = processor(value) if processor is not None else value
                parameters.append(values)
        else:
            # Positional (SQLite): each row a list in the statement's order, built directly.
            slots = [
                (False, shared[n], None) if n in shared else (True, n, processors.get(n))
                for n in compiled.positions
            ]
            for row in rows:
                parameters.append(
                    [
                        (p(row[v]) if p is not None else row[v]) if is_varying else v
                        for is_varying, v, p in slots
                    ]
                )
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if engine.dispatch.before_cursor_execute:
                engine.dispatch.before_cursor_execute(
                    connection, cursor, compiled.sql, parameters, None, True
                )
            cursor.executemany(compiled.sql, parameters)
        finally:
            cursor.close()


def reserve_ids(session: Session, count: int) -> list[int]:
    """``count`` new comment ids, ascending. PostgreSQL hands them out of the table's sequence,
    as an insert would. SQLite's next id is the largest plus one, and an import's transaction
    holds the database's one write lock (a command's begins with ``BEGIN IMMEDIATE``, see
    ``db.write_intent``; in any case it holds the lock from its first write), so no other writer
    takes these ids before it commits. Were that ever not so, a taken id would fail the insert
    on the primary key: it could not go to the wrong row."""
    if session.get_bind().dialect.name == "postgresql":
        reserved = session.scalars(
            select(func.nextval(func.pg_get_serial_sequence("comments", "id"))).select_from(
                func.generate_series(1, count)
            )
        )
        return sorted(reserved)
    largest = session.scalar(select(func.max(Comment.id))) or 0
    return list(range(largest + 1, largest + 1 + count))
