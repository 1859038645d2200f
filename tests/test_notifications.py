"""Notifications (issue 18): who is told what, how it reads, the bell, unread marks."""

from __future__ import annotations

import json
import re

import pytest

from forum.extensions import db
from forum.notifications.models import Kind, Notification, NotificationSetting, ThreadRead
from forum.threads import services as threads
from forum.threads.models import Post, Thread
from forum.threads.services import reaction_added
from tests import factories as f
from tests.leakcheck import find_leaks, response_text, secrets_of


@pytest.fixture(autouse=True)
def _quiet(world):
    """The world's own reply told its starter: start each test with nobody told anything."""
    db.session.execute(db.delete(Notification))
    db.session.commit()


def notes(user) -> list[Notification]:
    """The member's notifications as committed (read through a session of their own)."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    user_id = inspect(user).identity[0]
    with Session(db.engine) as session:
        return list(session.scalars(
            db.select(Notification).where(Notification.recipient_id == user_id)
            .order_by(Notification.id)
        ))


def react(post: Post, member, kind: str = "me_too") -> None:
    """What the reactions feature does: send the signal inside its transaction, commit."""
    reaction_added.send(post, member_id=member.id, kind=kind)
    db.session.commit()


def page(client, path: str = "/notifications") -> str:
    db.session.expire_all()  # the request loads what it shows, as on a server
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def bell(html: str) -> str | None:
    found = re.search(r"data-bell-count( hidden)?>([^<]*)<", html)
    return None if found is None or found.group(1) else found.group(2)


# --- who is told ----------------------------------------------------------------------------


def test_reply_tells_the_starter_and_followers_not_the_replier(world):
    from forum.digests.services import set_following

    starter, replier, follower = world["author"], world["member"], f.make_user("follow_fern")
    set_following(follower, world["named"], True)
    f.make_reply(replier, world["named"], body="We had the same meeting.")
    assert [n.kind for n in notes(starter)] == [Kind.REPLY]
    assert [n.kind for n in notes(follower)] == [Kind.REPLY]
    assert notes(replier) == []
    # The starter answering in their own thread, anonymously, naming themselves: nothing.
    f.make_reply(starter, world["named"], body="Thanks, @author_ruth here.", hide_author=True)
    assert [n.count for n in notes(starter)] == [1]


def test_replies_group_while_unread_and_jump_to_the_first(world):
    thread, starter = world["anon"], world["author"]
    first = f.make_reply(world["member"], thread, body="First answer.")
    f.make_reply(f.make_user(), thread, body="Second answer.")
    (line,) = notes(starter)
    assert line.count == 2 and line.post_id == first.id


def test_a_starter_who_stopped_following_is_not_told(world):
    from forum.digests.services import set_following

    set_following(world["author"], world["anon"], False)
    f.make_reply(world["member"], world["anon"])
    assert notes(world["author"]) == []


def test_anonymous_starter_is_told_and_sees_the_replier_as_they_would(client_as, world):
    starter = world["author"]  # world["anon"] is their anonymous thread
    f.make_reply(world["member"], world["anon"], body="Sending strength.", hide_author=True)
    html = page(client_as(starter))
    assert "Anonymous parent · " in html and "replied in" in html
    assert world["member"].username not in html


def test_quote_and_mention_tell_the_member_once(world):
    quoted = world["reply"]  # member_maya's reply in the named thread
    body = f"[quote=post:{quoted.id}]\n\nYes, @member_maya, and @nobody_here_at_all too."
    f.make_reply(f.make_user(), world["anon"], body=body)
    assert [n.kind for n in notes(world["member"])] == [Kind.MENTION]
    f.make_reply(f.make_user(), world["anon"], body=f"[quote=post:{quoted.id}]\n\nTrue.")
    assert [n.kind for n in notes(world["member"])] == [Kind.MENTION, Kind.QUOTE]


def test_mentions_are_links_and_can_be_turned_off(client_as, world):
    post = f.make_reply(world["author"], world["named"], body="Ask @Member_Maya, not `@mod_river`.")
    assert '<a href="/users/Member_Maya"' in post.body_html
    assert [n.kind for n in notes(world["member"])] == [Kind.MENTION]
    assert notes(world["moderator"]) == []  # code is not a mention
    client = client_as(world["member"])
    assert client.post("/settings/notifications", data={}).status_code == 302
    f.make_reply(world["author"], world["named"], body="Again, @member_maya.")
    assert len(notes(world["member"])) == 1
    assert db.session.get(NotificationSetting, world["member"].id).mentions is False


def test_mention_links_point_at_the_profile_route(app):
    from forum.text import PROFILE_PATH

    with app.test_request_context():
        from flask import url_for

        assert url_for("threads.profile", username="x") == PROFILE_PATH + "x"


def test_reactions_group_and_never_name_who(client_as, world):
    post = world["reply"]
    for _ in range(3):
        react(post, f.make_user())
    react(post, world["member"])  # your own post: nothing
    (line,) = notes(world["member"])
    assert line.kind == Kind.REACTION and line.count == 3 and line.actor_post_id is None
    client = client_as(world["member"])
    html = page(client)
    assert "Parents reacted to your post" in html and "(3 reactions)" in html
    assert "notification--unread" in html
    assert bell(html) is None  # quiet: listed, not rung


def test_moderation_tells_the_author_and_the_flagger_but_names_no_moderator(client_as, world):
    from forum.moderation import actions, authors
    from forum.moderation.services import flag_post

    post = world["reply"]
    flag_post(world["author"], post, "spam")
    actions.dismiss_flags(world["moderator"], post)
    authors.warn_author(world["moderator"], post, "Please keep names out.")
    anon_post = f.first_post(world["anon"])
    authors.reveal_author(world["admin"], anon_post, "A safety report names this post.")
    assert [n.kind for n in notes(world["member"])] == [Kind.NOTE]
    assert [n.kind for n in notes(world["author"])] == [Kind.FLAG, Kind.REVEAL]
    for user in (world["member"], world["author"]):
        html = page(client_as(user))
        assert "A moderator" in html or "An admin" in html
        assert "mod_river" not in html.split("</header>", 1)[1]
        assert "admin_harbor" not in html


# --- reading them -------------------------------------------------------------------------


def test_opening_marks_read_and_jumps_to_the_post(client_as, world):
    reply = f.make_reply(world["member"], world["anon"])
    (line,) = notes(world["author"])
    client = client_as(world["author"])
    response = client.post(f"/notifications/{line.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/{reply.id}"
    assert notes(world["author"])[0].read_at is not None
    # Someone else's notification: not found, and nothing changes.
    f.make_reply(world["member"], world["anon"])
    other = notes(world["author"])[-1]
    assert client_as(world["member"]).post(f"/notifications/{other.id}/open").status_code == 404
    assert notes(world["author"])[-1].read_at is None


def test_mark_all_read(client_as, world):
    f.make_reply(world["member"], world["anon"])
    f.make_reply(world["member"], world["named"])
    client = client_as(world["author"])
    assert bell(page(client, "/")) == "2"
    response = client.post("/notifications/read")
    assert response.headers["Location"] == "/notifications"
    assert all(n.read_at is not None for n in notes(world["author"]))
    assert bell(page(client, "/")) is None


def test_count_json_for_the_bell_script(client_as, world):
    f.make_reply(world["member"], world["anon"], hide_author=True)
    response = client_as(world["author"]).get("/notifications/count")
    assert response.json == {"unread": 1}
    assert "no-store" in response.headers["Cache-Control"]
    assert client_as().get("/notifications/count").status_code == 302  # sign in first


def test_no_username_behind_an_alias_in_text_counts_or_json(client_as, world):
    secret = f.make_user("zq_hidden_parent", id=876_543)
    patterns = secrets_of(secret)
    own = f.make_thread(world["member"], world["public"], title="My son's new aide")
    f.make_reply(secret, own, body="Same here, @member_maya.", hide_author=True)
    f.make_reply(secret, own, body=f"[quote=post:{f.first_post(own).id}]\n\nYes.",
                 hide_author=True)
    react(f.first_post(own), secret)
    client = client_as(world["member"])
    for path in ("/notifications", "/notifications/count", "/", f"/threads/{own.id}"):
        db.session.expire_all()
        response = client.get(path)
        assert not find_leaks(response_text(response), patterns), path
    html = page(client)
    assert html.count("Anonymous parent · ") >= 2


# --- the bell and query counts ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/notifications", "/", "thread"])
def test_pages_cost_the_same_with_1_or_50_notifications(client_as, world, count_queries, path):
    member = world["member"]
    thread = f.make_thread(member, world["public"], title="A thread with many answers")
    path = f"/threads/{thread.id}" if path == "thread" else path
    f.make_reply(world["author"], thread, hide_author=True)
    client = client_as(member)
    page(client, path)  # the visit's start and the read mark are written once
    with count_queries() as one:
        page(client, path)
    others = [f.make_user() for _ in range(49)]
    for i, other in enumerate(others):
        f.make_reply(other, world["anon"], body=f"@member_maya number {i}",
                     hide_author=i % 2 == 0)
    assert len(notes(member)) == 50
    page(client, path)
    with count_queries() as fifty:
        html = page(client, path)
    assert len(fifty) == len(one)
    assert bell(html) == "50"


def test_bell_is_right_for_two_members_served_from_the_same_kept_blocks(client_as, world,
                                                                        count_queries):
    thread = world["named"]
    f.make_reply(world["member"], thread)  # tells the author
    f.make_reply(world["author"], world["members_thread"])  # tells the member
    f.make_reply(f.make_user(), world["members_thread"])  # the same line: "2 new replies"
    f.make_reply(f.make_user(), world["anon"])  # a second line for the author
    author, member = client_as(world["author"]), client_as(world["member"])
    other = client_as(world["moderator"])
    page(other, f"/threads/{thread.id}")
    page(other, "/")
    # Now both pages' blocks are kept (a moderator's own rendering is not: warm for members).
    third = client_as(f.make_user())
    page(third, f"/threads/{thread.id}")
    page(third, "/")
    for path in (f"/threads/{thread.id}", "/"):
        assert bell(page(author, path)) == "2"
        assert bell(page(member, path)) == "1"
    assert bell(page(third, "/")) is None


# --- unread marks ---------------------------------------------------------------------------


def test_thread_lists_mark_unread_and_jump_to_the_first_unread(client_as, world, app):
    app.config["POSTS_PER_PAGE"] = 2
    thread = world["named"]  # two posts
    client = client_as(world["member"])
    page(client, f"/threads/{thread.id}")
    assert "unread-mark" not in page(client, "/")
    first_new = f.make_reply(world["author"], thread, body="New one.")
    f.make_reply(world["author"], thread, body="Newer one.")
    html = page(client, "/")
    assert f'href="/threads/{thread.id}/unread">2 unread<' in html
    assert "unread-mark" not in page(client_as(world["moderator"]), "/")  # never read it
    response = client.get(f"/threads/{thread.id}/unread")
    assert response.headers["Location"] == f"/posts/{first_new.id}"
    page(client, f"/threads/{thread.id}?page=2")
    assert "unread-mark" not in page(client, "/")
    mark = db.session.get(ThreadRead, (world["member"].id, thread.id))
    assert mark.last_number == 4


def test_new_since_your_last_visit(client_as, world):
    from datetime import timedelta

    from forum.extensions import now_utc

    member = world["member"]
    client = client_as(member)
    assert "since your last visit" not in page(client, "/")  # the first visit
    setting = db.session.get(NotificationSetting, member.id)
    setting.visit_started_at = now_utc() - timedelta(hours=2)
    db.session.execute(db.update(Thread).values(last_activity_at=now_utc() - timedelta(hours=3)))
    db.session.commit()
    f.make_reply(world["author"], world["anon"])
    assert "1 thread has new posts since your last visit" in page(client, "/")


# --- email --------------------------------------------------------------------------------


def test_verification_offers_reply_emails_ticked(client_as, world):
    from forum.digests.models import DigestPreference
    from forum.digests.tokens import make_verify_token

    author = world["author"]
    token = make_verify_token(author.id, author.email)
    client = client_as(author)
    html = page(client, f"/email/verify/{token}")
    assert re.search(r'<input[^>]*\bchecked\b[^>]*name="notify_replies"', html)
    assert "Email me when someone replies to me" in html
    client.post(f"/email/verify/{token}", data={"notify_replies": "y"})
    db.session.expire_all()
    assert db.session.get(DigestPreference, author.id).notify_replies is True


def test_verification_unticked_sends_no_reply_emails(client_as, world):
    from forum.digests.models import DigestPreference
    from forum.digests.tokens import make_verify_token

    author = world["author"]
    client_as(author).post(f"/email/verify/{make_verify_token(author.id, author.email)}")
    db.session.expire_all()
    pref = db.session.get(DigestPreference, author.id)
    assert pref is None or pref.notify_replies is False
    assert db.session.get(type(author), author.id).email_verified_at is not None


# --- the journey ("done when") --------------------------------------------------------------


def test_journey_a_parent_is_answered(client_as, world):
    parent, helper = f.make_user("new_parent_nia"), f.make_user("helper_hal")
    client = client_as(parent)
    response = client.post("/threads/new", data={
        "category": world["public"].slug, "title": "First IEP meeting tomorrow",
        "body": "I am scared of tomorrow's meeting.", "hide_author": "y", "token": "",
    })
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    opening = db.session.scalar(db.select(Post).where(Post.thread_id == thread_id))
    react(opening, helper)
    thread = threads.get_thread(thread_id)
    reply = f.make_reply(helper, thread, body="You can bring someone with you.")
    for path in ("/", f"/threads/{world['named'].id}", "/resources"):
        assert bell(page(client, path)) == "1", path  # the reply (reactions are quiet)
    html = page(client)
    line = re.search(r'action="(/notifications/\d+/open)"(?:(?!</form>).)*helper_hal replied',
                     html, re.DOTALL)
    assert line, html
    response = client.post(line.group(1))
    assert response.headers["Location"] == f"/posts/{reply.id}"
    response = client.get(response.headers["Location"])
    assert response.headers["Location"] == f"/threads/{thread_id}#post-{reply.id}"
    assert bell(page(client, f"/threads/{thread_id}")) is None
    assert f"/threads/{thread_id}/unread" not in page(client, "/")  # her thread shows as read
    assert "(1 reaction)" in page(client)
    # Her thread is anonymous: the helper's pages never show her name.
    patterns = secrets_of(parent)
    helper_client = client_as(helper)
    for path in ("/", f"/threads/{thread_id}", "/notifications", "/notifications/count"):
        db.session.expire_all()
        text = response_text(helper_client.get(path))
        assert not find_leaks(text, {"username": patterns["username"]}), path
    assert json.loads(client.get("/notifications/count").data) == {"unread": 0}
