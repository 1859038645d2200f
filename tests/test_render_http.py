"""Concurrent replies over HTTP under gunicorn with threads: no post gets another's HTML.

A shared bleach Cleaner/Linker once stored one post's rendered HTML inside
another post (a guest read members-only anonymous text in a public post signed
by someone else). This drives the real server as production runs it (gunicorn,
one worker, four threads) on the suite's database, SQLite or PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from bench import servers
from bench.client import csrf_token, sign_in
from forum.extensions import db, now_utc
from forum.text import render_markdown
from forum.threads.models import Post
from tests import factories as f

CLIENTS = 8
REPLIES = 12


def _body(client: int, number: int) -> str:
    # Long, with stripped tags and many bare URLs: the cleaner and the linker each take a
    # while on it, so the threads are switched in the middle of both.
    lines = [
        f"Line {k} of reply {client}-{number}: <i>our</i> aide https://example.org/{client}/{k} "
        f"and [notes](https://x.test/{number}/{k}) <b>bold {k}</b>"
        for k in range(40)
    ]
    return "\n\n".join(lines)


@pytest.fixture
def gunicorn(app, database_url):
    server = servers.start(
        f"render-{uuid.uuid4().hex[:8]}", "app:app",
        servers.forum_env(database_url, servers.new_secret(), FORUM_RATELIMIT_ENABLED="false"),
        workers=1, threads=4,
    )
    yield server
    server.stop()


def test_concurrent_replies_each_store_their_own_html(app, gunicorn):
    category = f.make_category(slug="race")
    old = now_utc() - timedelta(days=30)  # established members: no approval hold
    members = [f.make_user(f"racer{i}", created_at=old) for i in range(CLIENTS)]
    threads = [f.make_thread(members[0], category, title=f"Race thread {i}") for i in range(4)]
    thread_ids = [t.id for t in threads]
    db.session.remove()
    failures: list[str] = []
    start = threading.Barrier(CLIENTS)

    def client(index: int) -> None:
        try:
            browser = sign_in(gunicorn.port, f"racer{index}", f.PASSWORD)
            token = csrf_token(browser.get(gunicorn.port, f"/threads/{thread_ids[0]}").body)
        finally:
            start.wait()
        for number in range(REPLIES):
            form = {"csrf_token": token, "body": _body(index, number), "token": uuid.uuid4().hex}
            if number % 3 == 0:
                form["hide_author"] = "y"
            else:  # named after anonymous in the same thread: confirmed (issue 15, item 4)
                form["confirm_named"] = "1"
            reply = browser.post(
                gunicorn.port, f"/threads/{thread_ids[number % 4]}/reply", form
            )
            if reply.status != 302:
                failures.append(f"client {index} reply {number}: HTTP {reply.status}")
        browser.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not failures, failures[:5]
    posts = db.session.scalars(db.select(Post).where(Post.number > 1)).all()
    assert len(posts) == CLIENTS * REPLIES
    wrong = [p.id for p in posts if p.body_html != str(render_markdown(p.body))]
    assert not wrong, f"{len(wrong)} replies store HTML that is not their own body's"
