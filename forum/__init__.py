"""The forum's application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def create_app(config_class: type | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error pages, CLI."""
    from config import config_from_env

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class or config_from_env())
    app.config.from_prefixed_env("FORUM")
    configure_database(app)
    check_production(app)
    register_extensions(app)
    register_converters(app)
    register_query_count(app)
    register_guest_cache(app)
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


def check_production(app: Flask) -> None:
    """Refuse to run in production with a weak secret or debug on."""
    if app.config.get("PRODUCTION"):
        key = app.config.get("SECRET_KEY") or ""
        if len(key) < 32 or key.startswith("dev-"):
            raise RuntimeError(
                "FORUM_SECRET_KEY must be set to a random string of at least 32 characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if app.debug:
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


def register_guest_cache(app: Flask) -> None:
    from forum import fragments, guestcache

    guestcache.register(app)
    fragments.register(app)


def register_blueprints(app: Flask) -> None:
    from forum import accounts, admin, digests, moderation, mydata, pages, resources, threads
    from forum.dev import bp as dev_bp
    from forum.notebook import bp as notebook_bp

    blueprints = (accounts.bp, threads.bp, moderation.bp, moderation.flags_bp, mydata.bp, pages.bp,
                  admin.bp, resources.bp, digests.bp, notebook_bp)
    for bp in (*blueprints, dev_bp):
        app.register_blueprint(bp)


def register_error_handlers(app: Flask) -> None:
    from forum.errors import register

    register(app)


def register_security(app: Flask) -> None:
    from forum.security import register

    register(app)


def register_cli(app: Flask) -> None:
    """`flask db backup` joins Flask-Migrate's `db` group (blueprint groups add the rest)."""
    from forum.backup import register

    register(app)


def register_templating(app: Flask) -> None:
    from forum.templating import register

    register(app)
