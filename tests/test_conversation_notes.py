"""A moderator's gentle note: from "The moderators", kind, never a moderator's name, and
for an anonymous post without the moderator learning the author."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.conversations.models import Conversation, Message
from forum.extensions import db
from forum.moderation.models import AuditEntry
from forum.resources import library
from tests import factories as f
from tests.leakcheck import find_leaks, response_text, secrets_of


@pytest.fixture
def crisis(world):
    secret = f.make_user("zq_crisis_parent", email="zq.crisis@example.org", id=876_543)
    thread = f.make_thread(secret, world["private"], title="I can't do this anymore",
                           body="Some days are too much.", hide_author=True)
    library.save_resource(None, id="988-test", title="988 Suicide and Crisis Lifeline",
                          url="https://988lifeline.org", publisher="SAMHSA",
                          description="Call or text 988.", tag_ids=[])
    return {**world, "secret": secret, "thread": thread, "post": f.first_post(thread)}


def send(client, post_id, body="We're thinking of you. You're not alone.", resources=()):
    return client.post(f"/messages/note?post={post_id}",
                       data={"body": body, "resources": list(resources)})


def test_note_arrives_from_the_moderators_with_resources(crisis, client_as):
    mod = client_as(crisis["moderator"])
    form = mod.get(f"/messages/note?post={crisis['post'].id}").get_data(as_text=True)
    assert "Anonymous parent · " in form and "988 Suicide and Crisis Lifeline" in form
    response = send(mod, crisis["post"].id, resources=["988-test"])
    assert response.status_code == 302
    cid = int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))
    parent = client_as(crisis["secret"])
    assert 'Messages <span class="badge">1' in parent.get("/").get_data(as_text=True)
    page = parent.get(f"/messages/{cid}").get_data(as_text=True)
    assert "A note from the moderators" in page and "not a warning" in page
    assert "The moderators" in page and 'href="https://988lifeline.org"' in page
    assert "mod_river" not in page
    # The parent answers; the moderators read it there, still under the alias.
    parent.post(f"/messages/{cid}/reply", data={"body": "Thank you, it helps."})
    log = mod.get("/moderation/log")
    assert "Sent the author a private note" in log.get_data(as_text=True)
    seen = [mod.get(f"/messages/{cid}"), mod.get("/messages/notes"), form_response(mod, crisis),
            log]
    assert "Thank you, it helps." in seen[0].get_data(as_text=True)
    for response in seen:
        leaks = find_leaks(response_text(response), secrets_of(crisis["secret"]))
        assert not leaks, f"{response.request.path} shows {leaks}"
    # Another moderator answers as "The moderators" too.
    admin = client_as(crisis["admin"])
    admin.post(f"/messages/{cid}/reply", data={"body": "Glad to hear it."})
    page = parent.get(f"/messages/{cid}").get_data(as_text=True)
    assert "Glad to hear it." in page and "admin_harbor" not in page


def form_response(client, w):
    return client.get(f"/messages/note?post={w['post'].id}")


def test_note_to_a_named_post_uses_the_username_for_moderators(world, client_as):
    post = f.first_post(world["named"])
    mod = client_as(world["moderator"])
    send(mod, post.id)
    assert "author_ruth" in mod.get("/messages/notes").get_data(as_text=True)


@pytest.mark.parametrize("who", ["member", "author", None])
def test_only_moderators_send_notes(world, client_as, who):
    post = f.first_post(world["named"])
    response = send(client_as(world[who] if who else None), post.id)
    assert response.status_code in (302, 403)
    if who is None:
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
        assert client_as(world[who]).get("/messages/notes").status_code == 403
    db.session.remove()
    assert db.session.scalar(select(Message.id)) is None


def test_a_note_is_private_to_its_recipient_and_the_moderators(crisis, client_as, world):
    response = send(client_as(crisis["moderator"]), crisis["post"].id)
    cid = int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))
    for user in (world["member"], world["author"]):
        client = client_as(user)
        assert client.get(f"/messages/{cid}").status_code == 404
        assert client.post(f"/messages/{cid}/reply", data={"body": "x"}).status_code == 404
    # Nobody blocks "The moderators" or reports their note.
    parent = client_as(crisis["secret"])
    assert parent.post(f"/messages/{cid}/block").status_code == 404
    message = db.session.scalar(select(Message.id))
    assert parent.get(f"/messages/{cid}/messages/{message}/report").status_code == 404


def test_missing_post_is_404_for_moderators(world, client_as):
    assert client_as(world["moderator"]).get("/messages/note?post=999999").status_code == 404
    assert client_as(world["moderator"]).get("/messages/note").status_code == 404


def test_moderation_pages_link_to_the_note(crisis, client_as):
    from forum.moderation import services

    services.flag_post(crisis["member"], crisis["post"], "crisis", "Worried about them.")
    mod = client_as(crisis["moderator"])
    link = f"/messages/note?post={crisis['post'].id}"
    assert link in mod.get("/moderation/").get_data(as_text=True)
    assert link in mod.get(f"/moderation/posts/{crisis['post'].id}").get_data(as_text=True)


def test_note_kind_is_recorded(crisis, client_as):
    moderator_id, post_id = crisis["moderator"].id, crisis["post"].id
    send(client_as(crisis["moderator"]), post_id, body="Thinking of you.")
    db.session.remove()
    conversation = db.session.scalar(select(Conversation))
    assert conversation.kind == "moderators"
    message = db.session.scalar(select(Message))
    assert message.participant_id is None and message.moderator_id == moderator_id
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "note" and entry.actor_id == moderator_id
    assert entry.post_id == post_id and "Thinking" not in entry.reason + entry.detail
