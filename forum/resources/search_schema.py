"""Full-text index DDL that create_all cannot make: SQLite FTS5 and PostgreSQL tsvector.

Both index one document per post: the thread title (opening posts only) and the
post body, for search. A second, small index over thread titles serves "stories
like this" and "parents have written about this", which ask with many words at
once and must stay fast. Database triggers keep both in step with every write to
posts and threads, whatever code makes it. Visibility (hidden, held, deleted,
members-only) is never baked into the index: searches join back to posts and
threads and filter at query time, so a status change needs no re-indexing.

Tests get this through the metadata's after_create event; the Alembic migration
calls `install_search_schema(op.get_bind())` (and `drop_search_schema` to go
down). SQLite batch migrations that rebuild `posts` or `threads` drop their
triggers: call `install_search_schema` again after one (it is idempotent).
"""

from __future__ import annotations

from sqlalchemy import DDL, MetaData, event
from sqlalchemy.engine import Connection

# SQLite: an external-content FTS5 table reading a view of (post id, title, body).
# An external-content 'delete' needs the exact old values, hence the title lookups.
_SQLITE_TITLE = (
    "CASE WHEN {p}.number = 1 THEN "
    "coalesce((SELECT title FROM threads WHERE id = {p}.thread_id), '') ELSE '' END"
)
SQLITE_DDL = [
    """CREATE VIEW IF NOT EXISTS post_fts_source AS
       SELECT posts.id AS id,
              CASE WHEN posts.number = 1 THEN coalesce(threads.title, '') ELSE '' END AS title,
              posts.body AS body
       FROM posts JOIN threads ON threads.id = posts.thread_id""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS post_fts USING fts5(
       title, body, content='post_fts_source', content_rowid='id',
       tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS post_fts_after_insert AFTER INSERT ON posts BEGIN
       INSERT INTO post_fts(rowid, title, body)
       VALUES (NEW.id, {_SQLITE_TITLE.format(p="NEW")}, NEW.body);
       END""",
    f"""CREATE TRIGGER IF NOT EXISTS post_fts_after_update
       AFTER UPDATE OF body, number, thread_id ON posts BEGIN
       INSERT INTO post_fts(post_fts, rowid, title, body)
       VALUES ('delete', OLD.id, {_SQLITE_TITLE.format(p="OLD")}, OLD.body);
       INSERT INTO post_fts(rowid, title, body)
       VALUES (NEW.id, {_SQLITE_TITLE.format(p="NEW")}, NEW.body);
       END""",
    # When a whole thread goes, threads' BEFORE DELETE has already removed its posts.
    f"""CREATE TRIGGER IF NOT EXISTS post_fts_after_delete AFTER DELETE ON posts
       WHEN EXISTS (SELECT 1 FROM threads WHERE id = OLD.thread_id) BEGIN
       INSERT INTO post_fts(post_fts, rowid, title, body)
       VALUES ('delete', OLD.id, {_SQLITE_TITLE.format(p="OLD")}, OLD.body);
       END""",
    """CREATE TRIGGER IF NOT EXISTS post_fts_after_title AFTER UPDATE OF title ON threads BEGIN
       INSERT INTO post_fts(post_fts, rowid, title, body)
       SELECT 'delete', id, coalesce(OLD.title, ''), body FROM posts
       WHERE thread_id = NEW.id AND number = 1;
       INSERT INTO post_fts(rowid, title, body)
       SELECT id, coalesce(NEW.title, ''), body FROM posts
       WHERE thread_id = NEW.id AND number = 1;
       END""",
    """CREATE TRIGGER IF NOT EXISTS post_fts_before_thread_delete BEFORE DELETE ON threads BEGIN
       INSERT INTO post_fts(post_fts, rowid, title, body)
       SELECT 'delete', id, CASE WHEN number = 1 THEN coalesce(OLD.title, '') ELSE '' END, body
       FROM posts WHERE thread_id = OLD.id;
       END""",
]
SQLITE_DDL += [
    # Thread titles: an external-content table straight over `threads`.
    """CREATE VIRTUAL TABLE IF NOT EXISTS thread_fts USING fts5(
       title, content='threads', content_rowid='id',
       tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS thread_fts_after_insert AFTER INSERT ON threads BEGIN
       INSERT INTO thread_fts(rowid, title) VALUES (NEW.id, NEW.title);
       END""",
    """CREATE TRIGGER IF NOT EXISTS thread_fts_after_delete AFTER DELETE ON threads BEGIN
       INSERT INTO thread_fts(thread_fts, rowid, title) VALUES ('delete', OLD.id, OLD.title);
       END""",
    """CREATE TRIGGER IF NOT EXISTS thread_fts_after_title AFTER UPDATE OF title ON threads BEGIN
       INSERT INTO thread_fts(thread_fts, rowid, title) VALUES ('delete', OLD.id, OLD.title);
       INSERT INTO thread_fts(rowid, title) VALUES (NEW.id, NEW.title);
       END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS thread_fts_after_title",
    "DROP TRIGGER IF EXISTS thread_fts_after_delete",
    "DROP TRIGGER IF EXISTS thread_fts_after_insert",
    "DROP TABLE IF EXISTS thread_fts",
    "DROP TRIGGER IF EXISTS post_fts_before_thread_delete",
    "DROP TRIGGER IF EXISTS post_fts_after_title",
    "DROP TRIGGER IF EXISTS post_fts_after_delete",
    "DROP TRIGGER IF EXISTS post_fts_after_update",
    "DROP TRIGGER IF EXISTS post_fts_after_insert",
    "DROP TABLE IF EXISTS post_fts",
    "DROP VIEW IF EXISTS post_fts_source",
]
SQLITE_REBUILD = [
    "INSERT INTO post_fts(post_fts) VALUES ('rebuild')",
    "INSERT INTO thread_fts(thread_fts) VALUES ('rebuild')",
]

# PostgreSQL: a tsvector per post (title weighted A, body B) with a GIN index.
POSTGRES_DDL = [
    """CREATE TABLE IF NOT EXISTS post_search (
       post_id integer PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
       document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_post_search_document ON post_search USING gin (document)",
    """CREATE OR REPLACE FUNCTION post_search_document(p_title text, p_body text)
       RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
       SELECT setweight(to_tsvector('english'::regconfig, coalesce(p_title, '')), 'A')
           || setweight(to_tsvector('english'::regconfig, coalesce(p_body, '')), 'B')
       $$""",
    """CREATE OR REPLACE FUNCTION post_search_sync_post() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO post_search (post_id, document)
         VALUES (NEW.id, post_search_document(
           CASE WHEN NEW.number = 1 THEN (SELECT title FROM threads WHERE id = NEW.thread_id) END,
           NEW.body))
         ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document;
         RETURN NULL;
       END $$""",
    """CREATE OR REPLACE FUNCTION post_search_sync_thread() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE post_search SET document = post_search_document(NEW.title, p.body)
         FROM posts p
         WHERE p.thread_id = NEW.id AND p.number = 1 AND post_search.post_id = p.id;
         RETURN NULL;
       END $$""",
    "DROP TRIGGER IF EXISTS post_search_sync_post ON posts",
    """CREATE TRIGGER post_search_sync_post AFTER INSERT OR UPDATE OF body, number, thread_id
       ON posts FOR EACH ROW EXECUTE FUNCTION post_search_sync_post()""",
    "DROP TRIGGER IF EXISTS post_search_sync_thread ON threads",
    """CREATE TRIGGER post_search_sync_thread AFTER UPDATE OF title
       ON threads FOR EACH ROW EXECUTE FUNCTION post_search_sync_thread()""",
]
POSTGRES_DDL += [
    # Stored, so ranking many matching titles needs no to_tsvector per row.
    """ALTER TABLE threads ADD COLUMN IF NOT EXISTS title_search tsvector
       GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(title, ''))) STORED""",
    "CREATE INDEX IF NOT EXISTS ix_threads_title_search ON threads USING gin (title_search)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_threads_title_search",
    "ALTER TABLE IF EXISTS threads DROP COLUMN IF EXISTS title_search",
    "DROP TRIGGER IF EXISTS post_search_sync_thread ON threads",
    "DROP TRIGGER IF EXISTS post_search_sync_post ON posts",
    "DROP TABLE IF EXISTS post_search",
    "DROP FUNCTION IF EXISTS post_search_sync_thread()",
    "DROP FUNCTION IF EXISTS post_search_sync_post()",
    "DROP FUNCTION IF EXISTS post_search_document(text, text)",
]
POSTGRES_REBUILD = [
    """INSERT INTO post_search (post_id, document)
       SELECT p.id, post_search_document(CASE WHEN p.number = 1 THEN t.title END, p.body)
       FROM posts p JOIN threads t ON t.id = p.thread_id
       ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document""",
]

DDL_BY_DIALECT = {"sqlite": SQLITE_DDL, "postgresql": POSTGRES_DDL}
DROP_BY_DIALECT = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
REBUILD_BY_DIALECT = {"sqlite": SQLITE_REBUILD, "postgresql": POSTGRES_REBUILD}

# Tables Alembic autogenerate must leave alone (they are not in the models).
SEARCH_TABLE_PREFIXES = ("post_fts", "post_search", "thread_fts")
SEARCH_INDEXES = ("ix_post_search_document", "ix_threads_title_search")
SEARCH_COLUMNS = ("title_search",)  # threads.title_search (PostgreSQL only, generated)


def _run(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


SQLITE_OBJECTS = (
    "post_fts_source",
    "post_fts",
    "post_fts_after_insert",
    "post_fts_after_update",
    "post_fts_after_delete",
    "post_fts_after_title",
    "post_fts_before_thread_delete",
    "thread_fts",
    "thread_fts_after_insert",
    "thread_fts_after_delete",
    "thread_fts_after_title",
)
POSTGRES_TRIGGERS = ("post_search_sync_post", "post_search_sync_thread")


def search_schema_installed(connection: Connection) -> bool:
    """Whether the index tables, indexes and every trigger exist."""
    if connection.dialect.name == "sqlite":
        names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
        return set(SQLITE_OBJECTS) <= names
    for name in ("post_search", *SEARCH_INDEXES):
        if connection.exec_driver_sql(f"SELECT to_regclass('{name}')").scalar() is None:
            return False
    triggers = set(
        connection.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars()
    )
    return set(POSTGRES_TRIGGERS) <= triggers


def install_search_schema(connection: Connection) -> None:
    """Create the index, its triggers and fill it from existing posts (idempotent)."""
    dialect = connection.dialect.name
    if dialect not in DDL_BY_DIALECT:
        raise RuntimeError(f"Search supports SQLite and PostgreSQL, not {dialect}.")
    _run(connection, DDL_BY_DIALECT[dialect])
    rebuild_search_index(connection)


def rebuild_search_index(connection: Connection) -> None:
    """Re-index every post and thread title from the posts and threads tables."""
    _run(connection, REBUILD_BY_DIALECT[connection.dialect.name])


def drop_search_schema(connection: Connection) -> None:
    _run(connection, DROP_BY_DIALECT.get(connection.dialect.name, []))


def include_object(object, name, type_, reflected, compare_to) -> bool:
    """For migrations/env.py: keep autogenerate from dropping the search tables and indexes."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not str(name).startswith(SEARCH_TABLE_PREFIXES)
    if type_ == "index":
        return name not in SEARCH_INDEXES
    if type_ == "column":
        return name not in SEARCH_COLUMNS
    return True


def attach(metadata: MetaData) -> None:
    """Make `metadata.create_all()` / `drop_all()` build and remove the index too."""
    for dialect, statements in DDL_BY_DIALECT.items():
        for statement in statements:
            event.listen(metadata, "after_create", DDL(statement).execute_if(dialect=dialect))
    for dialect, statements in DROP_BY_DIALECT.items():
        for statement in statements:
            event.listen(metadata, "before_drop", DDL(statement).execute_if(dialect=dialect))
