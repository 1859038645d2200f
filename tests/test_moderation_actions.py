"""Every moderator action does what it says and writes exactly one audit entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.accounts.models import SUSPENDED_INDEFINITELY, LoginSession, User
from forum.extensions import db, now_utc
from forum.moderation.models import AuditEntry, MemberNotice
from forum.threads.models import Category, Post, PostRevision, Thread
from tests import factories as f
from tests.moderation_support import audit_entries, count, flag, fresh, open_flag_count


def _reload(model, ident):
    fresh()
    return db.session.get(model, ident)


def _set(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    db.session.commit()


# Each case: action name, endpoint kind, setup(world, post), check(world, post_id, thread_id).
def _flagged(world, post):
    flag(post, "spam")


def _flag_hidden(world, post):
    for _ in range(3):
        flag(post, "spam")
    assert _reload(Post, post.id).status == "flag_hidden"
    db.session.execute(db.delete(AuditEntry))  # the automatic hide's entry: not under test
    db.session.commit()


def _author(world):
    return _reload(User, world["author"].id)


def _sanctioned(action):
    """A suspension or ban given earlier through the same post (its audit entry not under test)."""

    def setup(world, post):
        from forum.moderation import authors

        give = {"suspend": lambda: authors.suspend_author(world["admin"], post, 3, "Earlier"),
                "ban": lambda: authors.ban_author(world["admin"], post, "Earlier")}[action]
        give()
        assert _author(world).is_suspended
        db.session.execute(db.delete(AuditEntry))
        db.session.commit()

    return setup


POST_CASES = [
    (
        "dismiss",
        _flagged,
        lambda w, p, t: _reload(Post, p).status == "visible" and open_flag_count(p) == 0,
    ),
    (
        "dismiss",
        _flag_hidden,
        lambda w, p, t: _reload(Post, p).status == "visible" and open_flag_count(p) == 0,
    ),
    (
        "hide",
        _flagged,
        lambda w, p, t: _reload(Post, p).status == "hidden" and open_flag_count(p) == 0,
    ),
    (
        "restore",
        lambda w, p: _set(p, status="hidden"),
        lambda w, p, t: _reload(Post, p).status == "visible",
    ),
    (
        "restore",
        _flag_hidden,
        lambda w, p, t: _reload(Post, p).status == "visible" and open_flag_count(p) == 0,
    ),
    (
        "delete",
        _flagged,
        lambda w, p, t: _reload(Post, p).status == "deleted" and open_flag_count(p) == 0,
    ),
    (
        "approve",
        lambda w, p: _set(p, status="held") or _set(p.thread, status="held"),
        lambda w, p, t: (
            _reload(Post, p).status == "visible" and _reload(Thread, t).status == "visible"
        ),
    ),
    (
        "reject",
        lambda w, p: _set(p, status="held") or _set(p.thread, status="held"),
        lambda w, p, t: (
            _reload(Post, p).status == "hidden"
            and _reload(Thread, t).status == "hidden"
            and count(MemberNotice, MemberNotice.kind == "rejected") == 1
        ),
    ),
    (
        "warn",
        None,
        lambda w, p, t: (
            [(n.user_id, n.kind, n.message) for n in db.session.scalars(select(MemberNotice))]
            == [(w["author"].id, "warning", "Please leave out the school's name.")]
        ),
    ),
    (
        "suspend",
        None,
        lambda w, p, t: (
            timedelta(days=6, hours=23)
            < _author(w).suspended_until - now_utc()
            <= timedelta(days=7)
            and _author(w).suspension_reason == "Please leave out the school's name."
        ),
    ),
    (
        "lift",
        _sanctioned("suspend"),
        lambda w, p, t: _author(w).suspended_until is None and not _author(w).is_suspended,
    ),
    (
        "ban",
        None,
        lambda w, p, t: (
            _author(w).is_banned
            and count(LoginSession, LoginSession.user_id == w["author"].id) == 0
        ),
    ),
    (
        "unban",
        _sanctioned("ban"),
        lambda w, p, t: not _author(w).is_banned,
    ),
]


@pytest.mark.parametrize(
    ("action", "setup", "check"), POST_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(POST_CASES)]
)
def test_post_action(client_as, world, action, setup, check):
    post = f.first_post(world["anon"])
    thread_id = post.thread_id
    client_as(world["author"])  # the author has a live sign-in session (a ban ends it)
    if setup:
        setup(world, db.session.get(Post, post.id))
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": action, "reason": "Please leave out the school's name.", "days": "7"},
    )
    assert response.status_code == 302, response.data.decode()[:2000]
    assert response.headers["Location"] == f"/moderation/posts/{post.id}"
    fresh()
    assert check(world, post.id, thread_id)
    entries = audit_entries()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action in (action, {"lift": "lift_suspension"}.get(action))
    assert entry.actor_id == world["moderator"].id
    assert entry.post_id == post.id and entry.user_id is None
    assert entry.reason == "Please leave out the school's name."


def test_suspend_until_lifted(client_as, world):
    post = f.first_post(world["anon"])
    client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": "suspend", "reason": "Repeated attacks", "days": "lifted"},
    )
    assert _author(world).suspended_until == SUSPENDED_INDEFINITELY
    [entry] = audit_entries()
    assert entry.detail == "until lifted"


@pytest.mark.parametrize("action", ["warn", "suspend", "ban", "reject"])
def test_actions_the_author_reads_need_a_reason(client_as, world, action):
    post = f.first_post(world["anon"])
    if action == "reject":
        _set(post, status="held")
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions", data={"action": action, "reason": "  ", "days": "3"}
    )
    assert response.status_code == 400
    assert b"Write the reason" in response.data or b"Write the warning" in response.data
    assert audit_entries() == []
    assert not _author(world).is_suspended


def test_unknown_action_is_a_clear_400(client_as, world):
    post = f.first_post(world["anon"])
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions", data={"action": "explode"}
    )
    assert response.status_code == 400
    assert audit_entries() == []


def test_refused_action_keeps_the_typed_reason(client_as, world):
    post = f.first_post(world["anon"])
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": "dismiss", "reason": "A long careful explanation"},
    )
    assert response.status_code == 400
    assert b"no open flags" in response.data
    assert b"A long careful explanation" in response.data


THREAD_CASES = [
    ("lock", {}, lambda t: t.locked),
    ("unlock", {"locked": True}, lambda t: not t.locked),
    ("pin", {}, lambda t: t.pinned),
    ("unpin", {"pinned": True}, lambda t: not t.pinned),
    ("hide_thread", {}, lambda t: t.status == "hidden"),
    ("restore_thread", {"status": "hidden"}, lambda t: t.status == "visible"),
]


@pytest.mark.parametrize(
    ("action", "before", "check"), THREAD_CASES, ids=[c[0] for c in THREAD_CASES]
)
def test_thread_action(client_as, world, action, before, check):
    thread = world["anon"]
    _set(thread, **before)
    response = client_as(world["moderator"]).post(
        f"/moderation/threads/{thread.id}/actions", data={"action": action, "reason": "tidy"}
    )
    assert response.status_code == 302
    assert check(_reload(Thread, thread.id))
    [entry] = audit_entries()
    assert (entry.action, entry.thread_id, entry.post_id, entry.reason) == (
        action,
        thread.id,
        None,
        "tidy",
    )


def test_move_thread_updates_counters(client_as, world):
    thread, target = world["anon"], world["private"]
    before_public = world["public"].thread_count
    response = client_as(world["moderator"]).post(
        f"/moderation/threads/{thread.id}/actions",
        data={"action": "move", "category": str(target.id)},
    )
    assert response.status_code == 302
    assert _reload(Thread, thread.id).category_id == target.id
    assert _reload(Category, world["public"].id).thread_count == before_public - 1
    assert _reload(Category, target.id).thread_count == 2
    [entry] = audit_entries()
    assert entry.action == "move" and "Support for parents" in entry.detail


def test_locked_thread_refuses_member_replies(client_as, world):
    client_as(world["moderator"]).post(
        f"/moderation/threads/{world['named'].id}/actions", data={"action": "lock"}
    )
    response = client_as(world["member"]).post(
        f"/threads/{world['named'].id}/reply", data={"body": "One more thing"}
    )
    assert response.status_code == 403


def test_hidden_thread_disappears_for_members(client_as, world):
    client_as(world["moderator"]).post(
        f"/moderation/threads/{world['anon'].id}/actions", data={"action": "hide_thread"}
    )
    assert client_as(world["member"]).get(f"/threads/{world['anon'].id}").status_code == 404
    assert b"Anonymous thread about an aide" not in client_as(world["member"]).get("/").data
    assert client_as(world["moderator"]).get(f"/threads/{world['anon'].id}").status_code == 200


def test_moderator_edit_keeps_a_revision_marked_as_moderator(client_as, world):
    post = f.first_post(world["anon"])
    moderator = client_as(world["moderator"])
    page = moderator.get(f"/moderation/posts/{post.id}/edit")
    assert page.status_code == 200 and b"What happened at the meeting today." in page.data
    response = moderator.post(
        f"/moderation/posts/{post.id}/edit",
        data={"body": "What happened at [school removed] today.", "reason": "Named the school"},
    )
    assert response.status_code == 302
    assert _reload(Post, post.id).body == "What happened at [school removed] today."
    [revision] = db.session.scalars(select(PostRevision)).all()
    assert revision.by_moderator and revision.body == "What happened at the meeting today."
    [entry] = audit_entries()
    assert (entry.action, entry.post_id, entry.reason) == ("edit", post.id, "Named the school")
    history = client_as(world["author"]).get(f"/posts/{post.id}/revisions").data
    assert b"edited by a moderator" in history


def test_moderator_edit_rejects_empty_text_and_keeps_it(client_as, world):
    post = f.first_post(world["anon"])
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/edit", data={"body": "   ", "reason": "keep me"}
    )
    assert response.status_code == 422
    assert b"keep me" in response.data
    assert audit_entries() == [] and count(PostRevision) == 0


def test_restore_does_not_undelete_a_post_its_author_removed(client_as, world):
    post = f.first_post(world["anon"])
    client_as(world["author"]).post(f"/posts/{post.id}/delete")
    assert _reload(Post, post.id).status == "deleted"
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions", data={"action": "restore"}
    )
    assert response.status_code == 400
    assert _reload(Post, post.id).status == "deleted"
    assert audit_entries() == []


def test_moderator_deleted_post_can_be_restored(client_as, world):
    post = f.first_post(world["anon"])
    moderator = client_as(world["moderator"])
    moderator.post(f"/moderation/posts/{post.id}/actions", data={"action": "delete"})
    moderator.post(f"/moderation/posts/{post.id}/actions", data={"action": "restore"})
    assert _reload(Post, post.id).status == "visible"
    assert [e.action for e in audit_entries()] == ["delete", "restore"]


def test_bulk_dismiss_writes_one_entry_per_post(client_as, world):
    posts = [f.first_post(world["named"]), world["reply"], f.first_post(world["anon"])]
    for post in posts:
        flag(post, "spam")
    for _ in range(2):
        flag(posts[0], "spam")  # three flags: hidden pending review
    response = client_as(world["moderator"]).post(
        "/moderation/bulk-dismiss",
        data={"post_ids": [p.id for p in posts[:2]], "reason": "spam wave"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/"
    assert open_flag_count(posts[0].id) == 0 and open_flag_count(posts[1].id) == 0
    assert open_flag_count(posts[2].id) == 1
    assert _reload(Post, posts[0].id).status == "visible"
    entries = audit_entries("dismiss")
    assert sorted(e.post_id for e in entries) == sorted(p.id for p in posts[:2])
    assert all(e.reason == "spam wave" for e in entries)


def test_moderator_cannot_act_on_own_account_or_staff(client_as, world):
    own = f.make_thread(world["moderator"], world["public"], title="A moderator's own thread")
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{f.first_post(own).id}/actions",
        data={"action": "suspend", "reason": "x"},
    )
    assert response.status_code == 403
    staff_thread = f.make_thread(world["admin"], world["public"], title="An admin's thread here")
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{f.first_post(staff_thread).id}/actions",
        data={"action": "ban", "reason": "x"},
    )
    assert response.status_code == 403
    assert not _reload(User, world["admin"].id).is_banned
    assert audit_entries() == []


def test_warning_is_private_shown_on_next_visit_and_acknowledged(client_as, world):
    post = f.first_post(world["anon"])
    client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": "warn", "reason": "Please don't name the aide."},
    )
    author = client_as(world["author"])
    page = author.get("/").data.decode()
    assert "A note from the moderators" in page and "Please don&#39;t name the aide." in page
    assert "Please don" not in client_as(world["member"]).get("/").data.decode()
    notice = db.session.scalar(select(MemberNotice))
    author.post(f"/notices/{notice.id}/acknowledge")
    assert "A note from the moderators" not in author.get("/").data.decode()


def test_banned_member_is_signed_out_and_cannot_sign_in(client_as, world):
    post = f.first_post(world["anon"])
    author = client_as(world["author"])
    assert author.get("/settings").status_code == 200
    client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions", data={"action": "ban", "reason": "Threats"}
    )
    assert author.get("/settings").headers["Location"].startswith("/login")
    response = client_as().post("/login", data={"username": "author_ruth", "password": f.PASSWORD})
    assert response.status_code == 422
    assert b"banned" in response.data


def test_moderator_can_redact_a_thread_title(client_as, world):
    post = f.first_post(world["anon"])
    response = client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/edit",
        data={"title": "About an aide at school", "body": post.body, "reason": "Named the aide"},
    )
    assert response.status_code == 302
    assert _reload(Thread, world["anon"].id).title == "About an aide at school"
    [revision] = db.session.scalars(select(PostRevision)).all()
    assert revision.by_moderator and revision.title == "Anonymous thread about an aide"
    assert [e.action for e in audit_entries()] == ["edit"]
