"""The reaction bar, the helpful panel and the save button cost the same for a thread page
of 1 post or 50 (at most one statement for all the page's counts, kept with the posts
block, and one for a member's own marks; the rest comes with the thread)."""

from __future__ import annotations

import pytest

from forum.accounts.models import User
from forum.engage import reactions
from forum.engage.models import ReactionKind
from forum.extensions import db
from forum.threads.models import Post, Thread
from tests import factories as f


def fetch(client, path: str):
    db.session.remove()
    return client.get(path)


def react_all(members, post_id: int) -> None:
    post = db.session.get(Post, post_id)
    for i, member in enumerate(members):
        kind = list(ReactionKind)[i % 3]
        reactions.toggle_reaction(db.session.get(User, member), post, kind)


@pytest.mark.parametrize("viewer", [None, "member"])
@pytest.mark.parametrize("kept", [True, False])
def test_thread_page_costs_the_same_with_1_or_50_reacted_posts(
        client_as, world, count_queries, app, monkeypatch, viewer, kept):
    if not kept:
        monkeypatch.delitem(app.extensions, "block_cache")  # every block rendered
    app.config["POSTS_PER_PAGE"] = 60
    author_id, viewer_id = world["author"].id, world[viewer].id if viewer else None
    members = [f.make_user().id for _ in range(4)]
    thread = f.make_thread(world["author"], world["public"], title="Reactions everywhere here")
    thread_id = thread.id
    react_all(members, f.first_post(thread).id)
    client = client_as(db.session.get(User, viewer_id) if viewer else None)
    path = f"/threads/{thread_id}"
    fetch(client, path)  # "stories like this" ranks once per few minutes
    fetch(client, path)
    with count_queries() as one:
        assert fetch(client, path).status_code == 200
    thread = db.session.get(Thread, thread_id)
    for i in range(49):
        author = db.session.get(User, author_id)
        post_id = f.make_reply(author, thread, body=f"Reply {i}", hide_author=i % 2 == 0).id
        react_all(members, post_id)
        thread = db.session.get(Thread, thread_id)
    fetch(client, path)
    with count_queries() as fifty:
        html = fetch(client, path).get_data(as_text=True)
    assert html.count('class="reactions"') == 50
    assert len(fifty) == len(one), (one, fifty)
    # The bars' counts: one statement for the whole page when its posts block is rendered,
    # none while it is kept; a member's own marks come with the thread's statement.
    counts = sum("reactions" in s and "GROUP BY" in s for s in fifty)
    assert counts == (0 if kept else 1)
    own = [s for s in fifty if "reactions" in s and "GROUP BY" not in s]
    assert len(own) == (1 if viewer else 0), own
    assert all("FROM threads JOIN categories" in s for s in own), own
