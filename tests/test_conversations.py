"""Private conversations between members: start, list, read, reply, who may see what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.conversations.models import Conversation, Message, Participant
from forum.conversations.services import message_sent
from forum.extensions import db
from tests import factories as f


def start(client, body="Same thing happened to us. Happy to talk.", **query):
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(f"/messages/new?{args}", data={"body": body})


def conversation_id(response) -> int:
    return int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))


def test_member_starts_from_a_profile_and_the_other_replies(world, client_as):
    maya, ruth = world["member"], world["author"]
    sender = client_as(maya)
    response = start(sender, to=ruth.username)
    assert response.status_code == 302
    cid = conversation_id(response)
    page = sender.get(f"/messages/{cid}").get_data(as_text=True)
    assert "Same thing happened to us" in page and "author_ruth" in page

    reader = client_as(ruth)
    listing = reader.get("/messages").get_data(as_text=True)
    assert "member_maya" in listing and "New" in listing
    assert 'Messages <span class="badge">1' in reader.get("/").get_data(as_text=True)
    assert "Same thing happened" in reader.get(f"/messages/{cid}").get_data(as_text=True)
    assert 'Messages <span class="badge">' not in reader.get("/messages").get_data(as_text=True)

    assert reader.post(f"/messages/{cid}/reply", data={"body": "Thank you"}).headers[
        "Location"].endswith(f"/messages/{cid}#latest")
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2
    assert 'Messages <span class="badge">1' in sender.get("/").get_data(as_text=True)


def test_message_privately_from_a_named_post(world, client_as):
    post = f.first_post(world["named"])
    client = client_as(world["member"])
    page = client.get(f"/threads/{world['named'].id}").get_data(as_text=True)
    assert f"/messages/new?post={post.id}" in page
    assert "author_ruth" in client.get(f"/messages/new?post={post.id}").get_data(as_text=True)
    cid = conversation_id(start(client, post=post.id))
    db.session.remove()
    users = set(db.session.scalars(select(Participant.user_id).where(
        Participant.conversation_id == cid)))
    assert users == {world["member"].id, world["author"].id}


def test_no_message_link_for_guests_or_on_own_posts(world, client_as):
    post = f.first_post(world["named"])
    assert f"/messages/new?post={post.id}" not in client_as().get(
        f"/threads/{world['named'].id}").get_data(as_text=True)
    own = client_as(world["author"]).get(f"/threads/{world['named'].id}").get_data(as_text=True)
    assert f"/messages/new?post={post.id}" not in own
    assert client_as(world["author"]).get(f"/messages/new?post={post.id}").status_code == 404


def test_profile_has_a_message_link_for_other_members(world, client_as):
    page = client_as(world["member"]).get("/users/author_ruth")
    assert "/messages/new?to=" not in client_as(world["author"]).get(
        "/users/author_ruth").get_data(as_text=True)
    assert "/messages/new?to=author_ruth" in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["admin", "moderator", None, "outsider"])
def test_others_cannot_see_or_touch_a_conversation(world, client_as, who):
    cid = conversation_id(start(client_as(world["member"]), to="author_ruth"))
    user = f.make_user("outsider_olive") if who == "outsider" else (world[who] if who else None)
    client = client_as(user)
    routes = [("get", f"/messages/{cid}"), ("post", f"/messages/{cid}/reply"),
              ("post", f"/messages/{cid}/reveal"), ("post", f"/messages/{cid}/block")]
    message = db.session.scalar(select(Message.id))
    routes.append(("get", f"/messages/{cid}/messages/{message}/report"))
    for method, url in routes:
        response = getattr(client, method)(url, data={"body": "sneaky"})
        if who is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 404, url
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_own_message_cannot_be_reported(world, client_as):
    client = client_as(world["member"])
    cid = conversation_id(start(client, to="author_ruth"))
    message = db.session.scalar(select(Message.id))
    assert client.get(f"/messages/{cid}/messages/{message}/report").status_code == 404


def test_cannot_message_yourself_or_a_missing_member(world, client_as):
    client = client_as(world["member"])
    assert client.get("/messages/new?to=member_maya").status_code == 404
    assert client.get("/messages/new?to=nobody_here").status_code == 404
    assert client.get("/messages/new").status_code == 404


def test_empty_message_is_refused_and_nothing_is_saved(world, client_as):
    response = start(client_as(world["member"]), body="   ", to="author_ruth")
    assert response.status_code == 422
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_message_sent_signal(world, client_as):
    heard = []

    def receiver(message, conversation, recipient_ids):
        heard.append((message.body, recipient_ids))

    with message_sent.connected_to(receiver):
        start(client_as(world["member"]), body="Hello there", to="author_ruth")
    assert heard == [("Hello there", [world["author"].id])]


def test_reply_works_without_javascript_and_keeps_order(world, client_as):
    maya = client_as(world["member"])
    cid = conversation_id(start(maya, body="alpha words", to="author_ruth"))
    client_as(world["author"]).post(f"/messages/{cid}/reply", data={"body": "bravo words"})
    maya.post(f"/messages/{cid}/reply", data={"body": "charlie words"})
    page = maya.get(f"/messages/{cid}").get_data(as_text=True)
    assert page.index("alpha words") < page.index("bravo words") < page.index("charlie words")
    assert 'id="latest"' in page


def test_conversation_page_queries_do_not_grow_with_messages(world, client_as, count_queries):
    maya = client_as(world["member"])
    ruth = client_as(world["author"])
    cid = conversation_id(start(maya, body="one", to="author_ruth"))
    maya.get(f"/messages/{cid}")
    with count_queries() as few:
        maya.get(f"/messages/{cid}")
    for i in range(30):
        (ruth if i % 2 else maya).post(f"/messages/{cid}/reply", data={"body": f"m{i}"})
    maya.get(f"/messages/{cid}")
    with count_queries() as many:
        maya.get(f"/messages/{cid}")
    assert len(few) == len(many)


def test_list_queries_do_not_grow_with_conversations(world, client_as, count_queries):
    maya = client_as(world["member"])
    others = [f.make_user(f"friend{i}") for i in range(6)]
    start(maya, to=others[0].username)
    with count_queries() as few:
        maya.get("/messages")
    for other in others[1:]:
        start(maya, to=other.username)
    with count_queries() as many:
        maya.get("/messages")
    assert len(few) == len(many)


def test_unread_count_is_capped_in_the_header(world, client_as):
    from datetime import timedelta

    from forum.conversations.models import Conversation, Participant
    from forum.extensions import now_utc

    now = now_utc()
    for _ in range(101):
        conversation = Conversation(last_message_at=now)
        conversation.participants = [Participant(user_id=world["author"].id,
                                                 last_read_at=now - timedelta(minutes=1))]
        db.session.add(conversation)
    db.session.commit()
    page = client_as(world["author"]).get("/").get_data(as_text=True)
    assert 'Messages <span class="badge">99+' in page
