"""The forum's application factory."""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool


def create_app(config_class: type | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error pages, CLI."""
    from config import config_from_env

    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(config_class or config_from_env())
    app.config.from_prefixed_env("FORUM")
    configure_database(app)
    configure_base_url(app)
    check_production(app)
    register_extensions(app)
    register_converters(app)
    register_query_count(app)
    register_assembly(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_templating(app)
    register_cli(app)
    return app


def configure_database(app: Flask) -> None:
    """SQLAlchemy URL from FORUM_DATABASE_URL, else a SQLite file in instance/."""
    url = app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'forum.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url


def configure_base_url(app: Flask) -> None:
    """FORUM_BASE_URL, else the local address the development server listens on (PORT)."""
    if not app.config.get("BASE_URL"):
        port = os.environ.get("PORT", "").strip()
        port = port if port.isdigit() and 0 < int(port) < 65536 else "5000"
        app.config["BASE_URL"] = f"http://127.0.0.1:{port}"


def check_production(app: Flask) -> None:
    """Signing keys (forum.secrets_file); refuse to run in production with debug on."""
    from forum import secrets_file

    secrets_file.configure(app)
    if app.config.get("PRODUCTION") and app.debug:
        raise RuntimeError("Refusing to run in production with debug on.")


# SQLite reads pages through a memory map of (up to) this much of the database file,
# not with a read() call per page into a 2 MB cache per connection: a search
# looks up a thousand posts, each on a page of its own. The map shares the OS page
# cache, so it costs no memory per connection; SQLite caps it at its build's limit.
SQLITE_MMAP_BYTES = 1 << 30


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL, a 5 s busy timeout, foreign keys and memory-mapped reads on every SQLite
    connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()


# A pooled connection idle this long is tried ("SELECT 1") before a request gets it: a
# database restart or an idle timeout ends such connections unseen. One used more recently
# is handed out as it is, so a busy server pays no round trip per request (pool_pre_ping
# paid one on every checkout, most of a PostgreSQL page's wait). A connection that died
# while in use fails that one request; SQLAlchemy then replaces every pooled connection.
PING_AFTER_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _note_idle(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    import sqlite3

    idle_since = connection_record.info.get("idle_since")
    if (idle_since is None or isinstance(dbapi_connection, sqlite3.Connection)
            or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS):
        return
    autocommit = getattr(dbapi_connection, "autocommit", None)
    try:
        if autocommit is False:
            dbapi_connection.autocommit = True  # the ping must not open a transaction
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        if autocommit is False:
            dbapi_connection.autocommit = False
    except Exception as exc:  # the pool retries with a new connection
        raise DisconnectionError(f"stale pooled connection: {exc}") from exc


def register_extensions(app: Flask) -> None:
    from forum.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from forum.resources.search_schema import include_object

    # include_object keeps autogenerate away from the full-text search tables and triggers,
    # which the migration installs with forum.resources.search_schema.
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    from forum.accounts.models import Guest

    login_manager.anonymous_user = Guest


def register_converters(app: Flask) -> None:
    """URL converters; set before any route is added, so every `<int:...>` is bounded."""
    from forum.params import register

    register(app)


def register_query_count(app: Flask) -> None:
    from forum.querycount import register

    register(app)


def register_assembly(app: Flask) -> None:
    from forum import assembly

    assembly.register(app)


def register_blueprints(app: Flask) -> None:
    from forum import (
        accounts,
        admin,
        conversations,
        digests,
        engage,
        moderation,
        mydata,
        notifications,
        pages,
        resources,
        threads,
    )
    from forum.dev import bp as dev_bp
    from forum.notebook import bp as notebook_bp

    blueprints = (accounts.bp, threads.bp, moderation.bp, moderation.flags_bp, mydata.bp, pages.bp,
                  admin.bp, resources.bp, digests.bp, notebook_bp, conversations.bp, engage.bp,
                  notifications.bp)
    for bp in (*blueprints, dev_bp):
        app.register_blueprint(bp)


def register_error_handlers(app: Flask) -> None:
    from forum.errors import register

    register(app)


def register_security(app: Flask) -> None:
    from forum import sessions
    from forum.security import register

    sessions.register(app)
    register(app)


def register_cli(app: Flask) -> None:
    """`flask db backup` joins Flask-Migrate's `db` group (blueprint groups add the rest)."""
    from forum.backup import register

    register(app)


def register_templating(app: Flask) -> None:
    from forum import urls
    from forum.templating import register

    register(app)
    urls.register(app)
