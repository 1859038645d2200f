"""Whole guest pages are kept per version of what they show; members' pages never are."""

from __future__ import annotations

import pytest
from flask import flash, session
from sqlalchemy import text

from forum.accounts.models import User
from forum.accounts.services import start_session
from forum.assembly import guest_page, thread_scope
from forum.assembly.versions import SEED_SQL
from forum.extensions import db
from forum.threads.models import Post, PostStatus, Thread
from tests import factories as f


@pytest.fixture
def config_overrides():
    return {"GUEST_CACHE_SIZE": 50}


@pytest.fixture(autouse=True)
def version_row(app):
    """create_all seeds the row once per run; the tables are emptied between tests."""
    if db.session.scalar(text("SELECT COUNT(*) FROM content_version")) == 0:
        db.session.execute(text(SEED_SQL))
        db.session.commit()


def version() -> int:
    return db.session.scalar(text("SELECT version FROM content_version"))


def scope_version(scope: str) -> int:
    found = db.session.scalar(text("SELECT version FROM cache_scopes WHERE scope = :s"),
                              {"s": scope})
    return found or 0


def fetch(client, path, **kw):
    db.session.remove()
    return client.get(path, **kw)


def test_second_guest_view_is_served_from_cache(client_as, world, count_queries):
    client = client_as()
    path = f"/threads/{world['named'].id}"
    first = fetch(client, path)
    with count_queries() as statements:
        second = fetch(client, path)
    assert second.status_code == 200
    assert second.data == first.data
    assert len(statements) == 1  # the versions only
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Cache-Control"] == "no-cache"


