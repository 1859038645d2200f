"""Statements run on the driver's cursor (forum/fixed.py) give what SQLAlchemy gives: the
same SQL, the same typed values, counted the same, and errors reported by SQLAlchemy."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError

import forum
from forum.accounts.models import hash_token
from forum.accounts.services import _session_user_statement, start_session
from forum.extensions import db
from forum.fixed import FixedStatement
from forum.threads import services
from forum.threads.models import Post, PostStatus
from tests import factories as f


def both_ways(fixed: FixedStatement, params: dict, count_queries) -> tuple[dict, dict]:
    """(the fixed statement's row, SQLAlchemy's row), and the two sent the same SQL."""
    connection = db.session.connection()
    with count_queries() as ours:
        mine = fixed.first(connection, params)
    with count_queries() as theirs:
        row = connection.execute(fixed.statement, params).first()
    assert ours == theirs and len(ours) == 1
    return mine, (None if row is None else dict(row._mapping))


def test_the_sign_in_statement_gives_what_sqlalchemy_gives(app, world, count_queries):
    member = world["member"]
    token = start_session(member, "pytest")
    mine, theirs = both_ways(_session_user_statement(),
                             {"uid": member.id, "token_hash": hash_token(token)}, count_queries)
    assert mine == theirs
    assert {type(v) for v in mine.values()} == {type(v) for v in theirs.values()}
    assert mine["username"] == member.username
    assert mine["session_active_at"] is not None and mine["deleted_at"] is None
    assert both_ways(_session_user_statement(), {"uid": member.id, "token_hash": "nope"},
                     count_queries) == (None, None)


@pytest.mark.parametrize("member", [True, False])
def test_the_thread_statement_gives_what_sqlalchemy_gives(app, world, count_queries, member):
    """The member's statement holds every registered fact (aggregate_strings' separator is
    rendered into the SQL, as SQLAlchemy renders it)."""
    thread = world["anon"]
    fixed, facts = services._thread_statement(member)
    assert bool(facts) == member
    params = {"thread_id": thread.id, "viewer_id": world["member"].id, "first": 1, "last": 20}
    mine, theirs = both_ways(fixed, params, count_queries)
    assert mine == theirs
    for name, value in mine.items():
        assert type(value) is type(theirs[name]), name
    assert mine["title"] == thread.title and mine["category__id"] == thread.category_id


def test_types_constants_and_nulls(app, world, count_queries):
    """Dates and booleans typed (on SQLite they come back as text and integers), a value
    the statement binds itself, a NULL."""
    post = f.first_post(world["anon"])
    fixed = FixedStatement(
        select(Post.id, Post.created_at, Post.edited_at, Post.hide_author, Post.status)
        .where(Post.thread_id == bindparam("thread_id"), Post.number == 1,
               Post.status == PostStatus.VISIBLE),
        ("thread_id", "unused"),
    )
    mine, theirs = both_ways(fixed, {"thread_id": post.thread_id}, count_queries)
    assert mine == theirs == {"id": post.id, "created_at": post.created_at, "edited_at": None,
                              "hide_author": True, "status": "visible"}
    assert mine == fixed.first(db.session.connection(),
                               {"thread_id": post.thread_id, "unused": "left out"})


def test_an_error_is_reported_by_sqlalchemy(app, world):
    fixed = FixedStatement(select(Post.id).where(Post.id == bindparam("post_id")), ("post_id",))
    connection = db.session.connection()
    assert fixed.first(connection, {"post_id": 0}) is None
    connection.connection.dbapi_connection.close()  # as a dropped connection would be
    with pytest.raises(DBAPIError) as raised:
        fixed.first(connection, {"post_id": 0})
    assert raised.value.connection_invalidated  # the pool learns the connection is gone
    db.session.remove()


def test_a_member_whose_connection_died_is_served_again(app, client_as, world, monkeypatch):
    """A pooled connection that died unseen fails at most the one request that meets it; the
    member's next page comes from a new connection."""
    monkeypatch.setattr(forum, "PING_AFTER_IDLE_SECONDS", 3600.0)  # nothing tried on checkout
    client = client_as(world["member"])
    path = f"/threads/{world['anon'].id}"
    assert client.get(path).status_code == 200
    db.session.remove()
    with db.engine.connect() as conn:  # the pooled connection the next request gets
        conn.connection.dbapi_connection.close()
    assert client.get(path).status_code in (200, 500)
    db.session.remove()
    assert client.get(path).status_code == 200
