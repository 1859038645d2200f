"""Moderators act on anonymous posts without learning who wrote them; only an admin can reveal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.moderation.models import AuditEntry, MemberNotice
from forum.moderation.settings import HOLD_FIRST_POSTS
from tests import factories as f
from tests.moderation_support import audit_entries, count, flag, old_user

SECRET_NAME = "zz_secret_parent"
SECRET_EMAIL = "secret.parent@example.org"
SECRET_ID = 987654  # distinctive: a bare number this size appears nowhere else on a page


@pytest.fixture
def secret(world):
    """An anonymous author with a distinctive name, email and id, and moderation around them."""
    author = f.make_user(SECRET_NAME, email=SECRET_EMAIL, id=SECRET_ID)
    world["moderator"].email = "mod.river@example.org"  # so the crisis alert below is mailed
    db.session.commit()
    thread = f.make_thread(
        author, world["public"], title="My son's aide keeps changing", hide_author=True
    )
    reply = f.make_reply(author, world["named"], body="This happened to us too.", hide_author=True)
    first = f.first_post(thread)
    flag(first, "child", "Mentions the school")
    flag(reply, "crisis", "Sounds hopeless")
    return {"author": author, "thread": thread, "reply": reply, "first": first}


def assert_no_trace(text: str, where: str) -> None:
    assert SECRET_NAME not in text, where
    assert SECRET_EMAIL not in text, where
    assert str(SECRET_ID) not in text, where
    assert not re.search(rf"\b{SECRET_ID}\b", text), where


def _moderate(client, post, **data):
    response = client.post(f"/moderation/posts/{post.id}/actions", data=data)
    assert response.status_code == 302, response.text[:1000]
    return response


def test_moderator_pages_show_only_the_alias(client_as, world, secret, outbox):
    moderator = client_as(world["moderator"])
    first, reply = secret["first"], secret["reply"]
    # Act on the anonymous author the way the issue describes, then look at every page.
    _moderate(moderator, first, action="warn", reason="Please leave the school out.")
    _moderate(moderator, first, action="suspend", days="7", reason="Identifying details")
    _moderate(moderator, reply, action="hide", reason="Checking in privately")
    moderator.post(f"/moderation/posts/{first.id}/edit", data={"body": "Redacted text"})
    from forum.moderation.models import SiteSetting

    db.session.add(SiteSetting(key=HOLD_FIRST_POSTS, value="1"))
    db.session.commit()
    held = f.make_thread(
        f.make_user("fresh_parent"),
        world["public"],
        title="Held thread to approve",
        hide_author=True,
    )
    assert held.status == "held"

    for viewer in (world["moderator"], world["admin"]):
        client = client_as(viewer)
        pages = [
            "/moderation/",
            "/moderation/approvals",
            "/moderation/log",
            f"/moderation/posts/{first.id}",
            f"/moderation/posts/{reply.id}",
            f"/moderation/posts/{first.id}/edit",
            f"/threads/{secret['thread'].id}",
            f"/threads/{world['named'].id}",
            f"/posts/{first.id}/revisions",
            "/moderation/log?action=suspend",
            f"/moderation/log?actor={world['moderator'].id}",
        ]
        if viewer.is_admin:
            pages.append(f"/moderation/posts/{first.id}/reveal")
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_no_trace(response.text, path)
            assert_no_trace(str(response.headers), path)
        queue = client.get("/moderation/").text
        assert "Anonymous parent · " in queue
    # The crisis email to moderators carries the alias only.
    assert outbox
    for message in outbox:
        assert_no_trace(message.as_string(), "email")
    # And the audit log itself keeps no account for actions on the anonymous author.
    for entry in audit_entries():
        assert entry.user_id is None
        assert_no_trace(f"{entry.reason} {entry.detail}", "audit entry")


def test_the_anonymous_author_still_feels_the_actions(client_as, world, secret):
    moderator = client_as(world["moderator"])
    _moderate(moderator, secret["first"], action="warn", reason="Please leave the school out.")
    _moderate(moderator, secret["first"], action="suspend", days="3", reason="Identifying details")
    author_page = client_as(secret["author"]).get("/").text
    assert "Please leave the school out." in author_page
    assert "Your account is paused" in author_page and "Identifying details" in author_page


# --- reveal ---------------------------------------------------------------------------


def test_reveal_refused_for_members_and_moderators(client_as, world, secret):
    url = f"/moderation/posts/{secret['first'].id}/reveal"
    data = {"reason": "I really want to know who this is"}
    for user in (world["member"], world["moderator"], secret["author"]):
        client = client_as(user)
        assert client.get(url).status_code == 403
        response = client.post(url, data=data)
        assert response.status_code == 403
        assert SECRET_NAME not in response.text
    assert count(AuditEntry, AuditEntry.action == "reveal") == 0
    assert count(MemberNotice, MemberNotice.kind == "reveal") == 0
    assert client_as().post(url, data=data).headers["Location"].startswith("/login")


@pytest.mark.parametrize("reason", ["", "   ", "short"])
def test_reveal_needs_a_written_reason(client_as, world, secret, reason):
    response = client_as(world["admin"]).post(
        f"/moderation/posts/{secret['first'].id}/reveal", data={"reason": reason}
    )
    assert response.status_code in (400, 422)
    assert SECRET_NAME not in response.text
    assert count(AuditEntry, AuditEntry.action == "reveal") == 0


def test_reveal_shows_the_admin_once_and_logs_without_the_identity(client_as, world, secret):
    admin = client_as(world["admin"])
    post = secret["first"]
    reason = "Credible threat against a child reported to us"
    response = admin.post(f"/moderation/posts/{post.id}/reveal", data={"reason": reason})
    assert response.status_code == 200
    assert SECRET_NAME in response.text
    assert response.headers["Cache-Control"] == "private, no-store"
    [entry] = audit_entries("reveal")
    assert (entry.actor_id, entry.post_id, entry.reason) == (world["admin"].id, post.id, reason)
    assert entry.user_id is None
    assert_no_trace(f"{entry.reason} {entry.detail}", "entry")
    # Every moderator sees who, when, which post and why; never whom.
    log = client_as(world["moderator"]).get("/moderation/log").text
    assert reason in log and "Revealed author to an admin" in log and "admin_harbor" in log
    assert_no_trace(log, "log")
    # The author is told privately.
    [notice] = db.session.scalars(select(MemberNotice).where(MemberNotice.kind == "reveal")).all()
    assert notice.user_id == SECRET_ID
    page = client_as(secret["author"]).get("/").text
    assert "An admin saw who wrote one of your anonymous posts" in page
    assert "An admin saw who" not in client_as(world["member"]).get("/").text
    # The name is not kept anywhere the admin could open again.
    assert SECRET_NAME not in admin.get(f"/moderation/posts/{post.id}").text
    assert SECRET_NAME not in admin.get("/moderation/log").text


def test_reveal_for_a_safety_investigation_does_not_tell_the_author(client_as, world, secret):
    response = client_as(world["admin"]).post(
        f"/moderation/posts/{secret['first'].id}/reveal",
        data={"reason": "Police request about a missing child", "safety_investigation": "y"},
    )
    assert response.status_code == 200 and SECRET_NAME in response.text
    [entry] = audit_entries("reveal")
    assert "not told" in entry.detail
    assert count(MemberNotice, MemberNotice.kind == "reveal") == 0


def test_reveal_of_a_named_post_is_refused(client_as, world):
    response = client_as(world["admin"]).post(
        f"/moderation/posts/{f.first_post(world['named']).id}/reveal",
        data={"reason": "It is not anonymous anyway"},
    )
    assert response.status_code == 400
    assert count(AuditEntry) == 0


# --- query counts ------------------------------------------------------------------------


def _flag_many(world, n: int) -> list:
    """n flagged posts in n threads: named and anonymous, first posts and replies, some crisis."""
    flaggers = [old_user(f"flagger_{n}_{i}") for i in range(2)]
    targets = []
    for i in range(n):
        author = f.make_user(f"writer_{n}_{i}")
        thread = f.make_thread(
            author, world["public"], title=f"Thread to flag {i}", hide_author=bool(i % 2)
        )
        reply = f.make_reply(world["member"], thread, hide_author=bool(i % 3))
        target = f.first_post(thread) if i % 2 else reply
        flag(target, "crisis" if i % 5 == 0 else "spam", "note", flagger=flaggers[0])
        flag(target, "harassment", "", flagger=flaggers[1])
        targets.append(target)
    return targets


def _log_many(client, world, n: int) -> None:
    """Entries on posts (named and anonymous authors), on threads, and on accounts."""
    for post in _flag_many(world, n):
        client.post(f"/moderation/posts/{post.id}/actions", data={"action": "hide"})
        client.post(f"/moderation/threads/{post.thread_id}/actions", data={"action": "pin"})
    from forum.moderation.authors import change_role

    for i in range(n):
        change_role(world["admin"], f.make_user(f"helper_{n}_{i}"), "moderator", "helps out")


@pytest.mark.parametrize("path", ["/moderation/", "/moderation/log"])
def test_queue_and_log_query_counts_do_not_grow(client_as, world, count_queries, path):
    moderator = client_as(world["moderator"])
    fill = _flag_many if path == "/moderation/" else (lambda w, n: _log_many(moderator, w, n))
    fill(world, 3)
    moderator.get(path)
    with count_queries() as small:
        assert moderator.get(path).status_code == 200
    fill(world, 30)
    with count_queries() as large:
        body = moderator.get(path).text
    assert len(large) == len(small), (len(small), len(large))
    rows = body.count('class="mod-item') if path == "/moderation/" else body.count("<tr>") - 1
    assert rows >= 25
