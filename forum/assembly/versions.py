"""What changed: the versions that kept blocks and pages are keyed by.

A kept block is good while nothing it shows has changed. Services say what
their change affects with `changed("thread:12", "category:3", "home")`; when
the transaction commits, those scopes' versions go up in the same
transaction. Everything kept also depends on the "site" version, which goes
up instead when a transaction writes content without saying what it
affects, or runs a statement this module can't classify: an unrecognised
write clears everything (fail closed).

Writes are seen on the connection (every INSERT, UPDATE and DELETE, from the
ORM, Core or raw SQL), so a service that forgets `changed()` is still
correct, only slower. Tables whose writes never change a page anyone else
sees are listed in NOT_CONTENT.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable

from flask import Flask, current_app, has_request_context, session
from sqlalchemy import DDL, BigInteger, String, bindparam, event, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db

SITE = "site"  # everything: part of every kept block's and page's key
HOME = "home"  # the front page's list
CONTENT = "content"  # any post or thread text (search, tag pages, feeds)


def thread_scope(thread_id: int) -> str:
    return f"thread:{thread_id}"


def category_scope(category_id: int) -> str:
    return f"category:{category_id}"


# Writes to these tables change nothing a kept block shows.
NOT_CONTENT = frozenset({
    "login_sessions", "content_version", "cache_scopes", "digest_deliveries",
    "digest_preferences", "digest_category_choices", "digest_tag_choices", "thread_follows",
    "audit_entries", "member_notices", "flags", "site_settings", "alembic_version",
    # A member's own IEP notebook: never on any kept page (forum/notebook).
    "notebooks", "notebook_services", "notebook_service_logs", "notebook_entries",
    "notebook_entry_tags", "notebook_breaks", "notebook_dates", "notebook_shares",
    # Private conversations: per member, never on a kept page (forum/conversations).
    "conversations", "conversation_participants", "conversation_messages", "message_settings",
    "message_blocks", "message_reports",
    # Saved items and drafts (forum.engage): a member's own, through slots and thread facts.
    # (Reactions are content: their counts are kept in the posts block.)
    "saved_items", "drafts",
    # A member's own notifications, read marks and visits: through slots and the page
    # layout only, never in a kept block (forum/notifications).
    "notifications", "thread_reads", "notification_settings",
})

_READ = re.compile(
    r"\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SHOW|SET|EXPLAIN|VALUES)\b",
    re.IGNORECASE,
)
# Schema changes come with a deploy, and a deploy restarts every process (caches are per process).
_SCHEMA = re.compile(r"\s*(?:CREATE|DROP|ALTER|ANALYZE|VACUUM|REINDEX|COMMENT)\b", re.IGNORECASE)
_WRITE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)',
    re.IGNORECASE,
)
_WITH_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

# The migration must create this row too (create_all does it through the listener below).
SEED_SQL = "INSERT INTO content_version (id, version) VALUES (1, 0)"
_BUMP_SITE = "UPDATE content_version SET version = version + 1 WHERE id = 1"
_BUMP_SCOPE = (
    "INSERT INTO cache_scopes (scope, version) VALUES ({p}, 1) "
    "ON CONFLICT (scope) DO UPDATE SET version = cache_scopes.version + 1"
)
_READ_VERSIONS = text(
    "SELECT 'site', version FROM content_version WHERE id = 1 "
    "UNION ALL SELECT scope, version FROM cache_scopes WHERE scope IN :scopes"
).bindparams(bindparam("scopes", expanding=True))


class ContentVersion(db.Model):
    """One row: the "site" version, part of every kept block's and page's key."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class CacheScope(db.Model):
    """The version of one part of the site ("thread:12", "home"); a missing row is 0."""

    __tablename__ = "cache_scopes"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


event.listen(ContentVersion.__table__, "after_create", DDL(SEED_SQL))


def changed(*scopes: str) -> None:
    """Declare what this transaction's writes affect; their versions go up when it commits.

    With no scope: its writes change nothing a kept block shows (a member's own
    settings, say). A transaction that declares nothing bumps "site".
    """
    db.session.connection().info.setdefault("cache_scopes", set()).update(scopes)


