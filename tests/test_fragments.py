"""Parts of signed-in pages shared among plain members (forum/fragments.py).

TestingConfig keeps the member cache on, so every signed-in page in the suite
goes through it; these tests check what it must never do: show one member's
own markers, buttons or tokens to another, or keep serving content that changed.
"""

from __future__ import annotations

import html
import re

from flask import template_rendered

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
    # No posts are read (the thread's own row looks up its opening post's status only).
    assert not any(re.match(r"\s*SELECT posts\.", s) for s in second)
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


# --- whole thread pages (fragments.SharedPage) ----------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_whole_page_is_shared_but_its_tokens_are_each_members_own(client_as, world,
                                                                     count_queries):
    path = f"/threads/{world['named'].id}"
    one, two = client_as(f.make_user("reader_one")), client_as(f.make_user("reader_two"))
    html_a = page(one, path)
    db.session.expunge_all()
    rendered = []
    with count_queries() as second, template_rendered.connected_to(
        lambda app, template, context: rendered.append(template.name)
    ):
        html_b = page(two, path)
    # The member, then the thread with their follow state; not a template rendered.
    assert len(second) == 2, second
    assert rendered == []
    tokens_a, tokens_b = set(CSRF.findall(html_a)), set(CSRF.findall(html_b))
    assert len(tokens_a) == 1 and len(tokens_b) == 1 and tokens_a != tokens_b
    assert "hole-" not in html_b
    # The token reader_two was given is one their own session accepts.
    response = two.post(f"{path}/follow", data={"csrf_token": tokens_b.pop(), "follow": "1"})
    assert response.status_code == 302
    assert one.post(f"{path}/follow", data={"csrf_token": tokens_a.pop(),
                                              "follow": "1"}).status_code == 302


def test_follow_state_and_flash_messages_stay_with_their_member(client_as, world):
    path = f"/threads/{world['named'].id}"
    follower, other = client_as(f.make_user("reader_one")), client_as(f.make_user("reader_two"))
    token = CSRF.search(page(follower, path)).group(1)
    response = follower.post(f"{path}/follow", data={"csrf_token": token, "follow": "1"},
                             follow_redirects=True)
    mine = html.unescape(response.get_data(as_text=True))
    assert "You're following this thread." in mine and "Stop following" in mine
    theirs = html.unescape(page(other, path))
    assert "following this thread" not in theirs and "Follow this thread" in theirs
    again = html.unescape(page(follower, path))  # the flash is gone; the state stays
    assert "Stop following" in again and "You're following this thread." not in again


def test_a_private_notice_is_never_shared(client_as, world):
    from forum.moderation.models import MemberNotice, NoticeKind

    path = f"/threads/{world['named'].id}"
    warned, other = f.make_user("reader_one"), f.make_user("reader_two")
    page(client_as(other), path)  # the page is kept
    db.session.add(MemberNotice(user_id=warned.id, kind=NoticeKind.WARNING,
                                message="Please keep names of staff out of posts."))
    db.session.commit()
    assert "Please keep names of staff out of posts." in page(client_as(warned), path)
    assert "Please keep names of staff out of posts." not in page(client_as(other), path)
    assert "A note from the moderators" not in page(client_as(f.make_user("reader_three")), path)


def test_the_front_page_is_shared_but_invitations_stay_with_their_member(app, client_as, world):
    from tests.test_tags import age

    app.config["THREADS_PER_PAGE"] = 2  # the invited member's thread is not on page 1
    asker = f.make_user("asker_ann")
    old = f.make_thread(asker, world["public"], title="Aide taken away, what now")
    age(old.id, 40)
    for n in range(3):
        f.make_thread(world["member"], world["public"], title=f"Newer thread {n}")
    page(client_as(f.make_user("reader_one")), "/")  # a plain member's page is kept
    rendered = []
    record = lambda sender, template, context: rendered.append(template.name)  # noqa: E731
    with template_rendered.connected_to(record):
        mine = page(client_as(asker), "/")
    assert "threads/index.html" not in rendered  # the kept page, with the invitation filled in
    assert "How did it turn out?" in mine and "Aide taken away, what now" in mine
    token = CSRF.findall(mine)
    assert len(set(token)) == 1 and "hole-" not in mine
    theirs = page(client_as(f.make_user("reader_two")), "/")
    assert "How did it turn out?" not in theirs and "hole-" not in theirs


def test_a_members_page_reads_without_begin_and_rollback_on_postgresql(app, client_as, world):
    from flask import request_finished

    levels = []

    def record(sender, response, **extra):
        levels.append(db.session().connection().get_execution_options().get("isolation_level"))

    client, path = client_as(f.make_user("reader_one")), f"/threads/{world['named'].id}"
    db.session.remove()  # a request starts with a new session, as in a real server
    with request_finished.connected_to(record, app):
        assert client.get(path).status_code == 200
    postgresql = db.engine.dialect.name == "postgresql"
    assert (levels == ["AUTOCOMMIT"]) is postgresql
