"""A removed opening post removes its title (issue 15, item 6): lists, the thread page,
search, feeds, /api/similar, stories like this, profiles; its author and moderators
still see it, and the author can still edit it."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.moderation import actions
from forum.resources.models import Tag, ThreadTag
from forum.threads import services
from forum.threads.models import Post, PostStatus, Thread
from tests import factories as f

TITLE = "Quillamere district wants to drop speech therapy"
WORD = "Quillamere"
TAIL = "district wants to drop"  # only the title says this (a search page echoes WORD)
REPLY = "We went through the same thing last spring."
HOW = ["author deletes", "moderator hides", "flags hide", "moderator deletes"]


def remove_opening(world, thread_id: int, how: str) -> None:
    opening = db.session.scalar(
        db.select(Post).where(Post.thread_id == thread_id, Post.number == 1))
    if how == "author deletes":
        services.delete_post(db.session.get(type(world["author"]), opening.author_id), opening)
    elif how == "moderator hides":
        actions.hide_post(world["moderator"], opening, "Names a district")
    elif how == "moderator deletes":
        actions.delete_post(world["moderator"], opening, "Names a district")
    else:
        opening.status = PostStatus.FLAG_HIDDEN
        db.session.commit()


@pytest.fixture
def story(world):
    """author_ruth's anonymous thread with a distinctive title, a named reply by
    member_maya, a topic, and another thread with a similar title."""
    thread = f.make_thread(world["author"], world["public"], title=TITLE, hide_author=True,
                           body="They want to drop speech therapy. Speech therapy helps him.")
    f.make_reply(world["member"], thread, body=REPLY)
    tag = Tag(slug="speech", label="Speech therapy")
    db.session.add(tag)
    db.session.flush()
    db.session.add(ThreadTag(thread_id=thread.id, tag_id=tag.id))
    db.session.commit()
    other = f.make_thread(world["member"], world["public"],
                          title="Our district dropped speech therapy too")
    return {**world, "thread_id": thread.id, "other_id": other.id}


def _pages(story) -> list[str]:
    return ["/", "/categories/iep-meetings", "/tags/speech", "/users/member_maya",
            f"/threads/{story['thread_id']}", f"/threads/{story['other_id']}",
            f"/threads/{story['thread_id']}/reply", "/search?q=spring",
            f"/search?q={WORD}", "/feed.atom", "/categories/iep-meetings/feed.atom",
            f"/api/similar?title={WORD}+speech+therapy"]


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("viewer", [None, "member", "admin_as_member"])
def test_the_title_disappears_for_everyone_else(client_as, story, how, viewer):
    if viewer == "admin_as_member":  # another plain member, not the replier
        viewer_user = f.make_user("plain_reader")
    else:
        viewer_user = story[viewer] if viewer else None
    client = client_as(viewer_user)
    before = client.get("/").get_data(as_text=True)
    assert WORD in before
    remove_opening(story, story["thread_id"], how)
    for path in _pages(story):
        response = client.get(path)
        if response.status_code in (302, 403):  # the reply form is for members
            continue
        assert response.status_code == 200, path
        assert TAIL not in response.get_data(as_text=True), f"{path} shows the title ({how})"


@pytest.mark.parametrize("how", HOW)
def test_replies_stay_under_a_removed_title(client_as, story, how):
    remove_opening(story, story["thread_id"], how)
    for viewer in (None, story["member"]):
        client = client_as(viewer)
        page = client.get(f"/threads/{story['thread_id']}").get_data(as_text=True)
        assert REPLY in page
        assert "<title>[removed] · " in page and '<h1 class="thread-title">[removed]</h1>' in page
        assert '[removed]</a>' in client.get("/").get_data(as_text=True)
        results = client.get("/search?q=spring").get_data(as_text=True)
        assert REPLY.split()[0] in results and "[removed]" in results
        profile = client.get("/users/member_maya").get_data(as_text=True)
        assert "[removed]" in profile


def test_stories_like_this_and_similar_leave_the_thread_out(client_as, story):
    client = client_as(story["member"])
    similar = client.get(f"/api/similar?title={WORD}+speech+therapy").get_json()["threads"]
    assert any(t["url"] == f"/threads/{story['thread_id']}" for t in similar)
    other = client.get(f"/threads/{story['other_id']}").get_data(as_text=True)
    assert f'href="/threads/{story["thread_id"]}"' in other  # listed as a story like this
    remove_opening(story, story["thread_id"], "author deletes")
    similar = client.get(f"/api/similar?title={WORD}+speech+therapy").get_json()["threads"]
    assert all(t["url"] != f"/threads/{story['thread_id']}" for t in similar)
    other = client_as(f.make_user("fresh_reader")).get(f"/threads/{story['other_id']}")
    assert f'href="/threads/{story["thread_id"]}"' not in other.get_data(as_text=True)


def test_a_remembered_ranking_drops_the_title_at_once(client_as, story, app):
    """The thread's own "stories like this" were ranked by its title: not any more."""
    app.config["RELATED_CACHE_SECONDS"] = 3600
    client = client_as()
    page = client.get(f"/threads/{story['thread_id']}").get_data(as_text=True)
    assert f'href="/threads/{story["other_id"]}"' in page  # found through the title's words
    db.session.execute(db.delete(ThreadTag))
    db.session.commit()
    remove_opening(story, story["thread_id"], "moderator hides")
    page = client.get(f"/threads/{story['thread_id']}").get_data(as_text=True)
    assert f'href="/threads/{story["other_id"]}"' not in page


