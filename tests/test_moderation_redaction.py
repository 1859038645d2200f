"""A moderator's redaction removes the removed text from the history and the author's export."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.threads import services as threads
from forum.threads.models import Post, PostRevision, Thread
from tests import factories as f
from tests.moderation_support import audit_entries, fresh

SECRET = "Jacob Miller"
SCHOOL = "Lincoln Elementary"


@pytest.fixture
def story(world):
    """An anonymous first post whose title and text named a child, edited twice by its author."""
    author = world["author"]
    thread = f.make_thread(
        author,
        world["public"],
        title=f"Trouble at {SCHOOL} this year",
        body=f"Our son {SECRET} was left out of recess again.",
        hide_author=True,
    )
    post = f.first_post(thread)
    threads.edit_post(author, post, f"Our son {SECRET} (age 8) was left out of recess again.")
    threads.edit_post(author, post, "Our son was left out of recess again, third time.")
    return {"post_id": post.id, "thread_id": thread.id}


def _stored_texts(post_id: int) -> list[str]:
    fresh()
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post_id))
    return [f"{r.title or ''} {r.body}" for r in revisions]


def _export(client) -> str:
    client.post(
        "/settings/confirm-password",
        data={"password": f.PASSWORD, "next": "/settings/data/export.json"},
    )
    response = client.get("/settings/data/export.json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_redacting_edit_erases_every_earlier_version(client_as, world, story):
    post_id = story["post_id"]
    assert any(SECRET in text for text in _stored_texts(post_id))  # the history holds it
    moderator = client_as(world["moderator"])
    response = moderator.post(
        f"/moderation/posts/{post_id}/edit",
        data={
            "title": "Trouble at school this year",
            "body": "Our son was left out of recess again, third time.",
            "redact": "y",
            "reason": "Guideline 1: a child's name",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    # No stored version of the post holds text the new version doesn't: one marker remains.
    fresh()
    [marker] = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post_id))
    assert marker.redacted and marker.by_moderator and marker.body == "" and marker.title is None
    assert db.session.get(Thread, story["thread_id"]).title == "Trouble at school this year"
    assert db.session.get(Post, post_id).edited_at is not None
    # The author's export and the edit history (author's and moderators' view) say only that.
    author = client_as(world["author"])
    export = _export(author)
    assert SECRET not in export and SCHOOL not in export
    [revision] = json.loads(export)["revisions"]
    assert revision["redacted"] is True and revision["body"] is None
    for client in (author, moderator):
        page = client.get(f"/posts/{post_id}/revisions")
        assert page.status_code == 200
        assert SECRET not in page.text and SCHOOL not in page.text
        assert "Redacted by a moderator" in page.text
    # The audit entry says a redaction happened, not what was removed.
    [entry] = audit_entries("redact")
    assert entry.actor_id == world["moderator"].id and entry.post_id == post_id
    assert SECRET not in f"{entry.reason} {entry.detail}" and "earlier versions" in entry.detail
    log = moderator.get("/moderation/log").text
    assert "Redacted post" in log and SECRET not in log and SCHOOL not in log


def test_redaction_erases_a_history_the_author_already_cleaned(client_as, world, story):
    # The current text has no name any more; only the history does: redacting it is allowed.
    post_id = story["post_id"]
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post_id}/edit",
        data={
            "title": f"Trouble at {SCHOOL} this year",
            "body": "Our son was left out of recess again, third time.",
            "redact": "y",
        },
    )
    assert response.status_code == 302
    assert _stored_texts(post_id) == [" "]
    [entry] = audit_entries("redact")
    assert entry.detail == "earlier versions removed"


def test_nothing_to_redact_is_a_clear_400_that_keeps_the_text(client_as, world):
    post = f.first_post(world["named"])
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/edit",
        data={"title": world["named"].title, "body": post.body, "redact": "y", "reason": "why"},
    )
    assert response.status_code == 400
    assert "no earlier versions to redact" in response.text
    assert "why" in response.text
    assert audit_entries() == []


def test_an_ordinary_moderator_edit_keeps_the_history(client_as, world, story):
    post_id = story["post_id"]
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post_id}/edit",
        data={"title": "Trouble at school this year", "body": "Shortened by a moderator."},
    )
    assert response.status_code == 302
    texts = _stored_texts(post_id)
    assert len(texts) == 3 and any(SECRET in text for text in texts)
    assert [e.action for e in audit_entries()] == ["edit"]


def test_the_author_cannot_redact(client_as, world, story):
    response = client_as(world["author"]).post(
        f"/moderation/posts/{story['post_id']}/edit",
        data={"body": "Mine", "redact": "y"},
    )
    assert response.status_code == 403
    assert any(SECRET in text for text in _stored_texts(story["post_id"]))
