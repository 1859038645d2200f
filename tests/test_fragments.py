"""Parts of signed-in pages shared among plain members (forum/fragments.py).

TestingConfig keeps the member cache on, so every signed-in page in the suite
goes through it; these tests check what it must never do: show one member's
own markers, buttons or tokens to another, or keep serving content that changed.
"""

from __future__ import annotations

import re

from forum.extensions import db
from forum.resources.models import ThreadLink
from tests import factories as f

MARKER = "you posted this anonymously"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_authors_own_view_is_never_shared(client_as, world):
    thread = world["anon"]  # started anonymously by author_ruth
    reply = f.make_reply(world["member"], thread, body="An anonymous reply", hide_author=True)
    path = f"/threads/{thread.id}"
    other = f.make_user("other_olive")
    # A plain member who wrote nothing here renders first: the parts are kept.
    first = page(client_as(other), path)
    assert MARKER not in first and "Edit</a>" not in first
    # Each author still sees their own markers and buttons...
    for user, post_id in ((world["author"], f.first_post(thread).id), (world["member"], reply.id)):
        own = page(client_as(user), path)
        assert MARKER in own
        assert f"/posts/{post_id}/edit" in own
    # ...and after them, another plain member sees neither, nor any username behind an alias.
    third = page(client_as(f.make_user("third_tova")), path)
    assert MARKER not in third and "/edit" not in third
    for name in ("author_ruth", "member_maya"):
        assert name not in third


def test_moderators_get_their_tools_after_a_member_filled_the_cache(client_as, world):
    path = f"/threads/{world['named'].id}"
    assert "/moderation/posts/" not in page(client_as(world["member"]), path)
    assert "/moderation/posts/" in page(client_as(world["moderator"]), path)


def test_a_second_member_is_served_from_the_cache(client_as, world, count_queries):
    path = f"/threads/{world['named'].id}"
    one, two = client_as(f.make_user("reader_one")), client_as(f.make_user("reader_two"))
    with count_queries() as first:
        html_a = page(one, path)
    db.session.expunge_all()  # as a new request would start: nothing in the identity map
    with count_queries() as second:
        html_b = page(two, path)
    assert len(second) < len(first)
    assert not any("FROM posts" in s for s in second)
    strip = re.compile(r'value="[^"]*"|reader_\w+')  # tokens and the nav's username differ
    assert strip.sub("", html_a) == strip.sub("", html_b)


def test_new_content_replaces_the_shared_parts(client_as, world):
    path = f"/threads/{world['named'].id}"
    reader = client_as(f.make_user("reader_one"))
    assert "A brand new reply" not in page(reader, path)
    f.make_reply(world["moderator"], world["named"], body="A brand new reply")
    assert "A brand new reply" in page(reader, path)
    assert "A brand new reply" in page(client_as(f.make_user("reader_two")), path)


def test_the_starter_of_a_linked_thread_keeps_the_remove_button(client_as, world):
    named, anon = world["named"], world["anon"]
    db.session.add(ThreadLink(from_thread_id=named.id, to_thread_id=anon.id,
                              created_by_id=world["author"].id))
    db.session.commit()
    starter = f.make_user("starter_sam")
    linked = f.make_thread(starter, world["public"], title="A thread linked from the named one")
    db.session.add(ThreadLink(from_thread_id=named.id, to_thread_id=linked.id,
                              created_by_id=world["author"].id))
    db.session.commit()
    path = f"/threads/{named.id}"
    assert "Remove link" not in page(client_as(f.make_user("reader_one")), path)
    assert "Remove link" in page(client_as(starter), path)


def test_reply_forms_get_their_own_tokens(client_as, world):
    path = f"/threads/{world['named'].id}"
    tokens = set()
    for name in ("reader_one", "reader_two"):
        html = page(client_as(f.make_user(name)), path)
        assert "hole-" not in html
        token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html)
        assert token is not None
        tokens.add(token.group(1))
    assert len(tokens) == 2


def test_lists_show_a_starter_their_own_anonymous_thread(client_as, world):
    for path in ("/", f"/categories/{world['public'].slug}"):
        assert MARKER not in page(client_as(f.make_user()), path)
        assert MARKER in page(client_as(world["author"]), path)
        assert MARKER not in page(client_as(f.make_user()), path)
