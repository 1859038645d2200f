"""Characters no database column can hold (NUL, lone surrogates): a clear 400, never a 500.

PostgreSQL refuses NUL in text outright, so this matters most with --db postgres.
"""

from __future__ import annotations

import pytest

from forum.services import ForumError
from forum.threads import services
from tests.hostile.tables import FIELDS

BROKEN = ["\x00", "before\x00after", "\x00" * 3]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_nul_in_every_field(field, hostile, client_as, unchanged):
    if field.prepare:
        field.prepare(hostile, len(BROKEN))
    actor = hostile[field.actor] if field.actor else None
    nothing_changed = unchanged(None)
    for index, value in enumerate(BROKEN):
        url, data = field.submit(hostile, value, index)
        if field.method == "GET":
            response = client_as(actor).get(url, query_string=data)
        else:
            response = client_as(actor).post(url, data=data)
        assert response.status_code == 400, (value, response.status_code)
        assert b"can&#39;t be saved" in response.data or b"can't be saved" in response.data
    nothing_changed(field.name)


@pytest.mark.parametrize(
    "path",
    [
        "/users/a%00b",
        "/categories/%00",
        "/password/reset/%00",
        "/?page=%00",
        "/login?next=/%00",
        "/threads/1%00",
        "/static/forum.css%00",
    ],
)
def test_nul_in_paths_and_query_strings(path, hostile, client_as):
    response = client_as(hostile["member"]).get(path)
    assert response.status_code in (400, 404), response.status_code


def test_invalid_utf8_never_reaches_the_database(hostile, client_as):
    # A lone surrogate can't be sent as UTF-8; its bytes arrive as invalid UTF-8, which
    # werkzeug decodes to U+FFFD. Those and other invalid sequences are stored as such.
    client = client_as(hostile["member"])
    for raw in ("%ED%A0%80", "%C0%AF", "%FF%FE", "%F4%90%80%80"):
        body = f"body={raw}+and+more&token=".encode()
        response = client.post(
            f"/threads/{hostile['named'].id}/reply",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 302, (raw, response.status_code)
        assert client.get(f"/users/{raw}").status_code == 404


def test_services_refuse_unstorable_text_too(hostile):
    # The request guard covers HTTP; the services cover the CLI and future callers.
    member, category = hostile["member"], hostile["public"]
    for text in ("a\x00b", "lone \ud800 surrogate", "\udfff"):
        with pytest.raises(ForumError):
            services.create_thread(member, category, "A fine title", text, hide_author=False)
        with pytest.raises(ForumError):
            services.create_thread(
                member, category, f"Title {text}", "Fine body", hide_author=False
            )
        with pytest.raises(ForumError):
            services.create_reply(member, hostile["named"], text, hide_author=False)
        with pytest.raises(ForumError):
            services.save_category(None, name=text, slug="broken-cat", description="")
