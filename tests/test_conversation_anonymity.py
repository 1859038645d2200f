"""Messaging an anonymous parent: neither side can compute the other's account."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from forum.conversations.models import Block, Message
from forum.extensions import db
from tests import factories as f
from tests.leakcheck import find_leaks, response_text, secrets_of

SECRET_ID = 987_653


@pytest.fixture
def anon(world):
    """A parent who posts anonymously under a distinctive name, email and id, in two threads."""
    secret = f.make_user("zq_hidden_parent", email="zq.hidden.parent@example.org", id=SECRET_ID)
    first = f.make_thread(secret, world["public"], title="Aide removed after a good month",
                          body="They took away the aide.", hide_author=True)
    second = f.make_thread(secret, world["public"], title="Evaluation refused by the school",
                           body="They said no evaluation.", hide_author=True)
    f.make_reply(world["member"], first, body="So sorry, same here.")
    return {**world, "secret": secret, "first": first, "second": second,
            "first_post": f.first_post(first), "second_post": f.first_post(second)}


def cid_of(response) -> int:
    return int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))


def pages(client, cid: int) -> list:
    message = db.session.scalar(select(Message.id).where(Message.conversation_id == cid))
    return [client.get("/messages"), client.get(f"/messages/{cid}"),
            client.get("/messages/settings"), client.get("/"),
            client.get(f"/messages/{cid}/messages/{message}/report")]


def assert_no_leak(responses, user, what: str) -> None:
    patterns = secrets_of(user)
    for response in responses:
        assert response.status_code < 500
        leaks = find_leaks(response_text(response), patterns)
        assert not leaks, f"{what}: {response.request.path} shows {leaks}"


def test_sender_never_learns_the_anonymous_account(anon, client_as):
    sender = client_as(anon["member"])
    post = anon["first_post"]
    form = sender.get(f"/messages/new?post={post.id}")
    assert "Anonymous parent · " in form.get_data(as_text=True)
    response = sender.post(f"/messages/new?post={post.id}", data={"body": "Can we talk?"})
    assert_no_leak([form, response], anon["secret"], "starting")
    cid = cid_of(response)
    # The parent answers; the sender blocks and reports: still nothing about the account.
    client_as(anon["secret"]).post(f"/messages/{cid}/reply", data={"body": "Yes, gladly."})
    seen = pages(sender, cid)
    assert "Anonymous parent · " in seen[1].get_data(as_text=True)
    blocked = sender.post(f"/messages/{cid}/block")
    seen += [blocked, sender.get("/messages/settings")]
    assert_no_leak(seen, anon["secret"], "the sender")


def test_recipient_sees_the_sender_s_username_and_not_the_other_way(anon, client_as):
    sender = client_as(anon["member"])
    cid = cid_of(sender.post(f"/messages/new?post={anon['first_post'].id}",
                             data={"body": "Can we talk?"}))
    page = client_as(anon["secret"]).get(f"/messages/{cid}").get_data(as_text=True)
    assert "member_maya" in page
    assert "They see you as “Anonymous parent · " in page


def test_sender_may_write_as_their_own_alias_until_they_reveal(anon, client_as, world):
    # The member posted a named reply in `first`: their alias there is theirs to use.
    sender = client_as(anon["secret"])
    other_post = f.make_reply(world["author"], anon["first"], body="We went through this too.")
    form = sender.get(f"/messages/new?post={other_post.id}").get_data(as_text=True)
    assert "as my anonymous alias" in form
    cid = cid_of(sender.post(f"/messages/new?post={other_post.id}",
                             data={"body": "Thank you for this.", "as_alias": "y"}))
    recipient = client_as(world["author"])
    assert_no_leak(pages(recipient, cid), anon["secret"], "the recipient")
    text = recipient.get(f"/messages/{cid}").get_data(as_text=True)
    assert "Anonymous parent · " in text
    # Revealing is explicit and one way: now the recipient sees the username.
    assert sender.post(f"/messages/{cid}/reveal").status_code == 302
    assert "zq_hidden_parent" in recipient.get(f"/messages/{cid}").get_data(as_text=True)


def test_alias_only_in_a_thread_the_sender_posted_in(anon, client_as, world):
    post = f.first_post(world["named"])  # the secret parent never posted there
    client = client_as(anon["secret"])
    assert "as my anonymous alias" not in client.get(
        f"/messages/new?post={post.id}").get_data(as_text=True)
    cid = cid_of(client.post(f"/messages/new?post={post.id}",
                             data={"body": "Hello", "as_alias": "y"}))
    assert "zq_hidden_parent" in client_as(world["author"]).get(
        f"/messages/{cid}").get_data(as_text=True)


def test_two_threads_same_parent_do_not_link(anon, client_as):
    sender = client_as(anon["member"])
    one = cid_of(sender.post(f"/messages/new?post={anon['first_post'].id}",
                             data={"body": "About the aide"}))
    two = cid_of(sender.post(f"/messages/new?post={anon['second_post'].id}",
                             data={"body": "About the evaluation"}))
    assert one != two
    label = re.compile(r"Anonymous parent · ([A-Z][a-z]+ [A-Z][a-z]+)")
    first_page = sender.get(f"/messages/{one}").get_data(as_text=True)
    second_page = sender.get(f"/messages/{two}").get_data(as_text=True)
    first_alias = label.search(first_page).group(1)
    second_alias = label.search(second_page).group(1)
    assert first_alias != second_alias
    assert first_alias not in second_page and second_alias not in first_page
    # Blocking the first alias: the second conversation still works for the sender and
    # looks exactly like a conversation with someone else.
    sender.post(f"/messages/{one}/block")
    assert sender.post(f"/messages/{two}/reply", data={"body": "Still there?"}).status_code == 302
    listing = sender.get("/messages").get_data(as_text=True)
    assert_no_leak([sender.get("/messages"), sender.get("/messages/settings")], anon["secret"],
                   "after blocking")
    assert first_alias in listing and second_alias in listing


def _block_response(client, cid):
    response = client.post(f"/messages/{cid}/block", follow_redirects=True)
    text = response.get_data(as_text=True)
    flash = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', text, re.S)
    return response.status_code, flash.group(1).strip() if flash else text.count("Blocked")


def test_blocking_an_alias_looks_the_same_whoever_is_behind_it(anon, client_as, world):
    """Blocking the alias of an account already blocked by name confirms exactly like
    blocking the alias of anybody else."""
    sender = client_as(anon["member"])
    stranger = f.make_user("stranger_sam")
    strangers_thread = f.make_thread(stranger, world["public"], title="Strangers own thread",
                                     hide_author=True)
    named = cid_of(sender.post("/messages/new?to=zq_hidden_parent", data={"body": "hi"}))
    sender.post(f"/messages/{named}/block")
    known = cid_of(sender.post(f"/messages/new?post={anon['first_post'].id}",
                               data={"body": "hi"}))
    unknown = cid_of(sender.post(f"/messages/new?post={f.first_post(strangers_thread).id}",
                                 data={"body": "hi"}))
    member_id, parent = anon["member"].id, client_as(anon["secret"])
    assert _block_response(sender, known) == _block_response(sender, unknown)
    db.session.remove()
    blocks = db.session.scalars(select(Block).where(Block.blocker_id == member_id)).all()
    assert len(blocks) == 3  # one row per block, even for an account blocked twice
    # The blocked parent can no longer write to the blocker.
    refused = parent.post(f"/messages/{known}/reply", data={"body": "hey"})
    assert refused.status_code == 302
    db.session.remove()
    assert db.session.scalar(select(Message.id).where(Message.body == "hey")) is None


@pytest.mark.parametrize("reason", ["blocked", "only_known", "banned"])
def test_refusals_for_an_anonymous_recipient_never_say_why(anon, client_as, reason):
    from forum.conversations import safety
    from forum.extensions import now_utc

    secret = anon["secret"]
    if reason == "blocked":
        db.session.add(Block(blocker_id=secret.id, blocked_id=anon["member"].id, label="x"))
    elif reason == "only_known":
        safety.save_settings(secret, only_known=True, email_text=False)
    else:
        secret.banned_at = now_utc()
    db.session.commit()
    response = client_as(anon["member"]).post(f"/messages/new?post={anon['first_post'].id}",
                                              data={"body": "Hello"})
    assert response.status_code == 422
    assert "This parent can't receive messages from you right now." in html.unescape(
        response.get_data(as_text=True))
    assert_no_leak([response], secret, reason)


def test_talked_with_ignores_conversations_where_the_recipient_was_masked(anon, client_as):
    """"Only people I've talked with" must not let a sender test an alias against an account:
    having answered as an alias does not count as having talked with them."""
    from forum.conversations import safety

    sender = client_as(anon["member"])
    cid = cid_of(sender.post(f"/messages/new?post={anon['first_post'].id}", data={"body": "hi"}))
    client_as(anon["secret"]).post(f"/messages/{cid}/reply", data={"body": "hello back"})
    safety.save_settings(anon["secret"], only_known=True, email_text=False)
    response = sender.post("/messages/new?to=zq_hidden_parent", data={"body": "by name"})
    assert response.status_code == 422  # the same refusal as for anyone they never answered
    # Once the parent reveals their name in that conversation, it counts.
    client_as(anon["secret"]).post(f"/messages/{cid}/reveal")
    assert sender.post("/messages/new?to=zq_hidden_parent",
                       data={"body": "by name"}).status_code == 302
