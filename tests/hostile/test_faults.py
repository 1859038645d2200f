"""The database fails mid-request: a friendly 503, the next request works, nothing half-written.

SQLite: the Nth statement raises the error SQLite gives for a failing disk. PostgreSQL:
the app's connection is really ended by the server (pg_terminate_backend from a second
connection) just before its Nth statement, or just before its COMMIT; restarting the
shared server is not possible here, and a terminated backend is what a restart does to
each connection.
"""

from __future__ import annotations

import itertools
import uuid

import pytest

from tests.hostile.faults import fail_at_statement, invariants, refuse_connections
from tests.hostile.snapshot import counts

_n = itertools.count()

ACTIONS = {
    "new thread": lambda w: (
        "/threads/new",
        {
            "category": w["public"].slug,
            "title": f"Thread under fault {next(_n)}",
            "body": "Body under fault.",
            "token": uuid.uuid4().hex,
        },
    ),
    "reply": lambda w: (
        f"/threads/{w['named'].id}/reply",
        {"body": f"Reply {next(_n)}", "token": uuid.uuid4().hex},
    ),
    "edit": lambda w: (f"/posts/{w['member_post'].id}/edit", {"body": f"Edited {next(_n)}"}),
    "register": lambda w: (
        "/register",
        {
            "username": f"faulty{next(_n)}",
            "password": "long enough 123",
            "confirm": "long enough 123",
            "agree": "y",
        },
    ),
}
ACTORS = {"new thread": "member", "reply": "member", "edit": "member", "register": None}


# What reading pages writes for the reader (forum.notifications: where a member has read to,
# when their visit began): the probe's GET adds them, the action under fault does not.
READ_MARKS = {"thread_reads", "notification_settings"}


def _delta(after: dict, before: dict) -> dict:
    return {table: after[table] - before[table] for table in after
            if after[table] != before[table] and table not in READ_MARKS}


@pytest.mark.parametrize("action", ACTIONS)
def test_failure_at_every_statement(action, hostile, client_as, count_queries):
    actor = hostile[ACTORS[action]] if ACTORS[action] else None
    client = client_as(actor)
    url, data = ACTIONS[action](hostile)
    before = counts()
    with count_queries() as statements:
        assert client.post(url, data=data).status_code == 302
    total, one_write = len(statements), _delta(counts(), before)
    assert total >= 3
    for number, at_commit in [(n, False) for n in range(1, total + 1)] + [(1, True)]:
        client, probe = client_as(actor), client_as(actor)  # signed in before counting
        url, data = ACTIONS[action](hostile)
        before = counts()
        with fail_at_statement(number, at_commit=at_commit) as fault:
            response = client.post(url, data=data)
        where = f"{action}, {'commit' if at_commit else f'statement {number} of {total}'}"
        assert fault["fired"], where
        assert response.status_code == 503, f"{where}: {response.status_code}"
        assert b"briefly unavailable" in response.data
        # All or nothing: a fault before the commit leaves no row, one after it the whole write.
        assert _delta(counts(), before) in ({}, one_write), f"{where}: {_delta(counts(), before)}"
        assert not invariants(), f"{where}: {invariants()}"
        # The next request works; sending the same form again (the 503 page says to go
        # back) ends with exactly one write, thanks to the form's one-time token.
        assert probe.get("/").status_code == 200, where
        assert client.post(url, data=data).status_code in (200, 302, 422), where
        assert _delta(counts(), before) == one_write, f"{where}: {_delta(counts(), before)}"
    assert not invariants()


def test_refused_database_gives_members_the_guests_503_page(hostile, client_as):
    """With the database refusing connections, a signed-in member's request (whose sign-in
    loader needs the database) gets the very page a guest gets, rendered without it."""
    pages = ["/", f"/threads/{hostile['named'].id}", f"/posts/{hostile['author_post'].id}"]
    guest, member, moderator = (
        client_as(),
        client_as(hostile["member"]),
        client_as(hostile["moderator"]),
    )
    reply_url = f"/threads/{hostile['named'].id}/reply"
    for path in pages:
        bodies = {}
        for name, client in (("guest", guest), ("member", member), ("moderator", moderator)):
            with refuse_connections() as refused:
                response = client.get(path)
            assert response.status_code == 503, (path, name, response.status_code)
            assert b"briefly unavailable" in response.data, (path, name)
            # One try to connect (the loader's, or the page's): the error page needs none.
            assert refused["attempts"] == 1, (path, name, refused["attempts"])
            bodies[name] = response
        assert bodies["member"].data == bodies["guest"].data == bodies["moderator"].data, path
        for response in bodies.values():  # never kept by a cache; come back in a moment
            assert "no-store" in response.headers.get("Cache-Control", ""), path
            assert response.headers.get("Retry-After", "").isdigit(), path
    # A form sent while the database is away: the same page, the member's text is not lost
    # by a 500, and the next request (database back) works.
    with refuse_connections():
        response = member.post(
            reply_url,
            data={"body": "Sent while the database was away", "token": uuid.uuid4().hex},
        )
    assert response.status_code == 503
    assert member.get("/").status_code == 200
    assert b"Sign out" in member.get("/").data  # still signed in
