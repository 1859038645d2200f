"""Profile counts count only what the viewer may read (issue 15, item 7)."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.moderation import actions
from forum.threads.models import Thread
from tests import factories as f


def _count(page: str) -> int:
    return int(re.search(r"· (\d+) posts? under this name", page).group(1))


def _listed(page: str) -> int:
    return page.count('class="thread-item"')


@pytest.fixture
def profile_world(world):
    """member_maya: a named reply in a public thread, a members-only thread, a post in a
    thread moderators hid, and an anonymous post."""
    maya = world["member"]  # already wrote the public reply and the members-only thread
    hidden = f.make_thread(world["author"], world["public"], title="A thread moderators hid")
    f.make_reply(maya, hidden, body="My words in a hidden thread.")
    actions.hide_thread(world["moderator"], db.session.get(Thread, hidden.id), "Off topic")
    f.make_reply(maya, world["named"], body="My anonymous words.", hide_author=True)
    return world


@pytest.mark.parametrize(("viewer", "expected"), [
    (None, 1), ("member", 2), ("author", 2), ("moderator", 2), ("admin", 2),
])
def test_profile_count_matches_what_the_viewer_can_read(client_as, profile_world, viewer,
                                                        expected):
    client = client_as(profile_world[viewer] if viewer else None)
    page = client.get("/users/member_maya").get_data(as_text=True)
    assert _count(page) == expected == _listed(page)
    if viewer is None:
        assert "Members only thread here" not in page


def test_profile_count_drops_a_post_when_its_category_closes_to_guests(client_as, world):
    client = client_as()
    assert _count(client.get("/users/author_ruth").get_data(as_text=True)) == 1  # named thread
    world["public"].visibility = "members"
    db.session.commit()
    assert _count(client.get("/users/author_ruth").get_data(as_text=True)) == 0
