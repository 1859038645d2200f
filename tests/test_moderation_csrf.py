"""With CSRF protection and rate limits on, as in production."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.threads.models import Post
from tests import factories as f
from tests.moderation_support import audit_entries, count, fresh


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True, "RATELIMIT_FLAG": "2 per hour"}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_moderator_action_needs_a_csrf_token(client_as, world):
    post = f.first_post(world["anon"])
    moderator = client_as(world["moderator"])
    response = moderator.post(f"/moderation/posts/{post.id}/actions", data={"action": "hide"})
    assert response.status_code == 400
    fresh()
    assert db.session.get(Post, post.id).status == "visible"
    assert audit_entries() == []

    token = _token(moderator.get(f"/moderation/posts/{post.id}").text)
    response = moderator.post(
        f"/moderation/posts/{post.id}/actions", data={"action": "hide", "csrf_token": token}
    )
    assert response.status_code == 302
    fresh()
    assert db.session.get(Post, post.id).status == "hidden"
    assert len(audit_entries()) == 1


def test_flag_form_needs_a_csrf_token_and_is_rate_limited(client_as, world):
    from forum.moderation.models import Flag

    member = client_as(world["member"])
    posts = [f.first_post(world["anon"]), f.first_post(world["named"])]
    third = f.make_reply(world["author"], world["named"], body="Another post")
    assert member.post(f"/posts/{posts[0].id}/flag", data={"reason": "spam"}).status_code == 400
    assert count(Flag) == 0
    for post in posts:
        token = _token(member.get(f"/posts/{post.id}/flag").text)
        response = member.post(
            f"/posts/{post.id}/flag", data={"reason": "spam", "csrf_token": token}
        )
        assert response.status_code == 302
    token = _token(member.get(f"/posts/{third.id}/flag").text)
    response = member.post(f"/posts/{third.id}/flag", data={"reason": "spam", "csrf_token": token})
    assert response.status_code == 429
    assert count(Flag) == 2


def test_a_session_keeps_its_signed_token_and_it_still_works(client_as, world, app,
                                                             monkeypatch):
    """The signed CSRF token is made once per session token and worker (forum.security):
    the same on the next page (seconds later: a new signature would differ), accepted by a
    form, and another member's is their own."""
    import time as _time

    post = f.first_post(world["anon"])
    moderator = client_as(world["moderator"])
    first = _token(moderator.get(f"/moderation/posts/{post.id}").text)
    later = _time.time() + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    second = _token(moderator.get("/").text)
    assert first == second
    other = _token(client_as(world["member"]).get("/").text)
    assert other != first
    response = moderator.post(
        f"/moderation/posts/{post.id}/actions", data={"action": "hide", "csrf_token": second}
    )
    assert response.status_code == 302
    # A token of another session is refused, whatever this worker remembers.
    response = moderator.post(
        f"/moderation/posts/{post.id}/actions", data={"action": "show", "csrf_token": other}
    )
    assert response.status_code == 400


def test_with_a_time_limit_every_request_signs_anew(client_as, world, app, monkeypatch):
    """With WTF_CSRF_TIME_LIMIT set, a kept signature would age: nothing is reused."""
    import time as _time

    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    member = client_as(world["member"])
    first = _token(member.get("/").text)
    later = _time.time() + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert _token(member.get("/").text) != first