def test_if_none_match_gets_304_without_a_body(client_as, world):
    client = client_as()
    etag = fetch(client, "/").headers["ETag"]
    again = fetch(client, "/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize("change", ["reply", "orm", "core", "sql"])
def test_any_content_write_shows_at_once(client_as, world, change):
    thread_id, reply_id, member_id = world["named"].id, world["reply"].id, world["member"].id
    client = client_as()
    path = f"/threads/{thread_id}"
    assert b"A reply from another member." in fetch(client, path).data
    before, thread_before = version(), scope_version(thread_scope(thread_id))
    if change == "reply":
        thread, member = db.session.get(Thread, thread_id), db.session.get(User, member_id)
        f.make_reply(member, thread, body="A brand new reply.")
    elif change == "orm":  # e.g. a moderator hiding a post
        db.session.get(Post, reply_id).status = PostStatus.HIDDEN
        db.session.commit()
    elif change == "core":
        db.session.execute(db.update(Post).where(Post.id == reply_id).values(status="hidden"))
        db.session.commit()
    else:
        db.session.execute(
            text("UPDATE posts SET status = 'hidden' WHERE id = :id"), {"id": reply_id}
        )
        db.session.commit()
    if change == "reply":  # declared by the service: the thread, its lists, search
        assert (version(), scope_version(thread_scope(thread_id))) == (before, thread_before + 1)
    else:  # undeclared: everything
        assert version() == before + 1
    page = fetch(client, path).data
    if change == "reply":
        assert b"A brand new reply." in page
    else:
        assert b"A reply from another member." not in page


def test_rolled_back_write_keeps_the_version(app, world):
    before = version()
    db.session.get(Post, world["reply"].id).body_html = "<p>never saved</p>"
    db.session.flush()
    db.session.rollback()
    assert version() == before


def test_sign_ins_do_not_empty_the_cache(app, world):
    before = version()
    start_session(world["member"], "pytest")
    assert version() == before


def test_members_get_private_pages_and_never_fill_the_cache(client_as, world):
    path = f"/threads/{world['anon'].id}"
    author_client = client_as(world["author"])
    author = fetch(author_client, path)
    assert author.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in author.headers
    assert b"only you see this note" in author.data
    guest = fetch(client_as(), path)
    assert b"only you see this note" not in guest.data
    assert b"author_ruth" not in guest.data


# These two add a route, so each needs an app of its own (apps are shared per config).
@pytest.mark.parametrize("config_overrides", [{"GUEST_CACHE_SIZE": 50, "TEST_APP": "flash"}])
def test_a_guest_with_a_flash_gets_a_fresh_page_that_is_not_kept(app, client_as, world,
                                                                 config_overrides):
    @app.get("/_flash")
    def _flash():
        flash("You're signed out.", "info")
        return "ok"

    client = client_as()
    fetch(client, "/")  # cached without a flash
    fetch(client, "/_flash")
    with_flash = fetch(client, "/")
    assert b"You&#39;re signed out." in with_flash.data
    assert b"signed out" not in fetch(client_as(), "/").data
    assert b"signed out" not in fetch(client, "/").data  # shown once


@pytest.mark.parametrize("config_overrides", [{"GUEST_CACHE_SIZE": 50, "TEST_APP": "session"}])
def test_a_page_that_writes_the_session_is_not_cached(app, client_as, config_overrides):
    calls = []

    @app.get("/_personal")
    @guest_page
    def _personal():
        calls.append(1)
        session["seen"] = len(calls)
        return "personal"

    fetch(client_as(), "/_personal")
    fetch(client_as(), "/_personal")
    assert len(calls) == 2


def test_off_when_size_is_zero(app, client_as, world, count_queries, monkeypatch):
    monkeypatch.delitem(app.extensions, "guest_cache")  # restored for the tests after this one
    monkeypatch.delitem(app.extensions, "block_cache")
    client = client_as()
    fetch(client, "/")
    with count_queries() as statements:
        response = fetch(client, "/")
    assert len(statements) > 1
    assert "ETag" not in response.headers


def test_a_page_holding_a_csrf_token_is_personal(app):
    # Flask-Login already rewrites a guest's non-empty session (so such pages are never
    # cached); this check keeps a page with a token out even if that changes.
    from flask_wtf.csrf import generate_csrf

    from forum.assembly.pages import _personal

    with app.test_request_context("/"):
        session["csrf_token"] = "raw-token"
        session.modified = False
        response = app.response_class("page")
        assert not _personal(response)
        generate_csrf()
        assert not session.modified
        assert _personal(response)


@pytest.fixture
def tagged(world):
    from forum.resources.models import Tag, ThreadTag

    tag = Tag(slug="aides", label="Aides")
    db.session.add(tag)
    db.session.flush()
    db.session.add(ThreadTag(thread_id=world["named"].id, tag_id=tag.id))
    db.session.commit()
    return world


@pytest.mark.parametrize(
    ("path", "caching"),
    [
        ("/search?q=meeting", "no-cache"),
        ("/tags/aides", "no-cache"),
        ("/feed.atom", "public, max-age=300"),
        ("/categories/iep-meetings/feed.atom", "public, max-age=300"),
    ],
)
def test_search_tags_and_feeds_are_cached_until_content_changes(
    client_as, tagged, count_queries, path, caching
):
    from forum.resources.models import Tag, ThreadTag

    member_id, thread_id = tagged["member"].id, tagged["named"].id
    client = client_as()
    first = fetch(client, path)
    assert first.status_code == 200 and b"Named thread about an IEP" in first.data
    with count_queries() as statements:
        second = fetch(client, path)
    assert len(statements) == 1  # the versions only
    assert second.data == first.data and second.headers["Cache-Control"] == caching
    assert first.headers["Cache-Control"] == caching
    member = db.session.get(User, member_id)
    category = db.session.get(Thread, thread_id).category
    thread = f.make_thread(member, category, title="A newer meeting story", body="The meeting.")
    tag_id = db.session.scalar(db.select(Tag.id).where(Tag.slug == "aides"))
    db.session.add(ThreadTag(thread_id=thread.id, tag_id=tag_id))
    db.session.commit()
    assert b"A newer" in fetch(client, path).data


def test_signed_in_search_is_never_cached(client_as, world):
    client = client_as(world["member"])
    response = fetch(client, "/search?q=members")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert b"only thread here" in response.data
    assert b"only thread here" not in fetch(client_as(), "/search?q=members").data


def test_a_worker_reads_the_version_at_most_once_per_interval(app, client_as, world,
                                                               count_queries):
    app.config["GUEST_VERSION_SECONDS"] = 60
    memo = app.extensions["guest_versions"]
    memo.clear()  # as a new worker starts
    tid, member_id = world["named"].id, world["member"].id
    client, path = client_as(), f"/threads/{tid}"
    fetch(client, path)
    with count_queries() as statements:
        assert fetch(client, path).status_code == 200
    assert statements == []  # no database round trip at all
    member, thread = db.session.get(User, member_id), db.session.get(Thread, tid)
    f.make_reply(member, thread, body="A reply guests see a little later")
    assert b"a little later" not in fetch(client, path).data
    memo._seen = {s: (v, at - 60) for s, (v, at) in memo._seen.items()}  # the interval passed
    assert b"a little later" in fetch(client, path).data


@pytest.mark.parametrize("memo_seconds", [0, 60])
def test_a_guests_page_reads_without_begin_and_rollback_on_postgresql(app, client, world,
                                                                       memo_seconds):
    """Rendered or kept, a guest's page asks PostgreSQL without a transaction (psycopg drops
    the worker's prepared statements at every ROLLBACK), and gives its connection back with
    the response; a kept page whose versions this worker read within GUEST_VERSION_SECONDS
    asks nothing at all."""
    from sqlalchemy import event

    app.config["GUEST_VERSION_SECONDS"] = memo_seconds
    postgresql = db.engine.dialect.name == "postgresql"
    levels: list = []

    def before(conn, cursor, statement, params, context, executemany):
        levels.append(conn.get_execution_options().get("isolation_level"))

    path = f"/threads/{world['named'].id}"
    seen = []
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        for _ in range(2):  # rendered, then kept
            db.session.remove()  # a request starts with a new session, as in a real server
            levels.clear()
            assert client.get(path).status_code == 200
            seen.append(set(levels) or "no statement")
            if postgresql:
                assert not db.session().in_transaction()  # the connection given back
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    reading = {"AUTOCOMMIT" if postgresql else None}
    assert seen == [reading, reading if memo_seconds == 0 else "no statement"]
