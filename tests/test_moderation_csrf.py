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
