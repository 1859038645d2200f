"""Rate limits on sign-in, registration, reset and posting, with a friendly 429."""

from __future__ import annotations

import os

import pytest

from tests import factories as f

pytestmark = pytest.mark.parametrize("config_overrides", [{
    "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "5 per minute", "RATELIMIT_POST": "3 per minute",
    "RATELIMIT_REGISTER": "3 per hour",
}])


def test_failed_logins_are_throttled_per_address(client, app, config_overrides):
    f.make_user("target_user")
    statuses = [client.post("/login", data={"username": "target_user",
                                            "password": "wrong password"}).status_code
                for _ in range(7)]
    assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429]
    page = client.post("/login", data={"username": "target_user", "password": "wrong"})
    assert "Please slow down" in page.get_data(as_text=True)


def test_many_addresses_against_one_account_are_throttled(app, config_overrides):
    f.make_user("target_user")
    statuses = []
    for i in range(7):
        client = app.test_client()
        statuses.append(client.post("/login", data={"username": "target_user",
                                                    "password": "wrong password"},
                                    environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code)
    assert statuses[-1] == 429


def test_forged_forwarded_for_does_not_bypass(client, app, config_overrides):
    f.make_user("target_user")
    statuses = [client.post("/login", data={"username": f"user{i}", "password": "wrong password"},
                            headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                for i in range(7)]
    assert 429 in statuses


def test_posting_is_limited(client_as, world, config_overrides):
    client = client_as(world["member"])
    statuses = [client.post(f"/threads/{world['named'].id}/reply",
                            data={"body": f"reply {i}"}).status_code
                for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]


def test_registration_is_limited(client, app, config_overrides):
    statuses = []
    for i in range(4):
        statuses.append(client.post("/register",
                                    data={"username": f"short{i}", "password": "x"}).status_code)
    assert statuses[-1] == 429


def test_redis_storage_when_configured(app, config_overrides):
    url = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        from tests.conftest import missing_tool

        missing_tool(f"no Redis at {url}")
    from forum import create_app
    from tests.conftest import make_config

    redis_app = create_app(make_config(app.config["DATABASE_URL"], RATELIMIT_ENABLED=True,
                                       RATELIMIT_LOGIN="2 per minute", RATELIMIT_STORAGE_URI=url))
    redis.Redis.from_url(url).flushdb()
    client = redis_app.test_client()
    statuses = [client.post("/login", data={"username": "nobody", "password": "wrong"}).status_code
                for _ in range(3)]
    assert statuses == [422, 422, 429]
    assert redis.Redis.from_url(url).keys("LIMITS*")
