"""A full disk or a read-only SQLite file: a clear 503, no corruption, and service resumes.

Runs on its own SQLite file whatever --db says (these are SQLite's failures).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from sqlalchemy import event

from forum.extensions import db
from tests import factories as f
from tests.conftest import _fresh_request_globals, make_config
from tests.hostile.faults import invariants


@contextmanager
def sqlite_app(url: str, *, create: bool = False):
    from forum import create_app

    app = create_app(make_config(url))
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    with app.app_context():
        if create:
            db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _signed_in(app, user_id_token: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id_token
        session["_fresh"] = True
    return client


def _integrity(path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _seed(app):
    from forum.accounts.services import start_session

    category = f.make_category("disk")
    member = f.make_user("disk_member")
    f.make_thread(member, category, title="Before the disk filled up")
    start_session(member, "pytest")
    return member.get_id(), category.slug


def _new_thread(client, slug, n, size=20_000):
    return client.post(
        "/threads/new",
        data={
            "category": slug,
            "title": f"Long story number {n}",
            "body": ("A long story. " * 2000)[:size],
            "token": "",
        },
    )


def test_disk_full(tmp_path):
    path = tmp_path / "forum.sqlite3"
    with sqlite_app(f"sqlite:///{path}", create=True) as app:
        login, slug = _seed(app)
        db.session.remove()
        db.engine.dispose()

        def cap(dbapi_connection, record):  # a real SQLITE_FULL: the file may not grow
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        event.listen(db.engine, "connect", cap)
        client = _signed_in(app, login)
        statuses = [_new_thread(client, slug, n).status_code for n in range(6)]
        assert 503 in statuses, statuses
        failed = _new_thread(client, slug, 99)
        assert failed.status_code == 503
        assert b"briefly unavailable" in failed.data
        assert client.get("/").status_code == 200  # reading still works
        assert not invariants()

        event.remove(db.engine, "connect", cap)  # space freed
        db.session.remove()
        db.engine.dispose()
        assert _new_thread(client, slug, 100).status_code == 302
        assert not invariants()
    assert _integrity(path) == "ok"


def test_read_only_database(tmp_path):
    path = tmp_path / "forum.sqlite3"
    with sqlite_app(f"sqlite:///{path}", create=True) as app:
        login, slug = _seed(app)
    path.chmod(0o444)  # and opened read-only below: root ignores file modes
    try:
        with sqlite_app(f"sqlite:///file:{path}?mode=ro&uri=true") as app:
            client = _signed_in(app, login)
            assert client.get("/").status_code == 200
            response = _new_thread(client, slug, 1, size=200)
            assert response.status_code == 503
            assert b"briefly unavailable" in response.data
            assert client.get("/").status_code == 200
            assert not invariants()
    finally:
        path.chmod(0o644)
    assert _integrity(path) == "ok"
