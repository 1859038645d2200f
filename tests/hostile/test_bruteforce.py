"""Password guessing is throttled per address and per account; X-Forwarded-For is only
believed behind a configured proxy."""

from __future__ import annotations

import pytest

from tests import factories as f

LIMIT = 20  # RATELIMIT_LOGIN = "20 per minute"


@pytest.fixture
def config_overrides() -> dict:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": f"{LIMIT} per minute"}


def _guess(client, username, address="203.0.113.5", **headers):
    return client.post(
        "/login",
        data={"username": username, "password": "guessing wrong"},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def _assert_throttled(response):
    assert response.status_code == 429
    assert b"Please slow down" in response.data  # the friendly page, in the site's layout
    assert b"<h1" in response.data


def test_many_accounts_from_one_address(app, client_as):
    client = client_as()
    for i in range(LIMIT):
        assert _guess(client, f"someone{i}").status_code == 422
    _assert_throttled(_guess(client, "someone-else"))
    # Even the right password waits: the guesser can't tell a hit from the throttle.
    member = f.make_user("real_member")
    response = client.post(
        "/login",
        data={"username": member.username, "password": f.PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )
    _assert_throttled(response)
    # Another address is not affected.
    assert _guess(client, "someone", address="198.51.100.7").status_code == 422


def test_one_account_from_many_addresses(app, client_as):
    member = f.make_user("targeted_parent")
    client = client_as()
    for i in range(LIMIT):
        assert _guess(client, member.username, address=f"10.0.{i}.1").status_code == 422
    _assert_throttled(_guess(client, member.username, address="10.9.9.9"))
    _assert_throttled(_guess(client, member.username.upper(), address="10.9.9.8"))  # same account


def test_forged_forwarded_for_does_not_bypass(app, client_as):
    client = client_as()
    for i in range(LIMIT):
        response = _guess(client, f"name{i}", **{"X-Forwarded-For": f"192.0.2.{i}"})
        assert response.status_code == 422
    _assert_throttled(_guess(client, "name-x", **{"X-Forwarded-For": "192.0.2.200"}))


def test_forwarded_for_is_believed_behind_a_trusted_proxy(app, client_as):
    app.config["TRUSTED_PROXIES"] = 1
    client = client_as()
    # Many clients behind one proxy: each is counted on its own.
    for i in range(LIMIT + 5):
        assert (
            _guess(
                client, f"user{i}", address="10.0.0.1", **{"X-Forwarded-For": f"192.0.2.{i}"}
            ).status_code
            == 422
        )
    # One client behind the proxy is still throttled, even if it prepends forged hops.
    for i in range(LIMIT):
        _guess(
            client, f"other{i}", address="10.0.0.1", **{"X-Forwarded-For": f"1.2.3.{i}, 192.0.2.99"}
        )
    _assert_throttled(
        _guess(client, "last", address="10.0.0.1", **{"X-Forwarded-For": "8.8.8.8, 192.0.2.99"})
    )


def test_successful_sign_ins_are_not_counted(app, client_as):
    member = f.make_user("often_here")
    for _ in range(LIMIT + 5):
        response = client_as().post(
            "/login",
            data={"username": member.username, "password": f.PASSWORD},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
        assert response.status_code == 302