def classify(statement: str) -> str | None:
    """'' for a read or schema change, the table for a recognised write, None otherwise."""
    if _READ.match(statement) or _SCHEMA.match(statement):
        return ""
    match = _WRITE.match(statement)
    if match is not None:
        return match.group(1).lower()
    if statement.lstrip()[:4].upper() == "WITH" and not _WITH_WRITE.search(statement):
        return ""  # a read with common table expressions
    return None


def _watch(conn, cursor, statement, parameters, context, executemany) -> None:
    """Note what this transaction writes (read at commit by `_bump`)."""
    table = classify(statement)
    if table == "" or table in NOT_CONTENT:
        return
    if table is None:
        conn.info["cache_unknown"] = True
    else:
        conn.info["cache_content"] = True


# The member whose request wrote reads fresh versions this long (forum.assembly.pages): their
# own reply, edit or anonymity switch shows on their next page, whichever worker serves it.
WRITER_FRESH_SECONDS = 10
WROTE_KEY = "_wrote_until"


def wrote_recently() -> bool:
    return session.get(WROTE_KEY, 0) > time.time()


def _note_writer() -> None:
    if has_request_context():
        session[WROTE_KEY] = int(time.time()) + WRITER_FRESH_SECONDS


def _bump(conn) -> None:
    """At commit, in the same transaction: the declared scopes, or everything."""
    info = conn.info
    declared = "cache_scopes" in info
    scopes = info.pop("cache_scopes", set())
    site = info.pop("cache_unknown", False) | (info.pop("cache_content", False) and not declared)
    if not (site or scopes):
        return
    _note_writer()
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if site:
            cursor.execute(_BUMP_SITE)
        else:
            marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            for scope in sorted(scopes):  # one lock order for every writer: no deadlock
                cursor.execute(_BUMP_SCOPE.format(p=marker), (scope,))
    finally:
        cursor.close()


def _forget(conn) -> None:
    if conn.invalidated:
        # A dead connection (server restart, killed backend): its info goes with it, and
        # touching conn.info would raise PendingRollbackError inside the rollback itself.
        return
    for name in ("cache_scopes", "cache_unknown", "cache_content"):
        conn.info.pop(name, None)


def register(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _watch)
    event.listen(engine, "commit", _bump)
    event.listen(engine, "rollback", _forget)


def read(scopes: Iterable[str]) -> dict[str, int] | None:
    """The current version of each scope and of "site" (one statement); None without the
    site row, when nothing can tell what is stale."""
    wanted = sorted(set(scopes) - {SITE}) or [SITE]  # IN () is not valid SQL everywhere
    rows = dict(db.session.connection().execute(_READ_VERSIONS, {"scopes": wanted}).all())
    if SITE not in rows:
        return None
    return {scope: rows.get(scope, 0) for scope in {*wanted, SITE}}


class Memo:
    """Versions as this worker last read them, reused for GUEST_VERSION_SECONDS.

    Read before a page is rendered, a memo can only be older than what the page
    shows, never newer: a page is never kept under versions it does not include.
    """

    def __init__(self):
        self._seen: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def known(self, scopes: Iterable[str]) -> dict[str, int] | None:
        """The versions of these scopes (and "site") if this worker read them all in the last
        GUEST_VERSION_SECONDS; None when `read` would ask the database."""
        seconds = current_app.config.get("GUEST_VERSION_SECONDS", 0)
        now = time.monotonic()
        wanted = {*scopes, SITE}
        with self._lock:
            known = {s: v for s, (v, at) in self._seen.items()
                     if s in wanted and now - at < seconds}
        return known if len(known) == len(wanted) else None

    def read(self, scopes: Iterable[str]) -> dict[str, int] | None:
        scopes = list(scopes)
        known = self.known(scopes)
        if known is not None:
            return known
        now = time.monotonic()
        wanted = {*scopes, SITE}
        fresh = read(wanted)
        if fresh is None:
            return None
        with self._lock:
            for scope, version in fresh.items():
                self._seen[scope] = (version, now)
            if len(self._seen) > 10_000:  # scopes of threads nobody reads any more
                self._seen = {s: self._seen[s] for s in fresh}
        return fresh

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
