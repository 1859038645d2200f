"""Who may use moderation: every route of the blueprint, as guests, members and moderators.

Rules come from app.url_map, so a route added later is covered without editing this file.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.moderation.models import AuditEntry, Flag, GuidelinesRevision, MemberNotice, SiteSetting
from forum.threads.models import Post, PostRevision, Thread
from tests import factories as f
from tests.moderation_support import flag, fresh

# Admin-only endpoints: moderators get 403 there too.
ADMIN_ONLY = {
    "moderation.reveal",
    "moderation.users",
    "moderation.set_role",
    "moderation.settings",
    "moderation.edit_guidelines",
}


def moderation_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint.startswith("moderation.")),
        key=lambda r: r.rule,
    )


def url_for_rule(rule, world) -> str:
    post = f.first_post(world["anon"])
    values = {
        "post_id": post.id,
        "thread_id": world["anon"].id,
        "user_id": world["member"].id,
        "entry_id": 999999,
    }
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def form_data(world) -> dict:
    """Everything a moderation form could take: a missing guard would change something."""
    post = f.first_post(world["anon"])
    return {
        "action": "hide",
        "reason": "Because of a long enough reason",
        "days": "30",
        "body": "Changed by someone who should not",
        "role": "admin",
        "post_ids": [post.id],
        "category": str(world["private"].id),
        "hold_first_posts": "y",
        "hold_new_account_links": "y",
        "safety_investigation": "y",
    }


def snapshot() -> tuple:
    """The state any moderation route could change."""
    fresh()
    return (
        tuple(db.session.execute(select(Post.id, Post.status, Post.body).order_by(Post.id)).all()),
        tuple(
            db.session.execute(
                select(
                    Thread.id, Thread.status, Thread.locked, Thread.pinned, Thread.category_id
                ).order_by(Thread.id)
            ).all()
        ),
        tuple(
            db.session.execute(
                select(User.id, User.role, User.suspended_until, User.banned_at).order_by(User.id)
            ).all()
        ),
        tuple(
            db.session.scalar(select(func.count()).select_from(m))
            for m in (AuditEntry, Flag, MemberNotice, SiteSetting, GuidelinesRevision, PostRevision)
        ),
        tuple(db.session.execute(select(Flag.id, Flag.resolved_at).order_by(Flag.id)).all()),
    )


def test_the_blueprint_has_the_routes_we_expect(app):
    endpoints = {r.endpoint for r in moderation_rules(app)}
    assert ADMIN_ONLY <= endpoints
    assert {"moderation.queue", "moderation.post_action", "moderation.log"} <= endpoints


def _requests(app, world):
    for rule in moderation_rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method, url_for_rule(rule, world)


def _send(client, method, url, world):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=form_data(world))


def test_guests_are_sent_to_sign_in_and_nothing_changes(app, client_as, world):
    flag(f.first_post(world["anon"]), "spam")
    before = snapshot()
    for _rule, method, url in _requests(app, world):
        response = _send(client_as(), method, url, world)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert snapshot() == before


def test_members_get_403_and_nothing_changes(app, client_as, world):
    flag(f.first_post(world["anon"]), "spam")
    before = snapshot()
    member = client_as(world["member"])
    for _rule, method, url in _requests(app, world):
        response = _send(member, method, url, world)
        assert response.status_code == 403, (method, url)
        assert b"You can&#39;t do that here" in response.data or b"can't do that" in response.data
    assert snapshot() == before


def test_suspended_or_anonymous_authors_get_no_more_than_members(app, client_as, world):
    """The anonymous author is a member like any other here."""
    before = snapshot()
    author = client_as(world["author"])
    for _rule, method, url in _requests(app, world):
        assert _send(author, method, url, world).status_code == 403, (method, url)
    assert snapshot() == before


def test_moderators_are_refused_exactly_the_admin_pages(app, client_as, world):
    flag(f.first_post(world["anon"]), "spam")
    before = snapshot()
    moderator = client_as(world["moderator"])
    refused = set()
    for rule, method, url in _requests(app, world):
        if method == "GET":
            response = moderator.get(url)
            if response.status_code == 403:
                refused.add(rule.endpoint)
            else:
                assert response.status_code == 200, url
        elif rule.endpoint in ADMIN_ONLY:
            assert _send(moderator, method, url, world).status_code == 403
            refused.add(rule.endpoint)
    assert refused == ADMIN_ONLY
    assert snapshot() == before


def test_admins_can_open_every_page(app, client_as, world):
    admin = client_as(world["admin"])
    for _rule, method, url in _requests(app, world):
        if method == "GET":
            assert admin.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "path",
    [
        "/moderation/posts/999999",
        "/moderation/posts/999999/edit",
        "/moderation/posts/999999/reveal",
    ],
)
def test_missing_posts_are_404(client_as, world, path):
    assert client_as(world["admin"]).get(path).status_code == 404


def test_bad_ids_and_filters_are_never_500(client_as, world):
    moderator = client_as(world["moderator"])
    assert moderator.get("/moderation/log?action=nonsense&actor=abc&page=-3").status_code == 200
    assert moderator.get("/moderation/?page=999").status_code == 200
    assert (
        moderator.post("/moderation/threads/999999/actions", data={"action": "lock"}).status_code
        == 404
    )
    assert moderator.post("/moderation/bulk-dismiss", data={"post_ids": ["x"]}).status_code in (
        302,
        400,
    )
    post = f.first_post(world["anon"])
    response = moderator.post(
        f"/moderation/threads/{post.thread_id}/actions",
        data={"action": "move", "category": "999999"},
    )
    assert response.status_code == 400
    response = moderator.post(
        f"/moderation/posts/{post.id}/actions",
        data={"action": "suspend", "days": "5", "reason": "x"},
    )
    assert response.status_code == 400
