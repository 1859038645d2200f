"""Threads and replies: posting, quoting, editing, deleting, pages and limits."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.extensions import db
from forum.threads.models import Category, Post, PostRevision, Thread
from tests import factories as f


def new_thread(client, category="iep-meetings", title="Our first IEP meeting",
               body="It went badly.", **extra):
    return client.post("/threads/new",
                       data={"category": category, "title": title, "body": body, **extra})


def test_start_thread_reply_edit_flow(client_as, world):
    client = client_as(world["member"])
    response = new_thread(client, body="**Bold** start")
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "<strong>Bold</strong> start" in page
    reply = client.post(f"/threads/{thread_id}/reply", data={"body": "A reply"})
    assert reply.status_code == 302 and "/posts/" in reply.headers["Location"]
    db.session.remove()
    thread = db.session.get(Thread, thread_id)
    assert thread.post_count == 2 and thread.reply_count == 1
    assert db.session.scalar(
        select(Category.thread_count).where(Category.slug == "iep-meetings")
    ) == 3


def test_validation_error_keeps_text_and_says_why(client_as, world):
    client = client_as(world["member"])
    long_body = "My son's aide was removed. " * 10
    response = new_thread(client, title="Hi", body=long_body)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Titles need 5-150 characters." in text
    assert "My son&#39;s aide was removed." in text
    assert 'aria-describedby="title-error"' in text
    response = client.post(f"/threads/{world['named'].id}/reply", data={"body": "   "})
    assert response.status_code == 422
    assert "Please write something first." in response.get_data(as_text=True)


def test_body_limit_and_nul_byte(client_as, world):
    client = client_as(world["member"])
    too_long = client.post(f"/threads/{world['named'].id}/reply", data={"body": "x" * 20_001})
    assert too_long.status_code == 422
    assert "20,000" in too_long.get_data(as_text=True)
    nul = client.post(f"/threads/{world['named'].id}/reply", data={"body": "hello\x00world"})
    assert nul.status_code == 400
    assert "NUL" in nul.get_data(as_text=True)


def test_request_over_one_megabyte_gets_413_page(client_as, world):
    response = client_as(world["member"]).post(
        f"/threads/{world['named'].id}/reply", data={"body": "x" * (1024 * 1024 + 10)}
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_quote_prefills_reply_box(client_as, world):
    client = client_as(world["member"])
    reply = world["reply"]
    page = client.get(f"/threads/{world['named'].id}/reply?quote={reply.id}").get_data(as_text=True)
    # The box holds a reference; the preview shows the quote as the thread will show it.
    box = re.search(r'<textarea[^>]*id="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert box.strip() == f"[quote=post:{reply.id}]"
    assert "member_maya wrote:" in page
    assert "A reply from another member." in page


def test_edit_keeps_revision_and_shows_edited(client_as, world):
    author, thread = world["author"], world["named"]
    post = f.first_post(thread)
    post_id, thread_id = post.id, thread.id
    client = client_as(author)
    assert client.get(f"/posts/{post_id}/edit").status_code == 200
    response = client.post(f"/posts/{post_id}/edit",
                           data={"title": "Named thread, new title", "body": "Updated text"})
    assert response.status_code == 302
    db.session.remove()
    assert db.session.get(Post, post_id).body == "Updated text"
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post_id))
    assert revision.body == "What happened at the meeting today."
    assert revision.title == "Named thread about an IEP meeting"
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "edited" in page and "Named thread, new title" in page
    revisions_page = client.get(f"/posts/{post_id}/revisions").get_data(as_text=True)
    assert "What happened at the meeting today." in revisions_page


def test_others_cannot_edit_delete_or_see_revisions(client_as, world):
    post = f.first_post(world["named"])
    post_id, before = post.id, post.body
    for user in (world["member"], world["moderator"]):
        client = client_as(user)
        assert client.get(f"/posts/{post_id}/edit").status_code == 403
        assert client.post(f"/posts/{post_id}/edit", data={"body": "hijacked"}).status_code == 403
        assert client.post(f"/posts/{post_id}/delete").status_code == 403
        response = client.post(f"/posts/{post_id}/anonymity", data={"hide_author": "1"})
        assert response.status_code == 403
    assert client_as(world["member"]).get(f"/posts/{post_id}/revisions").status_code == 403
    db.session.remove()
    post = db.session.get(Post, post_id)
    assert post.body == before and post.status == "visible" and not post.hide_author


def test_delete_is_soft_and_replies_stay(client_as, world):
    post = f.first_post(world["named"])
    client = client_as(world["author"])
    assert client.post(f"/posts/{post.id}/delete").status_code == 302
    page = client_as(world["member"]).get(f"/threads/{world['named'].id}").get_data(as_text=True)
    assert "This post was removed." in page
    assert "What happened at the meeting today." not in page
    assert "A reply from another member." in page


def test_permalink_finds_the_right_page(client_as, world, app):
    thread = world["named"]
    posts = [f.make_reply(world["member"], thread, body=f"reply number {i}") for i in range(45)]
    target = posts[30]  # post number 33 -> page 2
    response = client_as().get(f"/posts/{target.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/threads/{thread.id}?page=2#post-{target.id}"
    page = client_as().get(f"/threads/{thread.id}?page=2").get_data(as_text=True)
    assert f'id="post-{target.id}"' in page
    assert len(re.findall(r'<article class="post', page)) == 20


def test_home_orders_by_latest_activity(client_as, world):
    f.make_reply(world["member"], world["anon"], body="bump")
    page = client_as().get("/").get_data(as_text=True)
    assert (page.index("Anonymous thread about an aide")
            < page.index("Named thread about an IEP meeting"))


def test_members_only_category_for_guests(client_as, world):
    guest = client_as()
    page = guest.get("/categories/support").get_data(as_text=True)
    assert "Sign in to read" in page and "Members only thread here" not in page
    assert "Members only thread here" not in guest.get("/").get_data(as_text=True)
    response = guest.get(f"/threads/{world['members_thread'].id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    member_page = client_as(world["member"]).get("/categories/support").get_data(as_text=True)
    assert "Members only thread here" in member_page


def test_pinned_threads_first_in_category(client_as, world):
    world["named"].pinned = True
    db.session.commit()
    f.make_reply(world["member"], world["anon"])
    page = client_as().get("/categories/iep-meetings").get_data(as_text=True)
    assert (page.index("Named thread about an IEP meeting")
            < page.index("Anonymous thread about an aide"))


def test_locked_thread_refuses_replies(client_as, world):
    world["named"].locked = True
    db.session.commit()
    thread_id = world["named"].id
    response = client_as(world["member"]).post(f"/threads/{thread_id}/reply",
                                               data={"body": "hello"})
    assert response.status_code == 403
    assert db.session.scalar(
        select(func.count()).select_from(Post).where(Post.thread_id == thread_id)
    ) == 2


def test_double_submit_creates_one_post(client_as, world):
    client = client_as(world["member"])
    data = {"body": "only once please", "token": "0123456789abcdef0123456789abcdef"}
    first = client.post(f"/threads/{world['named'].id}/reply", data=data)
    second = client.post(f"/threads/{world['named'].id}/reply", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    count = db.session.scalar(
        select(func.count()).select_from(Post).where(Post.body == "only once please")
    )
    assert count == 1


def test_counters_are_updated_in_sql(world):
    """The post counter, kept in SQL, equals the real number of posts."""
    thread = world["named"]
    thread_id = thread.id
    f.make_reply(world["member"], thread)
    f.make_reply(world["author"], thread)
    db.session.remove()
    real = db.session.scalar(
        select(func.count()).select_from(Post).where(Post.thread_id == thread_id)
    )
    assert db.session.get(Thread, thread_id).post_count == real == 4


def test_profile_lists_only_named_posts(client_as, world):
    page = client_as().get("/users/author_ruth").get_data(as_text=True)
    assert "Named thread about an IEP meeting" in page
    assert "Anonymous thread about an aide" not in page
    assert "1 post under this name" in page
    assert client_as().get("/users/nobody_like_this").status_code == 404


def test_admin_manages_categories(client_as, world):
    client = client_as(world["admin"])
    assert client.get("/admin/categories").status_code == 200
    response = client.post("/admin/categories/new", data={
        "name": "What worked", "slug": "what-worked", "description": "Wins", "visibility": "public",
        "anonymous_policy": "allow"})
    assert response.status_code == 302
    bad = client.post("/admin/categories/new", data={
        "name": "Dup", "slug": "what-worked", "visibility": "public", "anonymous_policy": "allow"})
    assert bad.status_code == 422 and "already uses that slug" in bad.get_data(as_text=True)
    new_id = db.session.scalar(select(Category.id).where(Category.slug == "what-worked"))
    client.post(f"/admin/categories/{new_id}/move", data={"direction": "up"})
    db.session.remove()
    order = list(db.session.scalars(select(Category.slug).order_by(Category.position)))
    assert order.index("what-worked") < order.index("support")


def test_later_pages_of_a_named_thread_render(client_as, world):
    thread = world["named"]
    for i in range(25):
        f.make_reply(world["member"], thread, body=f"reply {i}")
    for viewer in (None, world["member"]):
        assert client_as(viewer).get(f"/threads/{thread.id}?page=2").status_code == 200
