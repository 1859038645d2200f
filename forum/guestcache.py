"""Pages that are the same for every guest, rendered once per change.

A guest's page depends only on its URL, the forum's content and the clock
("3 minutes ago"). So every statement that writes content also bumps one
counter, content_version.version, in the same transaction; a view decorated
with @guest_cached keeps guests' pages in a small per-process LRU under
(URL, version, minute) and sends them with an ETag, so a browser's
If-None-Match gets a 304. A worker reads the version at most once per
GUEST_VERSION_SECONDS, so a kept page costs no database round trip.
Signed-in members, requests with a flash message, and anything but a plain
200 that leaves the session untouched and holds no CSRF token are never
cached: those pages are personal.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import DDL, BigInteger, event, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db

# Writes to these tables never change what a guest sees.
# Tables whose writes never change what a guest sees on a cached page.
NOT_CONTENT = frozenset({
    "login_sessions", "content_version", "digest_deliveries", "digest_preferences",
    "digest_category_choices", "digest_tag_choices", "thread_follows", "audit_entries",
    "member_notices", "flags", "site_settings", "alembic_version",
})
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
VERSION_SQL = "SELECT version FROM content_version WHERE id = 1"
BUMP_SQL = "UPDATE content_version SET version = version + 1 WHERE id = 1"
# The migration must create this row too (create_all does it through the listener below).
SEED_SQL = "INSERT INTO content_version (id, version) VALUES (1, 0)"


class ContentVersion(db.Model):
    """One row: bumped by every write to content, read by every cached guest page."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


event.listen(ContentVersion.__table__, "after_create", DDL(SEED_SQL))


def _bump_on_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """Before the first content write of a transaction, bump the version in that transaction."""
    if conn.info.get("content_bumped"):
        return
    match = _WRITE.match(statement)
    if match is None or match.group(1).lower() in NOT_CONTENT:
        return
    conn.info["content_bumped"] = True
    bump = cursor.connection.cursor()
    try:
        bump.execute(BUMP_SQL)
    finally:
        bump.close()


def _end_transaction(conn) -> None:
    if conn.invalidated:
        # A dead connection (server restart, killed backend): its info goes with it, and
        # touching conn.info would raise PendingRollbackError inside the rollback itself.
        return
    conn.info.pop("content_bumped", None)


class PageCache:
    """A small thread-safe LRU of rendered guest pages."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def register(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _bump_on_write)
    event.listen(engine, "commit", _end_transaction)
    event.listen(engine, "rollback", _end_transaction)
    size = app.config.get("GUEST_CACHE_SIZE", 0)
    if size:
        app.extensions["guest_cache"] = PageCache(size)
        app.extensions["guest_version"] = VersionMemo()


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and "guest_cache" in current_app.extensions
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def _personal(response) -> bool:
    """The page holds something of this visitor's: a session change, a cookie, a CSRF token."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return session.modified or "Set-Cookie" in response.headers or field in g


class VersionMemo:
    """The content version as last read by this worker, reused for GUEST_VERSION_SECONDS.

    Read before a page is rendered, a memo can only be older than what the page
    shows, never newer: a page is never kept under a version it does not include.
    """

    def __init__(self):
        self.version, self.read_at = None, float("-inf")

    def get(self) -> int | None:
        seconds = current_app.config.get("GUEST_VERSION_SECONDS", 0)
        now = time.monotonic()
        if self.version is None or now - self.read_at >= seconds:
            self.version = db.session.scalar(text(VERSION_SQL))
            self.read_at = now
        return self.version



def _reads_without_transaction() -> None:
    """On PostgreSQL, a signed-in member's page reads without BEGIN and ROLLBACK: two
    round trips of four on a shared thread page.

    These views only read, and under PostgreSQL's READ COMMITTED each statement
    sees the latest committed data inside a transaction too. (The sign-in query's
    occasional last-active update is a single statement.) Guests are left alone:
    a kept guest page needs no connection at all.
    """
    if (
        "_user_id" in session
        and db.engine.dialect.name == "postgresql"
        and not db.session().in_transaction()  # (a test's session may have begun already)
    ):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def guest_cached(view):
    """Serve this view's guest page from the cache while nothing has changed."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        _reads_without_transaction()
        if not _cacheable_request():
            return view(*args, **kwargs)
        version = current_app.extensions["guest_version"].get()
        if version is None:  # no version row: nothing can tell when a page goes stale
            return view(*args, **kwargs)
        bucket = int(time.time() // current_app.config["GUEST_CACHE_SECONDS"])
        key = (request.full_path, version, bucket)
        cache = current_app.extensions["guest_cache"]
        cached = cache.get(key)
        if cached is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or _personal(response):
                return response
            response.add_etag()
            # Browsers keep the page but ask again each time (a 304 costs no rendering),
            # unless the view says otherwise (feeds: readers may wait a few minutes).
            caching = response.headers.get("Cache-Control", "no-cache")
            cache.put(
                key, (response.get_data(), response.mimetype, response.get_etag()[0], caching)
            )
        else:
            body, mimetype, etag, caching = cached
            response = current_app.response_class(body, mimetype=mimetype)
            response.set_etag(etag)
        response.headers["Cache-Control"] = caching
        return response.make_conditional(request)

    return wrapper
