"""A member's reactions, saved items and drafts: in their data export, gone with the account."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from forum.engage.models import Draft, Reaction, SavedItem
from forum.extensions import db
from tests import engage_support as support
from tests import factories as f

as_, ids = support.as_, support.ids  # fixtures


def _export(client) -> dict:
    client.post("/settings/confirm-password",
                data={"password": f.PASSWORD, "next": "/settings/data/export.json"})
    return json.loads(client.get("/settings/data/export.json").get_data(as_text=True))


def _count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(model.id)))


def _engage(client, ids) -> None:
    client.post(f"/posts/{ids['reply']}/react", data={"kind": "helped"})
    client.post(f"/threads/{ids['anon']}/save")
    client.post(f"/threads/{ids['anon']}/draft", data={"body": "Half a reply.", "hide_author": "y"})


def test_export_holds_the_members_reactions_saved_and_drafts(as_, ids):
    client = as_("author")
    _engage(client, ids)
    data = _export(client)
    assert [r["reaction"] for r in data["reactions"]] == ["helped"]
    assert data["reactions"][0]["post_url"].endswith(f"/posts/{ids['reply']}")
    assert data["saved"][0]["url"].endswith(f"/threads/{ids['anon']}")
    assert data["drafts"][0]["text"] == "Half a reply."
    assert data["drafts"][0]["post_anonymously"] is True
    other = _export(as_("member"))
    assert other["reactions"] == other["saved"] == other["drafts"] == []


def test_drafts_and_saved_items_go_with_the_account(as_, ids):
    client = as_("author")
    _engage(client, ids)
    response = client.post("/settings/delete", data={"posts": "keep", "password": f.PASSWORD})
    assert response.status_code == 302
    assert _count(Draft) == 0 and _count(SavedItem) == 0
    assert _count(Reaction) == 1  # a count, no longer anyone's who can be named
