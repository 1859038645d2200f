"""The statements of every signed-in page, run on the driver's cursor.

Each signed-in page runs the sign-in statement (forum.accounts.services) and a
thread page the thread statement (forum.threads.services). Executed through
SQLAlchemy, most of their cost was SQLAlchemy's and not the database's: the
compiled-cache lookup hashes the whole statement's cache key, the parameters
and the result are processed through generic machinery (the thread statement:
about 200 µs a run against 40 µs on the cursor). In one process the two took
38% of a signed-in thread page's time through SQLAlchemy, 26% this way.

A `FixedStatement` is compiled by SQLAlchemy once per dialect, so the SQL is
exactly what `Connection.execute` would send, and then runs on the
connection's own DBAPI cursor, inside whatever transaction the connection is
in. It applies the types' own bind and result processors, and tells the
engine's `before_cursor_execute` listeners about itself as `execute` does
(statement counts in tests and the benchmark). An error goes through
SQLAlchemy's own error handling, as in `execute`: wrapped in its DBAPIError
classes, and a connection that died invalidated with the rest of the pool.
Only for statements built once, whose parameters are all plain values: an
expanding IN list would change the SQL with every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Connection, Dialect


@dataclass(frozen=True)
class _Plan:
    sql: str
    order: tuple[str, ...] | None  # positional paramstyles: the parameter of each placeholder
    constants: dict[str, Any]  # values the statement binds itself (Post.number == 1), processed
    given: frozenset[str]  # the caller's parameters that the statement uses
    binds: dict[str, Callable]  # and the processors of those that have one
    keys: tuple[str, ...]  # the result columns' names
    results: tuple[Callable | None, ...]  # and their processors


class FixedStatement:
    """A statement built once, run with new parameters on every request (`first`)."""

    def __init__(self, statement: Select, parameters: tuple[str, ...]):
        """`parameters`: the names of the bound parameters each call may give (those the
        statement does not use are left out)."""
        self.statement = statement
        self.parameters = frozenset(parameters)
        self._plans: dict[str, _Plan] = {}  # by dialect; one dict assignment: thread-safe

    def first(self, connection: Connection, params: Mapping[str, Any]) -> dict | None:
        """The first row as {column name: value}, typed as SQLAlchemy would give it."""
        plan = self._plans.get(connection.dialect.name)
        if plan is None:
            plan = self._plans[connection.dialect.name] = self._compile(connection.dialect)
        values = dict(plan.constants)
        for name, value in params.items():
            if name not in plan.given:
                continue
            process = plan.binds.get(name)
            values[name] = value if process is None or value is None else process(value)
        sql, args = plan.sql, values if plan.order is None else tuple(values[n] for n in plan.order)
        cursor = None
        try:
            cursor = connection.connection.cursor()
            for listener in connection.dispatch.before_cursor_execute:  # as execute does
                sql, args = listener(connection, cursor, sql, args, None, False)
            cursor.execute(sql, args)
            row = cursor.fetchone()
        except BaseException as error:
            # SQLAlchemy's own handling, as in Connection.execute (a private method: a
            # SQLAlchemy that renamed it fails tests/test_fixed.py): the error in its
            # DBAPIError classes, and a dead connection invalidated with the pool.
            connection._handle_dbapi_exception(error, sql, args, cursor, None)
            raise
        cursor.close()
        if row is None:
            return None
        return {key: value if process is None or value is None else process(value)
                for key, process, value in zip(plan.keys, plan.results, row, strict=True)}

    def _compile(self, dialect: Dialect) -> _Plan:
        compiled = self.statement.compile(dialect=dialect)
        stand_ins = {name: 0 for name in self.parameters}
        expanded = compiled.construct_expanded_state(stand_ins)  # literal_execute rendered
        binds = {}
        constants = {}
        for name, value in expanded.parameters.items():
            bind = compiled.binds.get(name)
            if bind is None or getattr(bind, "expanding", False):
                raise ValueError(f"FixedStatement: parameter {name!r} is not a plain bind")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if name in self.parameters:
                if process is not None:
                    binds[name] = process
            else:
                constants[name] = value if process is None or value is None else process(value)
        columns = list(self.statement.selected_columns)
        return _Plan(
            sql=expanded.statement,
            order=tuple(expanded.positiontup) if expanded.positiontup is not None else None,
            constants=constants,
            given=self.parameters & expanded.parameters.keys(),
            binds=binds,
            keys=tuple(c.key for c in columns),
            results=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                          for c in columns),
        )
