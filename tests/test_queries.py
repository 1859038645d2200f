"""The number of SQL queries per page does not grow with the data (no N+1)."""

from __future__ import annotations

import pytest

from tests import factories as f


def _grow(world, posts: int):
    """A category with threads by several members, and one thread with `posts` posts."""
    members = [f.make_user() for _ in range(5)]
    thread = f.make_thread(members[0], world["public"], title="The long thread here",
                           hide_author=True)
    for i in range(posts - 1):
        f.make_reply(members[i % 5], thread, body=f"reply {i}", hide_author=i % 2 == 0)
    for i in range(posts // 3):
        f.make_thread(members[i % 5], world["public"], title=f"Another thread {i}",
                      hide_author=i % 2 == 1)
    return thread


def _count(client, count_queries, path: str) -> int:
    client.get(path)  # warm up: first-request work is not per page
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("viewer", ["guest", "member", "member, nothing shared"])
def test_query_count_is_constant(app, client_as, world, count_queries, viewer, monkeypatch):
    if viewer == "member, nothing shared":  # every page rendered, as for an author
        monkeypatch.delitem(app.extensions, "block_cache")
    counts = {}
    for size in (3, 60):
        thread = _grow(world, size)
        client = client_as(None if viewer == "guest" else world["member"])
        counts[size] = {
            page: _count(client, count_queries, path)
            for page, path in {
                "home": "/", "category": f"/categories/{world['public'].slug}",
                "thread": f"/threads/{thread.id}", "thread-last": f"/threads/{thread.id}?page=3"
                if size == 60 else f"/threads/{thread.id}",
            }.items()
        }
    assert counts[3] == counts[60], counts
    assert max(counts[60].values()) <= 8, counts
