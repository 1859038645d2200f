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


def _exempt(app, endpoint: str) -> bool:
    """Views exempt from CSRF by design (the rule tests/test_security.py uses too)."""
    from forum.extensions import csrf

    view = app.view_functions[endpoint]
    return f"{view.__module__}.{view.__name__}" in csrf._exempt_views


def test_only_one_click_unsubscribe_is_exempt(app):
    exempt = {e for e in _post_endpoints() if _exempt(app, e)}
    assert exempt == {"digests.unsubscribe"}


@pytest.mark.parametrize("endpoint", _post_endpoints())
def test_post_route_refuses_bad_csrf_tokens(endpoint, app, hostile, client_as, unchanged):
    if _exempt(app, endpoint):
        _refuses_forged_signed_token(app, endpoint, hostile, client_as, unchanged)
        return
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


def _refuses_forged_signed_token(app, endpoint, w, client_as, unchanged):
    """An exempt route is authorised by the signed token in its URL: a forged, altered,
    foreign-purpose or missing one changes nothing, and the genuine one works."""
    from itsdangerous import URLSafeTimedSerializer

    from forum.digests.tokens import UNSUBSCRIBE_SALT

    genuine = w["unsubscribe_token"]
    with app.app_context():
        wrong_key = URLSafeTimedSerializer("not the secret", salt=UNSUBSCRIBE_SALT)
        forged = wrong_key.dumps({"u": w["member"].id, "s": "digest"})
    payload, signature = genuine.rsplit(".", 1)
    for name, token in [
        ("forged", forged),
        ("altered", payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]),
        ("reset-token", w["reset_token"]),
        ("verify-token", w["verify_token"]),
        ("junk", "x"),
    ]:
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, token=token)
        for data in ({"List-Unsubscribe": "One-Click"}, {"frequency": "daily"}):
            nothing_changed = unchanged(None)
            response = client_as(None).post(url, data=data)
            assert response.status_code == 400, f"{name} token: {response.status_code}"
            nothing_changed(f"{endpoint} with a {name} token")
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, token=genuine)
    response = client_as(None).post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200, f"genuine token: {response.status_code}"