@pytest.mark.parametrize("how", HOW)
def test_the_author_and_moderators_still_see_the_title(client_as, story, how):
    remove_opening(story, story["thread_id"], how)
    for user in (story["author"], story["moderator"]):
        client = client_as(user)
        page = client.get(f"/threads/{story['thread_id']}").get_data(as_text=True)
        assert f'<h1 class="thread-title">{TITLE}</h1>' in page
        assert "Other members see this title as “[removed]”" in page
        assert TITLE in client.get("/").get_data(as_text=True)


def test_the_author_can_still_edit_the_title_of_a_deleted_opening_post(client_as, story):
    remove_opening(story, story["thread_id"], "author deletes")
    opening_id = f.first_post(db.session.get(Thread, story["thread_id"])).id
    author, member, guest = client_as(story["author"]), client_as(story["member"]), client_as()
    db.session.remove()  # requests load the post as a server would
    page = author.get(f"/threads/{story['thread_id']}").get_data(as_text=True)
    assert f'href="/posts/{opening_id}/edit"' in page
    form = author.get(f"/posts/{opening_id}/edit")
    assert form.status_code == 200 and 'name="body"' not in form.get_data(as_text=True)
    response = author.post(f"/posts/{opening_id}/edit", data={"title": "A district question"})
    assert response.status_code == 302
    db.session.remove()
    thread = db.session.get(Thread, story["thread_id"])
    assert thread.title == "A district question"
    assert db.session.get(Post, opening_id).status == PostStatus.DELETED
    assert "Speech therapy helps him" in db.session.get(Post, opening_id).body  # untouched
    db.session.remove()
    # Still removed for everyone else; nobody else may edit it, nor delete or switch it again.
    assert "A district question" not in guest.get("/").get_data(as_text=True)
    assert member.post(f"/posts/{opening_id}/edit", data={"title": "Mine now"}).status_code == 403
    assert author.post(f"/posts/{opening_id}/delete").status_code == 403
    switch = author.post(f"/posts/{opening_id}/anonymity", data={"hide_author": "0"})
    assert switch.status_code == 403


def test_a_deleted_reply_still_cannot_be_edited(client_as, world):
    post_id = world["reply"].id
    services.delete_post(world["member"], world["reply"])
    client = client_as(world["member"])
    db.session.remove()
    assert client.get(f"/posts/{post_id}/edit").status_code == 403
    assert client.post(f"/posts/{post_id}/edit", data={"body": "back"}).status_code == 403


def test_linked_stories_show_a_removed_title_as_removed(client_as, story):
    from forum.resources.services import link_threads

    link_threads(story["member"], db.session.get(Thread, story["other_id"]),
                 f"/threads/{story['thread_id']}")
    remove_opening(story, story["thread_id"], "moderator hides")
    page = client_as().get(f"/threads/{story['other_id']}").get_data(as_text=True)
    assert WORD not in page
    assert f'href="/threads/{story["thread_id"]}">[removed]</a>' in page


def test_thread_lists_cost_the_same_with_removed_titles(client_as, story, count_queries):
    client = client_as()
    with count_queries() as before:
        client.get("/categories/iep-meetings")
    remove_opening(story, story["thread_id"], "moderator hides")
    with count_queries() as after:
        client.get("/categories/iep-meetings")
    assert len(after) == len(before)
