"""A comparable picture of the database: every row, by table and primary key."""

from __future__ import annotations

from forum.extensions import db

# Columns other members' ordinary actions change (a reply bumps a thread's counters).
MOVING_COLUMNS = {
    "threads": {"post_count", "last_activity_at"},
    "categories": {"thread_count", "position"},
    "login_sessions": {"last_active_at"},
    "content_version": {"version"},  # forum.assembly.versions: what kept pages are keyed by
    "cache_scopes": {"version"},
    "conversations": {"last_message_at"},  # a participant's message moves it
}
# Rows other members' ordinary actions add for someone else by design: a reply notifies
# the thread's starter (tests/test_notifications.py checks who is told what).
CAUSED_TABLES = {"notifications"}
# Columns naming the member a row belongs to; rows of the actor may change.
OWNER_COLUMNS = (
    "user_id",
    "author_id",
    "editor_id",
    "reporter_id",
    "flagger_id",  # flags
    "member_id",
    "created_by_id",
    "owner_id",  # notebooks
)
# Tables an admin may change through the admin pages.
ADMIN_TABLES = {
    "categories",
    "site_settings",
    "guidelines_revisions",
    # forum.resources: moderators and admins edit and retire tags and resources.
    "tags",
    "resources",
    "resource_tags",
}
# Columns an admin changes on other members' rows as a moderator (the admin crawl submits the
# moderation forms: hide, edit, lock, move, dismiss flags, suspend, change a role). Nothing else
# of theirs may change, and a member or guest may change none of these.
ADMIN_COLUMNS = {
    "posts": {"status", "body", "body_html", "edited_at"},
    "threads": {"title", "status", "locked", "pinned", "category_id"},
    "flags": {"resolved_at", "resolved_by_id", "resolution"},
    "users": {"role", "suspended_until", "suspension_reason", "banned_at", "ban_reason"},
}


def _own_notebook_rows(conn, actor_id: int | None) -> tuple[set, set]:
    """The actor's notebooks and notebook entries: every notebook row hangs off them."""
    if actor_id is None:
        return set(), set()
    tables = db.metadata.tables
    notebooks = set(conn.scalars(db.select(tables["notebooks"].c.id)
                                 .where(tables["notebooks"].c.owner_id == actor_id)))
    entries = tables["notebook_entries"]
    if not notebooks:
        return notebooks, set()
    own = conn.scalars(db.select(entries.c.id).where(entries.c.notebook_id.in_(notebooks)))
    return notebooks, set(own)


def snapshot(*, actor_id: int | None = None, admin: bool = False) -> dict[str, dict]:
    """{table: {primary key: row}} for the rows the actor has no right to change."""
    picture: dict[str, dict] = {}
    with db.engine.connect() as conn:
        own_notebooks, own_entries = _own_notebook_rows(conn, actor_id)
        for table in db.metadata.sorted_tables:
            if (admin and table.name in ADMIN_TABLES) or table.name in CAUSED_TABLES:
                continue
            skip = MOVING_COLUMNS.get(table.name, set())
            if admin:
                skip = skip | ADMIN_COLUMNS.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skip]
            owners = [c for c in table.columns if c.name in OWNER_COLUMNS]
            if table.name == "users":
                owners = [table.c.id]
            rows = {}
            for row in conn.execute(db.select(*columns)):
                data = row._asdict()
                if actor_id is not None and any(data.get(c.name) == actor_id for c in owners):
                    continue
                if data.get("notebook_id") in own_notebooks or (
                    table.name == "notebook_entry_tags" and data["entry_id"] in own_entries
                ):
                    continue
                key = tuple(data[c.name] for c in table.primary_key.columns)
                rows[key] = tuple(data.values())
            picture[table.name] = rows
    return picture


def counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(db.select(db.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }
