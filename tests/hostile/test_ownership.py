"""Every route that takes an object id, tried by the wrong member: refused, nothing changed."""

from __future__ import annotations

import pytest
from flask import url_for

from config import TestingConfig
from tests.hostile.tables import OWNERSHIP, POST_DATA

REFUSED = {403, 404}


def _id_routes() -> list[tuple[str, frozenset]]:
    from forum import create_app

    app = create_app(type("Collect", (TestingConfig,), {"DATABASE_URL": "sqlite://"}))
    return sorted(
        {
            (r.endpoint, frozenset(r.methods - {"HEAD", "OPTIONS"}))
            for r in app.url_map.iter_rules()
            if any(a.endswith("_id") for a in r.arguments)
        }
    )


def test_every_route_with_an_object_id_is_in_the_table():
    missing = sorted({endpoint for endpoint, _ in _id_routes()} - OWNERSHIP.keys())
    assert not missing, f"add {missing} to tables.OWNERSHIP"


def _send(client, method, url, data):
    return client.get(url) if method == "GET" else client.post(url, data=data)


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    # A guest is sent to sign in, which is a refusal too.
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("endpoint", sorted(OWNERSHIP))
def test_wrong_member_is_refused(endpoint, app, hostile, client_as, unchanged):
    rule = OWNERSHIP[endpoint]
    data = POST_DATA.get(endpoint, lambda w: {})(hostile)
    for actor_key, object_key in rule.refused:
        actor = hostile[actor_key] if actor_key else None
        with app.test_request_context():
            url = url_for(endpoint, **rule.args(hostile, object_key))
        for method in rule.methods:
            nothing_changed = unchanged(None)
            response = _send(client_as(actor), method, url, data)
            assert _refused(response), (
                f"{actor_key or 'guest'} {method} {url}: {response.status_code} "
                f"{response.headers.get('Location', '')}"
            )
            nothing_changed(f"{actor_key} {method} {url}")
    # The same request by someone entitled works: the refusals were about who asked.
    actor_key, object_key = rule.allowed
    with app.test_request_context():
        url = url_for(endpoint, **rule.args(hostile, object_key))
    response = _send(client_as(hostile[actor_key]), rule.methods[-1], url, data)
    assert not _refused(response), f"{actor_key} {url}: {response.status_code}"
    assert response.status_code in (200, 302)
