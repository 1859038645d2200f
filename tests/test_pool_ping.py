"""Pooled connections are tried only after sitting idle (forum/__init__.py), and a stale one
is replaced before a request sees it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import DisconnectionError

import forum
from forum.extensions import db
from tests.hostile.faults import _kill_pid


class Record:
    def __init__(self, idle_for: float | None):
        self.info = {} if idle_for is None else {"idle_since": time.monotonic() - idle_for}


class Connection:
    """A DBAPI connection stand-in that records what it ran."""

    def __init__(self, fails: bool = False):
        self.ran, self.fails, self.autocommit, self.closed = [], fails, False, False

    def cursor(self):
        connection = self

        class Cursor:
            def execute(self, sql):
                connection.ran.append((sql, connection.autocommit))
                if connection.fails:
                    raise OSError("server closed the connection unexpectedly")

            def close(self):
                pass

        return Cursor()


def test_a_connection_used_recently_is_handed_out_untried():
    connection = Connection()
    forum._ping_if_idle(connection, Record(idle_for=1.0), None)
    forum._ping_if_idle(connection, Record(idle_for=None), None)  # new: nothing to try
    assert connection.ran == []


def test_an_idle_connection_is_tried_outside_a_transaction():
    connection = Connection()
    forum._ping_if_idle(connection, Record(idle_for=forum.PING_AFTER_IDLE_SECONDS + 1), None)
    assert connection.ran == [("SELECT 1", True)]  # autocommit: the ping opens no transaction
    assert connection.autocommit is False  # and the connection is as it was


def test_a_dead_idle_connection_is_reported_to_the_pool():
    with pytest.raises(DisconnectionError):
        forum._ping_if_idle(Connection(fails=True), Record(idle_for=3600), None)


def test_a_restarted_server_costs_no_request_after_an_idle_spell(app, client, monkeypatch):
    monkeypatch.setattr(forum, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout is "idle"
    assert client.get("/").status_code == 200
    db.session.remove()
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:  # (a SQLite file has no server to lose: its connections are never tried)
        with db.engine.connect() as conn:  # the pooled connection the next request gets
            pid = conn.connection.driver_connection.info.backend_pid
        _kill_pid(pid)  # what a restart does to every pooled connection
    assert client.get("/").status_code == 200
    if postgresql:
        with db.engine.connect() as conn:
            assert conn.connection.driver_connection.info.backend_pid != pid
