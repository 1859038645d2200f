"""Every route as visitor, member, author, moderator and admin: the expected status."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.threads.models import Category, Post, Thread
from tests import factories as f
from tests.routes_util import build, param_values, rules

ROLES = ["visitor", "member", "author", "moderator", "admin"]
LOGIN = "login"  # a redirect to the sign-in page

# path template -> expected status per role (visitor, member, author, moderator, admin)
GET_MATRIX = {
    "/": (200, 200, 200, 200, 200),
    "/categories/{public}": (200, 200, 200, 200, 200),
    "/categories/{private}": (200, 200, 200, 200, 200),
    "/categories/no-such-category": (404, 404, 404, 404, 404),
    "/threads/new": (LOGIN, 200, 200, 200, 200),
    "/threads/{named}": (200, 200, 200, 200, 200),
    "/threads/{members_thread}": (LOGIN, 200, 200, 200, 200),
    "/threads/999999": (404, 404, 404, 404, 404),
    "/threads/{named}/reply": (LOGIN, 200, 200, 200, 200),
    "/posts/{post}": (302, 302, 302, 302, 302),
    "/posts/{post}/edit": (LOGIN, 403, 200, 403, 403),
    "/posts/{post}/revisions": (LOGIN, 403, 200, 200, 200),
    "/users/author_ruth": (200, 200, 200, 200, 200),
    "/users/no_such_member": (404, 404, 404, 404, 404),
    "/settings": (LOGIN, 200, 200, 200, 200),
    "/settings/sessions": (LOGIN, 200, 200, 200, 200),
    "/admin/categories": (LOGIN, 403, 403, 403, 200),
    "/admin/categories/new": (LOGIN, 403, 403, 403, 200),
    "/admin/categories/{public_id}/edit": (LOGIN, 403, 403, 403, 200),
    "/login": (200, 200, 200, 200, 200),
    "/register": (200, 302, 302, 302, 302),
    "/password/forgot": (200, 200, 200, 200, 200),
    "/guidelines": (200, 200, 200, 200, 200),
    "/anonymity": (200, 200, 200, 200, 200),
    "/robots.txt": (200, 200, 200, 200, 200),
    "/unanswered": (200, 200, 200, 200, 200),
    "/saved": (LOGIN, 200, 200, 200, 200),
}

# POST path template -> expected status per role; each must change nothing when refused.
POST_MATRIX = {
    "/posts/{post}/delete": (LOGIN, 403, 302, 403, 403),
    "/posts/{post}/anonymity": (LOGIN, 403, 302, 403, 403),
    "/posts/{post}/edit": (LOGIN, 403, 302, 403, 403),
    "/admin/categories/{public_id}/move": (LOGIN, 403, 403, 403, 302),
    "/admin/categories/{public_id}/edit": (LOGIN, 403, 403, 403, 302),
    "/admin/categories/new": (LOGIN, 403, 403, 403, 302),
    "/threads/{named}/reply": (LOGIN, 302, 302, 302, 302),
    "/threads/new": (LOGIN, 302, 302, 302, 302),
    # Engagement: the author's own post takes no reaction from them.
    "/posts/{post}/react": (LOGIN, 302, 403, 302, 302),
    "/posts/{post}/save": (LOGIN, 302, 302, 302, 302),
    "/threads/{named}/save": (LOGIN, 302, 302, 302, 302),
    "/threads/{named}/draft": (LOGIN, 302, 302, 302, 302),
    "/threads/new/draft": (LOGIN, 302, 302, 302, 302),
}
POST_DATA = {
    "body": "Edited or new text", "title": "A title long enough", "hide_author": "1",
    "category": "iep-meetings", "name": "New category", "slug": "new-category",
    "visibility": "public", "anonymous_policy": "allow", "direction": "down", "kind": "me_too",
}


def _fill(template: str, w) -> str:
    return template.format(
        public=w["public"].slug, private=w["private"].slug, public_id=w["public"].id,
        named=w["named"].id, members_thread=w["members_thread"].id,
        post=f.first_post(w["named"]).id,
    )


def _client(client_as, w, role):
    return client_as(None if role == "visitor" else w[role])


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == expected


def _snapshot():
    db.session.remove()
    post = db.session.scalars(select(Post).order_by(Post.id)).first()
    return (
        db.session.scalar(select(func.count()).select_from(Post)),
        db.session.scalar(select(func.count()).select_from(Thread)),
        db.session.scalar(select(func.count()).select_from(Category)),
        post.body, post.status, post.hide_author,
        tuple(db.session.scalars(select(Category.position).order_by(Category.id))),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("template", list(GET_MATRIX))
def test_get_matrix(client_as, world, template, role):
    response = _client(client_as, world, role).get(_fill(template, world))
    _check(response, GET_MATRIX[template][ROLES.index(role)])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("template", list(POST_MATRIX))
def test_post_matrix(client_as, world, template, role):
    path = _fill(template, world)
    client = _client(client_as, world, role)
    before = _snapshot()
    expected = POST_MATRIX[template][ROLES.index(role)]
    response = client.post(path, data=POST_DATA)
    _check(response, expected)
    if expected != 302:
        assert _snapshot() == before, "a refused request changed something"


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_answers_without_error(app, client_as, world, role):
    """Routes added later are covered too: no role ever gets a 500."""
    values = param_values(thread=world["named"], post=f.first_post(world["named"]),
                          category=world["public"], user=world["author"])
    client = _client(client_as, world, role)
    for rule in rules(app, "GET"):
        path = build(rule, values)
        assert client.get(path).status_code in (200, 302, 400, 403, 404), path
