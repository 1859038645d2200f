"""Held accounts stay held (issue 15, item 10): an author's edit goes through the same
approval rules as a new post."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db, now_utc
from forum.moderation import actions
from forum.moderation.models import SiteSetting
from forum.moderation.settings import HOLD_FIRST_POSTS, HOLD_NEW_ACCOUNT_LINKS
from forum.threads import services
from forum.threads.models import Post, PostStatus
from tests import factories as f
from tests.moderation_support import fresh, old_user

LINK = "Great deal at https://example.com/deal"


def _rule(key: str) -> None:
    db.session.add(SiteSetting(key=key, value="1"))
    db.session.commit()


def _edit(client, post_id: int, body: str, title: str | None = None):
    data = {"body": body} | ({"title": title} if title else {})
    return client.post(f"/posts/{post_id}/edit", data=data)


def _status(post_id: int) -> str:
    fresh()
    return db.session.get(Post, post_id).status


def test_a_young_account_cannot_edit_a_link_in(client_as, world):
    _rule(HOLD_NEW_ACCOUNT_LINKS)
    young = f.make_user("young_parent", created_at=now_utc() - timedelta(hours=2))
    post = f.make_reply(young, world["named"], body="Hello")
    assert post.status == PostStatus.VISIBLE
    writer, reader = client_as(young), client_as(world["member"])
    moderator = client_as(world["moderator"])
    post_id, thread_id = post.id, world["named"].id
    response = _edit(writer, post_id, LINK)
    assert response.status_code == 302
    assert _status(post_id) == PostStatus.HELD
    assert "waiting for a moderator" in writer.get(f"/threads/{thread_id}").text
    assert "example.com/deal" not in reader.get(f"/threads/{thread_id}").text
    assert "example.com/deal" not in client_as().get(f"/threads/{thread_id}").text
    approvals = moderator.get("/moderation/approvals").text
    assert "example.com/deal" in approvals and "Edited" in approvals
    assert f"/posts/{post_id}/revisions" in approvals  # what it said when it was approved
    moderator.post(f"/moderation/posts/{post_id}/actions", data={"action": "approve"})
    assert _status(post_id) == PostStatus.VISIBLE
    assert "example.com/deal" in reader.get(f"/threads/{thread_id}").text


def test_an_account_held_for_its_first_post_stays_held_when_editing_it(client_as, world):
    _rule(HOLD_FIRST_POSTS)
    newcomer = f.make_user("new_parent")
    post = f.make_reply(newcomer, world["named"], body="Hello")
    assert post.status == PostStatus.HELD
    actions.approve_post(world["moderator"], post)
    post_id = post.id
    writer = client_as(db.session.get(type(newcomer), newcomer.id))
    _edit(writer, post_id, "Buy my course")
    assert _status(post_id) == PostStatus.HELD  # its only approved post: judged anew
    actions.approve_post(world["moderator"], db.session.get(Post, post_id))
    second = f.make_reply(db.session.get(type(newcomer), newcomer.id), world["named"], body="Hi")
    assert second.status == PostStatus.VISIBLE  # an approved post: no longer new
    _edit(writer, post_id, "Buy my course, edited again")
    assert _status(post_id) == PostStatus.VISIBLE


def test_an_edited_opening_post_is_held_and_its_thread_keeps_its_replies(client_as, world):
    _rule(HOLD_NEW_ACCOUNT_LINKS)
    young = f.make_user("young_starter", created_at=now_utc() - timedelta(hours=1))
    thread = f.make_thread(young, world["public"], title="Question about evaluations",
                           body="Hello")
    f.make_reply(world["member"], thread, body="Welcome, ask away.")
    opening_id, thread_id = f.first_post(thread).id, thread.id
    _edit(client_as(young), opening_id, LINK, title="Question about evaluations")
    assert _status(opening_id) == PostStatus.HELD
    page = client_as().get(f"/threads/{thread_id}")
    assert page.status_code == 200
    assert "Welcome, ask away." in page.text and "example.com/deal" not in page.text
    assert '<h1 class="thread-title">[removed]</h1>' in page.text  # until it is approved


def test_established_members_and_moderators_edit_freely(client_as, world):
    established = old_user("older_parent")
    f.make_reply(established, world["named"], body="An earlier post")
    post = f.make_reply(established, world["named"], body="Hello")
    theirs = f.make_reply(f.make_user("young_one", created_at=now_utc()), world["named"],
                          body="Hello")
    _rule(HOLD_NEW_ACCOUNT_LINKS)
    _rule(HOLD_FIRST_POSTS)
    _edit(client_as(established), post.id, LINK)
    assert _status(post.id) == PostStatus.VISIBLE
    actions.edit_post_as_moderator(world["moderator"], theirs, LINK, "Fixed a link")
    assert _status(theirs.id) == PostStatus.VISIBLE  # a moderator's edit is never held


@pytest.mark.parametrize("state", ["hidden", "flag_hidden"])
def test_an_edit_never_turns_a_hidden_post_into_a_held_one(world, state):
    """Approving would show it: a post moderators or flags hid stays hidden."""
    _rule(HOLD_NEW_ACCOUNT_LINKS)
    young = f.make_user("young_hidden", created_at=now_utc())
    post = f.make_reply(young, world["named"], body="Hello")
    post.status = state
    db.session.commit()
    services.edit_post(young, post, LINK)
    assert _status(post.id) == state
