"""A member's conversations in their export; deleting an account keeps the others' copy."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from forum.conversations.models import Block, Participant
from forum.extensions import db
from tests import factories as f


def _export(client) -> dict:
    client.post("/settings/confirm-password",
                data={"password": f.PASSWORD, "next": "/settings/data/export.json"})
    return json.loads(client.get("/settings/data/export.json").get_data(as_text=True))


def _start(client, query, body, **extra):
    response = client.post(f"/messages/new?{query}", data={"body": body, **extra})
    return int(re.search(r"/messages/(\d+)$", response.headers["Location"]).group(1))


def test_export_has_own_conversations_as_the_member_saw_them(world, client_as):
    secret = f.make_user("zq_export_secret", id=654_321)
    thread = f.make_thread(secret, world["public"], title="Anonymous for the export",
                           hide_author=True)
    maya = client_as(world["member"])
    cid = _start(maya, f"post={f.first_post(thread).id}", "Hello anonymous parent")
    client_as(secret).post(f"/messages/{cid}/reply", data={"body": "Hello back"})
    _start(maya, "to=author_ruth", "Hello Ruth")
    data = _export(maya)["private_conversations"]
    assert len(data) == 2
    anon = data[0]
    assert anon["with"].startswith("Anonymous parent · ")
    assert [(m["by"], m["text"]) for m in anon["messages"]] == [
        ("You", "Hello anonymous parent"), (anon["with"], "Hello back")]
    raw = json.dumps(data)
    assert "zq_export_secret" not in raw and "654321" not in raw
    assert data[1]["with"] == "author_ruth"
    # The anonymous parent's export names the member (she wrote by name).
    theirs = _export(client_as(secret))["private_conversations"]
    assert theirs[0]["with"] == "member_maya"


def test_deleting_an_account_keeps_the_others_copy(world, client_as):
    maya, ruth = client_as(world["member"]), client_as(world["author"])
    cid = _start(maya, "to=author_ruth", "Words from Maya")
    ruth.post(f"/messages/{cid}/block")
    maya_id = world["member"].id
    response = maya.post("/settings/delete", data={"posts": "keep", "password": f.PASSWORD})
    assert response.status_code == 302
    page = ruth.get(f"/messages/{cid}").get_data(as_text=True)
    assert "Words from Maya" in page and "Former member" in page and "member_maya" not in page
    assert "Former member" in ruth.get("/messages").get_data(as_text=True)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Block)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.user_id == maya_id)) == 0
    # Ruth can still write there, to nobody: refused politely, nothing breaks.
    assert ruth.post(f"/messages/{cid}/reply", data={"body": "hello?"}).status_code == 302
