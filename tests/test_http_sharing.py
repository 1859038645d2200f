"""Kept blocks under a real server: gunicorn, two workers of four threads, caches on.

Members, an anonymous author, a moderator and guests read the same pages at the
same time while replies (some anonymous) are posted. Nobody may ever see
another member's markers, tools or tokens, or the username behind an alias,
and everyone sees the new replies once they are posted.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import defaultdict
from datetime import timedelta

import pytest

from bench import servers
from bench.client import Browser, csrf_token, sign_in
from forum.extensions import db, now_utc
from tests import factories as f

MARKER = "you posted this anonymously"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ROUNDS = 12


@pytest.fixture
def gunicorn(app, database_url):
    server = servers.start(
        f"sharing-{uuid.uuid4().hex[:8]}", "app:app",
        servers.forum_env(database_url, servers.new_secret(), FORUM_RATELIMIT_ENABLED="false"),
        workers=2, threads=4,
    )
    yield server
    server.stop()


@pytest.fixture
def forum(app):
    old = now_utc() - timedelta(days=30)  # established accounts: nothing held for approval
    public = f.make_category(slug="stories")
    members = f.make_category(slug="members-corner", visibility="members")
    author = f.make_user("hidden_hazel", created_at=old)
    readers = [f.make_user(f"reader_{n}", created_at=old) for n in ("ann", "bo", "cy")]
    moderator = f.make_user("mod_mara", role="moderator", created_at=old)
    anon = f.make_thread(author, public, title="Our aide was removed", hide_author=True,
                         body="They pulled the aide last week.")
    f.make_reply(author, anon, body="An update from me", hide_author=True)
    named = f.make_thread(readers[0], public, title="Meeting tips that helped")
    private = f.make_thread(author, members, title="Members only and anonymous", hide_author=True)
    found = {"author": author.username, "readers": [r.username for r in readers],
             "moderator": moderator.username,
             "ids": {"anon": anon.id, "named": named.id, "private": private.id}}
    db.session.remove()
    return found


def test_everyone_sees_only_their_own_while_replies_arrive(forum, gunicorn):
    port, ids = gunicorn.port, forum["ids"]
    paths = ["/", "/categories/stories", "/categories/members-corner",
             *(f"/threads/{i}" for i in ids.values())]
    people = {name: sign_in(port, name, f.PASSWORD)
              for name in (forum["author"], forum["moderator"], *forum["readers"])}
    people["guest-1"], people["guest-2"] = Browser(), Browser()
    problems: list[str] = []
    tokens: dict[str, set[str]] = defaultdict(set)
    replies: list[str] = []
    stop = threading.Event()

    def read(name: str, browser: Browser) -> None:
        for _ in range(ROUNDS):
            for path in paths:
                reply = browser.get(port, path)
                if reply.status not in (200, 302):
                    problems.append(f"{name} {path}: HTTP {reply.status}")
                    continue
                page = reply.body.decode()
                tokens[name].update(TOKEN.findall(page))
                if name != forum["author"]:
                    if forum["author"] in page:
                        problems.append(f"{name} saw the anonymous author's username on {path}")
                    if MARKER in page:
                        problems.append(f"{name} saw the author's private marker on {path}")
                if name != forum["moderator"] and "/moderation/posts/" in page:
                    problems.append(f"{name} saw moderator tools on {path}")
                if name.startswith("guest") and "Members only and anonymous" in page:
                    problems.append(f"a guest saw a members-only thread on {path}")

    def write() -> None:
        # Browsers of their own: a Browser's connection is not for two threads at once.
        writer = sign_in(port, forum["readers"][1], f.PASSWORD)
        author = sign_in(port, forum["author"], f.PASSWORD)
        count = 0
        while not stop.is_set() and count < 10:
            count += 1
            hide = count % 2 == 0
            who = author if hide else writer
            token = csrf_token(who.get(port, f"/threads/{ids['anon']}").body)
            text = f"Reply number {count} {uuid.uuid4().hex[:6]}"
            form = {"csrf_token": token, "body": text, "token": uuid.uuid4().hex}
            if hide:
                form["hide_author"] = "y"
            reply = who.post(port, f"/threads/{ids['anon']}/reply", form)
            if reply.status != 302:
                problems.append(f"reply {count}: HTTP {reply.status}")
            replies.append(text)
            time.sleep(0.05)
        author.close()
        writer.close()

    readers = [threading.Thread(target=read, args=item) for item in people.items()]
    writer = threading.Thread(target=write)
    for worker in (*readers, writer):
        worker.start()
    for worker in readers:
        worker.join(timeout=300)
    stop.set()
    writer.join(timeout=60)
    assert not problems, problems[:10]
    # Tokens are each member's own: no two people were ever given the same one.
    owners = defaultdict(set)
    for name, found in tokens.items():
        for token in found:
            owners[token].add(name)
    assert not [t for t, names in owners.items() if len(names) > 1]
    # Once posted, every reply reaches every reader (guests within a second or two).
    time.sleep(1.5)
    for name, browser in people.items():
        page = browser.get(port, f"/threads/{ids['anon']}").body.decode()
        missing = [text for text in replies if text not in page]
        assert not missing, f"{name} does not see {missing}"
        browser.close()
