"""Safety around conversations: settings, blocks, reports, new accounts, rate limits, links."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.conversations.models import Block, Conversation, Message, Report
from forum.extensions import db, now_utc
from tests import factories as f


def start(client, to="author_ruth", body="Hello, same story here."):
    return client.post(f"/messages/new?to={to}", data={"body": body})


def cid_of(response) -> int:
    return int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def conversations() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Conversation))


def test_only_people_i_have_talked_with(world, client_as):
    ruth, maya = client_as(world["author"]), client_as(world["member"])
    assert ruth.post("/messages/settings", data={"only_known": "y"}).status_code == 302
    response = start(maya)
    assert response.status_code == 422
    assert "This member isn't accepting messages from you." in text(response)
    assert conversations() == 0
    # Ruth writes first and Maya answers: now Maya is someone Ruth has talked with.
    cid = cid_of(start(ruth, to="member_maya"))
    assert maya.post(f"/messages/{cid}/reply", data={"body": "Hi!"}).status_code == 302
    assert start(maya).status_code == 302


def test_settings_page_saves_and_shows(world, client_as):
    client = client_as(world["member"])
    client.post("/messages/settings", data={"only_known": "y", "email_text": "y"})
    page = client.get("/messages/settings").get_data(as_text=True)
    assert page.count("checked") == 2


def test_block_a_member_by_name_and_unblock(world, client_as):
    ruth, maya = client_as(world["author"]), client_as(world["member"])
    cid = cid_of(start(maya))
    blocked = ruth.post(f"/messages/{cid}/block", follow_redirects=True)
    assert "Blocked." in text(blocked)
    # Maya can neither reply nor start a new conversation with Ruth.
    maya.post(f"/messages/{cid}/reply", data={"body": "are you there"})
    refused = start(maya)
    assert refused.status_code == 422
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
    # The blocker still writes to whoever they like: nothing differs for them.
    assert ruth.post(f"/messages/{cid}/reply", data={"body": "one last"}).status_code == 302
    settings = ruth.get("/messages/settings").get_data(as_text=True)
    assert "member_maya" in settings
    block_id = db.session.scalar(select(Block.id))
    assert ruth.post(f"/messages/blocks/{block_id}/delete").status_code == 302
    assert start(maya).status_code == 302


def test_only_the_blocker_can_unblock(world, client_as):
    maya = client_as(world["member"])
    cid = cid_of(start(maya))
    client_as(world["author"]).post(f"/messages/{cid}/block")
    block_id = db.session.scalar(select(Block.id))
    for user in (world["member"], world["moderator"], world["admin"]):
        assert client_as(user).post(f"/messages/blocks/{block_id}/delete").status_code == 404
    db.session.remove()
    assert db.session.get(Block, block_id) is not None


def test_report_shows_moderators_only_the_message(world, client_as):
    maya, ruth = client_as(world["member"]), client_as(world["author"])
    mod = client_as(world["moderator"])
    cid = cid_of(start(maya, body="A first private thing"))
    maya.post(f"/messages/{cid}/reply", data={"body": "The message that is unkind"})
    ruth.post(f"/messages/{cid}/reply", data={"body": "Ruth's own private words"})
    db.session.remove()
    unkind = db.session.scalar(select(Message.id).where(Message.body.like("%unkind%")))
    assert ruth.get(f"/messages/{cid}/messages/{unkind}/report").status_code == 200
    response = ruth.post(f"/messages/{cid}/messages/{unkind}/report", data={"reason": "Rude"})
    assert response.status_code == 302
    assert mod.get(f"/messages/{cid}").status_code == 404  # still not the whole conversation
    listing = mod.get("/messages/reports").get_data(as_text=True)
    report_id = db.session.scalar(select(Report.id))
    assert f"/messages/reports/{report_id}" in listing
    page = mod.get(f"/messages/reports/{report_id}").get_data(as_text=True)
    assert "The message that is unkind" in page and "member_maya" in page
    assert "A first private thing" not in page and "private words" not in page
    assert mod.post(f"/messages/reports/{report_id}/resolve").status_code == 302
    assert f"/messages/reports/{report_id}" not in mod.get("/messages/reports").get_data(
        as_text=True)


@pytest.mark.parametrize("who", ["member", "author"])
def test_members_cannot_read_reports(world, client_as, who):
    maya = client_as(world["member"])
    cid = cid_of(start(maya))
    message = db.session.scalar(select(Message.id))
    client_as(world["author"]).post(f"/messages/{cid}/messages/{message}/report", data={})
    report_id = db.session.scalar(select(Report.id))
    client = client_as(world[who])
    assert client.get("/messages/reports").status_code == 403
    assert client.get(f"/messages/reports/{report_id}").status_code == 403
    assert client.post(f"/messages/reports/{report_id}/resolve").status_code == 403


def test_report_of_an_anonymous_sender_shows_the_alias(world, client_as):
    secret = f.make_user("zq_hidden_sender")
    thread = f.make_thread(secret, world["public"], title="Anonymous thread to reply in",
                           hide_author=True)
    reply = f.make_reply(world["author"], thread, body="We lived this too.")
    sender = client_as(secret)
    cid = cid_of(sender.post(f"/messages/new?post={reply.id}",
                             data={"body": "Nasty words", "as_alias": "y"}))
    message = db.session.scalar(select(Message.id))
    client_as(world["author"]).post(f"/messages/{cid}/messages/{message}/report", data={})
    report_id = db.session.scalar(select(Report.id))
    page = client_as(world["moderator"]).get(f"/messages/reports/{report_id}").get_data(
        as_text=True)
    assert "Anonymous parent · " in page and "zq_hidden_sender" not in page


@pytest.mark.parametrize("days, posts, allowed", [(5, 5, True), (1, 5, False), (5, 1, False)])
def test_new_accounts_cannot_start_conversations(app, world, client_as, days, posts, allowed):
    app.config.update(CONVERSATION_MIN_ACCOUNT_DAYS=3, CONVERSATION_MIN_POSTS=3)
    newcomer = f.make_user("newcomer_nia", created_at=now_utc() - timedelta(days=days))
    thread = f.make_thread(newcomer, world["public"], title="Newcomer's first thread")
    for _ in range(posts - 1):
        f.make_reply(newcomer, thread)
    client = client_as(newcomer)
    if not allowed:
        assert "New members can start private conversations" in client.get(
            "/messages/new?to=author_ruth").get_data(as_text=True)
    assert start(client).status_code == (302 if allowed else 422)
    assert conversations() == (1 if allowed else 0)


def test_a_new_account_can_still_answer(app, world, client_as):
    app.config.update(CONVERSATION_MIN_ACCOUNT_DAYS=3, CONVERSATION_MIN_POSTS=3)
    old = f.make_user("old_timer", created_at=now_utc() - timedelta(days=30))
    thread = f.make_thread(old, world["public"], title="An old timer's thread")
    for _ in range(3):
        f.make_reply(old, thread)
    newcomer = f.make_user("newcomer_ned")
    cid = cid_of(start(client_as(old), to="newcomer_ned"))
    assert client_as(newcomer).post(f"/messages/{cid}/reply",
                                    data={"body": "thanks"}).status_code == 302


def test_first_message_links_are_text_until_answered(world, client_as):
    maya, ruth = client_as(world["member"]), client_as(world["author"])
    first = "Look at [https://evil.example/phish](https://evil.example/phish), [this](https://x.example)"
    cid = cid_of(start(maya, body=first))
    for client in (ruth, maya):  # both sides see the same thing
        page = client.get(f"/messages/{cid}").get_data(as_text=True)
        assert 'href="https://evil.example' not in page and 'href="https://x.example' not in page
        assert "https://evil.example/phish" in page
    ruth.post(f"/messages/{cid}/reply", data={"body": "Hi, see https://ok.example"})
    maya.post(f"/messages/{cid}/reply", data={"body": "Now [later](https://later.example)"})
    page = ruth.get(f"/messages/{cid}").get_data(as_text=True)
    assert 'href="https://later.example' in page
    assert 'href="https://evil.example' not in page  # the first message stays as it was


@pytest.mark.parametrize("config_overrides", [{
    "RATELIMIT_ENABLED": True, "RATELIMIT_CONVERSATION_START": "2 per hour"}])
def test_starting_conversations_is_rate_limited(world, client_as, config_overrides):
    maya = client_as(world["member"])
    others = [f.make_user(f"limited{i}") for i in range(3)]
    statuses = [start(maya, to=u.username).status_code for u in others]
    assert statuses == [302, 302, 429]
    # Replies are not starts.
    cid = db.session.scalar(select(Conversation.id))
    assert maya.post(f"/messages/{cid}/reply", data={"body": "more"}).status_code == 302


def test_suspended_member_cannot_start(world, client_as):
    world["member"].suspended_until = now_utc() + timedelta(days=2)
    db.session.commit()
    assert start(client_as(world["member"])).status_code == 422
