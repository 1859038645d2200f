"""Consistency checks shared by the dataset builder, the write benchmark and the tests."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Each query returns the rows that are wrong; every one must come back empty.
COUNTER_CHECKS = {
    "threads.post_count != number of posts (or the highest post number)": """
        SELECT t.id, t.post_count, COUNT(p.id), MAX(p.number)
        FROM threads t LEFT JOIN posts p ON p.thread_id = t.id
        GROUP BY t.id, t.post_count
        HAVING t.post_count != COUNT(p.id) OR t.post_count != COALESCE(MAX(p.number), 0)
    """,
    "categories.thread_count != number of threads": """
        SELECT c.id, c.thread_count, COUNT(t.id)
        FROM categories c LEFT JOIN threads t ON t.category_id = c.id
        GROUP BY c.id, c.thread_count
        HAVING c.thread_count != COUNT(t.id)
    """,
    "threads.last_activity_at older than its newest post": """
        SELECT t.id, t.last_activity_at, MAX(p.created_at)
        FROM threads t JOIN posts p ON p.thread_id = t.id
        GROUP BY t.id, t.last_activity_at
        HAVING MAX(p.created_at) > t.last_activity_at
    """,
    "a thread's first post disagrees with the thread on anonymity or author": """
        SELECT t.id FROM threads t JOIN posts p ON p.thread_id = t.id AND p.number = 1
        WHERE p.hide_author != t.hide_author
           OR COALESCE(p.author_id, -1) != COALESCE(t.author_id, -1)
    """,
}


def counter_problems(conn: Connection, limit: int = 5) -> list[str]:
    """Human-readable problems; an empty list means every counter equals the real count."""
    problems = []
    for name, sql in COUNTER_CHECKS.items():
        rows = conn.execute(text(sql)).fetchmany(limit)
        if rows:
            problems.append(f"{name}: {[tuple(r) for r in rows]}")
    return problems


def table_counts(conn: Connection) -> dict[str, int]:
    return {
        name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
        for name in ("users", "categories", "threads", "posts")
    }
