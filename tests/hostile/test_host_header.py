"""Links in emails use BASE_URL, whatever Host or forwarding headers the request carried."""

from __future__ import annotations

import re

import pytest

from forum.extensions import now_utc
from tests import factories as f

SPOOFS = [
    {"Host": "evil.example"},
    {"Host": "evil.example:443", "X-Forwarded-Host": "evil.example"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    {"Host": "forum.test@evil.example"},
    {"X-Host": "evil.example", "X-Original-Host": "evil.example", "Forwarded": "host=evil.example"},
]


@pytest.mark.parametrize("headers", SPOOFS)
def test_reset_link_uses_base_url(headers, app, client_as, outbox):
    app.config["TRUSTED_PROXIES"] = 1  # even behind a proxy, the host is never taken from headers
    f.make_user("spoof_target", email="target@example.org", email_verified_at=now_utc())
    response = client_as().post(
        "/password/forgot", data={"email": "target@example.org"}, headers=headers
    )
    assert response.status_code in (302, 400)  # werkzeug refuses some Host values outright
    if response.status_code == 400:
        return
    (message,) = outbox
    for part in (message.get_body(("plain",)), message.get_body(("html",))):
        text = part.get_content()
        links = re.findall(r"https?://[^\s\"'<>]+", text)
        assert links, "the message has no link"
        assert "evil" not in text
        assert all(link.startswith("http://forum.test/") for link in links), links
