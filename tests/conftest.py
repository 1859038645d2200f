"""Shared fixtures: one schema per run, a fresh app and empty tables per test.

`pytest` runs on SQLite; `pytest --db postgres` runs the same tests on the
database named by FORUM_TEST_DATABASE_URL. Under FORUM_REQUIRE_ALL=1 a missing
tool is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from config import TestingConfig

REQUIRE_ALL = os.environ.get("FORUM_REQUIRE_ALL") == "1"

# A test run must never pick up a developer's own settings.
for _name in list(os.environ):
    if (_name.startswith("FORUM_") and not _name.startswith("FORUM_TEST_")
            and _name != "FORUM_REQUIRE_ALL"):
        del os.environ[_name]


def pytest_addoption(parser):
    parser.addoption("--db", default="sqlite", choices=["sqlite", "postgres"],
                     help="database for the suite (postgres uses FORUM_TEST_DATABASE_URL)")


def missing_tool(reason: str) -> None:
    """Skip for a tool that is truly missing; fail when CI requires everything."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (FORUM_REQUIRE_ALL=1)")
    pytest.skip(reason)


class StillClock:
    """The time module as forum.assembly.blocks reads it, stopped at `now` (the test's start
    by default)."""

    def __init__(self, now: float | None = None):
        import time

        self._real, self._now = time, time.time() if now is None else now

    def time(self) -> float:
        return self._now

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.fixture(autouse=True)
def _kept_blocks_keep_their_minute(monkeypatch):
    """Kept blocks are re-rendered when their minute turns ("3 minutes ago" stays right,
    forum.assembly.blocks._bucket); a minute turning in the middle of a test that counts
    statements or rendered templates would count that re-render. Tests of the turning
    move this clock on themselves (tests/test_assembly.py)."""
    from forum.assembly import blocks

    monkeypatch.setattr(blocks, "time", StillClock())


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    if request.config.getoption("--db") == "postgres":
        url = os.environ.get("FORUM_TEST_DATABASE_URL")
        if not url:
            missing_tool("FORUM_TEST_DATABASE_URL is not set")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def make_config(database_url: str, **overrides) -> type:
    return type("RunConfig", (TestingConfig,), {"DATABASE_URL": database_url, **overrides})


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run."""
    from forum import create_app
    from forum.extensions import db

    app = create_app(make_config(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


def clear_tables() -> None:
    from sqlalchemy import text

    from forum.assembly.versions import SEED_SQL
    from forum.extensions import db

    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(text(SEED_SQL))  # as a new database has it: page caches rely on it


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change settings (e.g. enable rate limits)."""
    return {}


def _fresh_request_globals() -> None:
    from flask import g

    for name in list(vars(g)):
        delattr(g, name)


_apps: dict = {}


@pytest.fixture
def app(_schema, tmp_path, config_overrides):
    """An app per distinct config, reused across tests (building the URL map is slow);
    its config, outbox and rate-limit counters are reset after every test."""
    from forum import create_app
    from forum.extensions import db, limiter

    key = (_schema, tuple(sorted(config_overrides.items())))
    if key not in _apps:
        app = create_app(make_config(_schema, **config_overrides))
        # Test requests reuse the test's app context; give each request a fresh `g`
        # (signed-in user, CSRF token) as a real server would.
        app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
        _apps[key] = app
    app = _apps[key]
    # One Limiter object serves every app of the run: follow this app's setting.
    limiter.enabled = bool(app.config.get("RATELIMIT_ENABLED"))
    saved_config = dict(app.config)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        try:
            yield app
        finally:
            clear_tables()
            db.session.remove()
            app.extensions.pop("outbox", None)
            app.extensions.pop("related_stories", None)  # rankings by thread id: ids restart
            for name in ("guest_cache", "block_cache", "guest_versions"):
                if name in app.extensions:  # ids and the versions restart per test
                    app.extensions[name].clear()
            if app.config.get("RATELIMIT_ENABLED"):
                limiter.reset()
            app.config.clear()
            app.config.update(saved_config)


@pytest.fixture
def outbox(app) -> list:
    """Messages sent through the memory mail backend."""
    return app.extensions.setdefault("outbox", [])


@pytest.fixture
def login(app):
    """login(client, user): sign a test client in as user (a real sign-in session)."""
    from forum.accounts.services import start_session

    def _login(client, user):
        start_session(user, "pytest")
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture
def client_as(app, login):
    """client_as(user or None): a new test client, signed in as that user."""

    def _client(user=None):
        client = app.test_client()
        return login(client, user) if user is not None else client

    return _client


@pytest.fixture
def count_queries(app):
    """Context manager factory counting SQL statements sent to the database."""
    from contextlib import contextmanager

    from forum.extensions import db

    @contextmanager
    def _count() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn, cursor, statement, params, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return _count


@pytest.fixture
def world(app):
    """A small forum: categories, members of each role, a named and an anonymous thread."""
    from tests import factories as f

    public = f.make_category(slug="iep-meetings", name="IEP meetings")
    private = f.make_category(slug="support", name="Support for parents", visibility="members")
    member = f.make_user("member_maya")
    author = f.make_user("author_ruth", email="ruth.author@example.org")
    moderator = f.make_user("mod_river", role="moderator")
    admin = f.make_user("admin_harbor", role="admin")
    named = f.make_thread(author, public, title="Named thread about an IEP meeting")
    reply = f.make_reply(member, named, body="A reply from another member.")
    anon = f.make_thread(author, public, title="Anonymous thread about an aide", hide_author=True)
    members_thread = f.make_thread(member, private, title="Members only thread here")
    return {
        "public": public, "private": private, "member": member, "author": author,
        "moderator": moderator, "admin": admin, "named": named, "reply": reply,
        "anon": anon, "members_thread": members_thread,
    }
