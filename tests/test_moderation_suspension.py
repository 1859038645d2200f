"""Suspended members read but cannot write; suspensions end by themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.models import Flag
from forum.threads.models import Post, PostRevision, Thread
from tests import factories as f
from tests.moderation_support import fresh


def _state() -> tuple:
    fresh()
    return (
        db.session.scalar(select(func.count()).select_from(Post)),
        db.session.scalar(select(func.count()).select_from(Thread)),
        db.session.scalar(select(func.count()).select_from(Flag)),
        db.session.scalar(select(func.count()).select_from(PostRevision)),
        tuple(db.session.execute(select(Post.id, Post.body, Post.hide_author).order_by(Post.id))),
    )


def _writes(world):
    """Every POST a member uses to write: new thread, reply, edit, anonymity switch, flag."""
    own = f.first_post(world["anon"])
    other = world["reply"]
    return [
        (
            "/threads/new",
            {
                "category": "iep-meetings",
                "title": "A brand new thread title",
                "body": "Text",
                "hide_author": "y",
            },
        ),
        (f"/threads/{world['named'].id}/reply", {"body": "A reply", "hide_author": "y"}),
        (f"/threads/{world['named'].id}/reply", {"body": "A named reply"}),
        (f"/posts/{own.id}/edit", {"body": "Edited text", "title": "A changed thread title"}),
        (f"/posts/{own.id}/anonymity", {"hide_author": "0"}),
        (f"/posts/{other.id}/flag", {"reason": "spam"}),
    ]


@pytest.mark.parametrize("how", ["suspended", "suspended-indefinitely"])
def test_every_write_is_refused_while_suspended(client_as, world, how):
    until = now_utc() + timedelta(days=3) if how == "suspended" else None
    moderator = client_as(world["moderator"])
    moderator.post(
        f"/moderation/posts/{f.first_post(world['anon']).id}/actions",
        data={
            "action": "suspend",
            "days": "3" if until else "lifted",
            "reason": "Named a teacher twice",
        },
    )
    fresh()
    assert db.session.get(User, world["author"].id).is_suspended
    before = _state()
    author = client_as(world["author"])
    for url, data in _writes(world):
        response = author.post(url, data=data)
        if url.endswith("/anonymity"):  # a one-button form: refused with a flash message
            assert response.status_code == 302
            assert (
                "suspended" in author.get(response.headers["Location"], follow_redirects=True).text
            )
        else:
            assert response.status_code == 403, url
    assert _state() == before
    page = author.get("/").data.decode()
    assert "Your account is paused" in page
    assert "Named a teacher twice" in page
    if until:
        assert "until <time" in page
    else:
        assert "until a moderator lifts the suspension" in page


def test_suspended_member_keeps_typed_text_on_refusal(client_as, world):
    world["author"].suspended_until = now_utc() + timedelta(days=1)
    db.session.commit()
    response = client_as(world["author"]).post(
        f"/threads/{world['named'].id}/reply", data={"body": "My careful, long reply"}
    )
    assert response.status_code == 403
    assert b"My careful, long reply" in response.data
    assert b"suspended until" in response.data


def test_suspension_lifts_when_its_time_passes(client_as, world, monkeypatch):
    post = f.first_post(world["anon"])
    client_as(world["moderator"]).post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": "suspend", "days": "1", "reason": "Cool off"},
    )
    author = client_as(world["author"])
    url = f"/threads/{world['named'].id}/reply"
    assert author.post(url, data={"body": "Too early"}).status_code == 403

    # Two days later: nobody lifted it, and it has ended.
    later = now_utc() + timedelta(days=2)
    monkeypatch.setattr("forum.accounts.models.now_utc", lambda: later)
    response = author.post(url, data={"body": "Back again"})
    assert response.status_code == 302
    assert "Your account is paused" not in author.get("/").data.decode()


def test_suspension_in_the_past_is_over(client_as, world):
    world["author"].suspended_until = now_utc() - timedelta(minutes=1)
    world["author"].suspension_reason = "old"
    db.session.commit()
    response = client_as(world["author"]).post(
        f"/threads/{world['named'].id}/reply", data={"body": "I can write"}
    )
    assert response.status_code == 302


def test_suspended_member_can_still_read_and_sign_out(client_as, world):
    world["author"].suspended_until = now_utc() + timedelta(days=1)
    db.session.commit()
    author = client_as(world["author"])
    assert author.get(f"/threads/{world['named'].id}").status_code == 200
    page = author.get(f"/threads/{world['named'].id}").data
    assert b"/flag" not in page  # no flag links while suspended
    assert author.post("/logout").status_code == 302
