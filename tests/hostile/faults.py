"""Make the database fail on purpose, at a chosen statement, the way it really fails."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from forum.extensions import db


def invariants() -> list[str]:
    """What must hold whatever failed: no thread without its first post, counters right."""
    checks = {
        "threads without a first post": "SELECT count(*) FROM threads t WHERE NOT EXISTS "
        "(SELECT 1 FROM posts p WHERE p.thread_id = t.id AND p.number = 1)",
        "threads whose post_count is not their last post number": "SELECT count(*) FROM threads t "
        "WHERE t.post_count <> "
        "(SELECT coalesce(max(p.number), 0) FROM posts p WHERE p.thread_id = t.id)",
        "categories whose thread_count is wrong": "SELECT count(*) FROM categories c WHERE "
        "c.thread_count <> (SELECT count(*) FROM threads t WHERE t.category_id = c.id)",
        "edited posts without a revision": "SELECT count(*) FROM posts p "
        "WHERE p.edited_at IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM post_revisions r WHERE r.post_id = p.id)",
    }
    with db.engine.connect() as conn:
        return [name for name, sql in checks.items() if conn.execute(text(sql)).scalar_one()]


def _kill_backend(connection) -> None:
    """Really end a PostgreSQL connection from the server side, as a restart would."""
    _kill_pid(connection.connection.dbapi_connection.info.backend_pid)


def _fail_here(connection) -> None:
    if connection.dialect.name == "postgresql":
        _kill_backend(connection)  # the statement about to run meets a dead connection
    else:
        raise sqlite3.OperationalError("disk I/O error")


@contextmanager
def fail_at_statement(number: int, *, at_commit: bool = False):
    """The `number`th SQL statement inside the block fails (or the commit after it)."""
    seen = {"count": 0, "fired": False}
    engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        seen["count"] += 1
        if seen["count"] == number and not at_commit and not seen["fired"]:
            seen["fired"] = True
            _fail_here(conn)
        return statement, parameters

    original_commit = engine.dialect.do_commit

    def do_commit(dbapi_connection):
        if at_commit and seen["count"] >= number and not seen["fired"]:
            seen["fired"] = True
            if engine.dialect.name == "postgresql":
                _kill_pid(dbapi_connection.driver_connection.info.backend_pid)
            else:
                raise sqlite3.OperationalError("database or disk is full")
        return original_commit(dbapi_connection)

    event.listen(engine, "before_cursor_execute", before, retval=True)
    engine.dialect.do_commit = do_commit
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        engine.dialect.do_commit = original_commit


def _kill_pid(pid: int) -> None:
    """pg_terminate_backend from a second connection; waits until the backend is gone."""
    import psycopg

    url = make_url(db.engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


@contextmanager
def refuse_connections():
    """The database refuses every new connection (as a stopped server does) inside the block.

    Pooled connections are closed first, so every request must connect anew; `attempts`
    counts the connections tried, so a test can see that an error page asked for none.
    """
    engine = db.engine
    seen = {"attempts": 0}

    def refuse(dialect, connection_record, cargs, cparams):
        seen["attempts"] += 1
        if engine.dialect.name == "postgresql":
            import psycopg

            raise psycopg.OperationalError("connection refused: is the server running?")
        raise sqlite3.OperationalError("unable to open database file")

    db.session.remove()
    engine.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        yield seen
    finally:
        event.remove(engine, "do_connect", refuse)
