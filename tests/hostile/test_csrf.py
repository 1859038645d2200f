"""Every POST route in app.url_map refuses a missing, wrong or foreign CSRF token."""

from __future__ import annotations

import pytest

from config import TestingConfig
from tests.hostile import htmlcheck
from tests.hostile.tables import POST_DATA, POST_JSON, ROUTE_ARGS, route_args

# Who sends each POST (default: the admin, who owns the objects in ROUTE_ARGS).
GUEST_ENDPOINTS = {
    "accounts.register",
    "accounts.login",
    "accounts.forgot_password",
    "accounts.reset_password",
}


def _post_endpoints() -> list[str]:
    from forum import create_app

    app = create_app(type("Collect", (TestingConfig,), {"DATABASE_URL": "sqlite://"}))
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods})


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _token(client, url: str) -> str:
    page = client.get(url)
    token = htmlcheck.input_value(page.data, "csrf_token")
    assert token, f"no CSRF token on {url}"
    return token


def _url(app, endpoint: str, w) -> str:
    (rule,) = [
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods
    ][:1]
    missing = rule.arguments - ROUTE_ARGS.keys()
    assert not missing, f"{rule.rule}: add {missing} to tables.ROUTE_ARGS"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **route_args(endpoint, rule.arguments, w))


def test_every_post_route_is_covered():
    assert len(_post_endpoints()) >= 12


@pytest.mark.parametrize("endpoint", _post_endpoints())
def test_post_route_refuses_bad_csrf_tokens(endpoint, app, hostile, client_as, unchanged):
    actor = None if endpoint in GUEST_ENDPOINTS else hostile["admin"]
    url = _url(app, endpoint, hostile)
    data = POST_DATA.get(endpoint, lambda w: {})(hostile)
    client = client_as(actor)
    own = _token(client, "/login" if actor is None else "/settings")
    stranger = client_as(hostile["member"])
    foreign = _token(stranger, "/settings")
    assert foreign != own

    for name, token in [
        ("missing", None),
        ("wrong", own[:-4] + "AAAA"),
        ("foreign", foreign),
        ("empty", ""),
    ]:
        nothing_changed = unchanged(None)
        form = dict(data) if token is None else {**data, "csrf_token": token}
        response = client.post(url, data=form)
        assert response.status_code == 400, f"{name} token: {response.status_code}"
        assert b"Your form expired" in response.data
        nothing_changed(f"{endpoint} with a {name} token")
        # The same token in the header Flask-WTF also reads is refused too.
        if token:
            response = client.post(url, data=data, headers={"X-CSRFToken": token})
            assert response.status_code == 400, f"{name} token in header: {response.status_code}"

    if endpoint in POST_JSON:
        # A JSON endpoint: the token can only come in the header.
        body = POST_JSON[endpoint](hostile)
        for name, token in [("missing", None), ("wrong", own[:-4] + "AAAA"), ("foreign", foreign)]:
            nothing_changed = unchanged(None)
            headers = {"X-CSRFToken": token} if token else {}
            response = client.post(url, json=body, headers=headers)
            assert response.status_code == 400, f"JSON, {name} token: {response.status_code}"
            nothing_changed(f"{endpoint} (JSON) with a {name} token")
        response = client.post(url, json=body, headers={"X-CSRFToken": own})
        assert response.status_code == 200, f"JSON, valid token: {response.status_code}"
        return
    # The same request with the right token gets through: the refusals above meant something.
    response = client.post(url, data={**data, "csrf_token": own})
    assert response.status_code in (200, 302), f"valid token: {response.status_code}"
