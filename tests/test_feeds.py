"""Atom feeds: well-formed, public content only, anonymous authors under their alias."""

from __future__ import annotations

import feedparser
import pytest
from sqlalchemy import update

from forum.accounts.models import Guest
from forum.extensions import db
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Post, Thread
from tests import factories as f


@pytest.fixture
def feeds_world(app):
    public = f.make_category(slug="iep-meetings", name="IEP meetings")
    other = f.make_category(slug="evaluations", name="Evaluations")
    members = f.make_category(slug="support", name="Support", visibility="members")
    author = f.make_user("author_ruth", email="ruth.author@example.org")
    named = f.make_thread(author, public, title="Named thread in public")
    anon = f.make_thread(author, public, title="Anonymous thread in public", hide_author=True)
    elsewhere = f.make_thread(author, other, title="Thread in evaluations")
    f.make_thread(author, members, title="Members only thread")
    hidden = f.make_thread(author, public, title="Hidden thread")
    held = f.make_thread(author, public, title="Held thread")
    removed = f.make_thread(author, public, title="Thread whose first post is deleted")
    db.session.execute(update(Thread).where(Thread.id == hidden.id).values(status="hidden"))
    db.session.execute(update(Thread).where(Thread.id == held.id).values(status="held"))
    db.session.execute(update(Post).where(Post.thread_id == removed.id).values(status="deleted"))
    db.session.commit()
    alias = display_author(anon, Guest(), AliasBook.for_threads([anon.id])).label
    return {
        "public": public,
        "members": members,
        "author": author,
        "named": named,
        "anon": anon,
        "elsewhere": elsewhere,
        "alias": alias,
    }


def parse(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(
        response.data, response_headers={"content-type": response.headers["Content-Type"]}
    )
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_site_feed_lists_public_visible_threads_newest_first(client_as, feeds_world):
    feed = parse(client_as().get("/feed.atom"))
    assert [e.title for e in feed.entries] == [
        "Thread in evaluations",
        "Anonymous thread in public",
        "Named thread in public",
    ]
    entry = feed.entries[-1]
    assert entry.link == f"http://forum.test/threads/{feeds_world['named'].id}"
    assert entry.author == "author_ruth" and entry.summary.startswith("What happened")
    assert feed.feed.title == "New threads on IEP Parents Together"


def test_anonymous_author_is_only_an_alias(client_as, feeds_world):
    response = client_as().get("/feed.atom")
    feed = parse(response)
    anon = next(e for e in feed.entries if e.title == "Anonymous thread in public")
    assert anon.author == feeds_world["alias"]
    assert "href" not in anon.get("author_detail", {})
    # The named thread shows the username; the anonymous one must not leak it anywhere near.
    entry_xml = (
        response.get_data(as_text=True).split("Anonymous thread in public")[1].split("</entry>")[0]
    )
    assert "author_ruth" not in entry_xml and "ruth.author" not in response.get_data(as_text=True)


def test_category_feed(client_as, feeds_world):
    feed = parse(client_as().get("/categories/iep-meetings/feed.atom"))
    assert [e.title for e in feed.entries] == [
        "Anonymous thread in public",
        "Named thread in public",
    ]


@pytest.mark.parametrize("path", ["/categories/support/feed.atom", "/categories/nope/feed.atom"])
def test_no_feed_for_members_only_or_unknown_categories(client_as, feeds_world, path):
    assert client_as().get(path).status_code == 404
    assert client_as(feeds_world["author"]).get(path).status_code == 404


def test_pages_link_their_feeds(client_as, feeds_world):
    guest = client_as()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New threads on IEP Parents '
        'Together" href="/feed.atom">'
    ) in guest.get("/").get_data(as_text=True)
    page = guest.get("/categories/iep-meetings").get_data(as_text=True)
    assert (
        'type="application/atom+xml" title="New threads in IEP meetings" '
        'href="/categories/iep-meetings/feed.atom"' in page
    )
    page = client_as(feeds_world["author"]).get("/categories/support").get_data(as_text=True)
    assert "/categories/support/feed.atom" not in page


def test_hostile_text_keeps_the_feed_well_formed(client_as, feeds_world):
    thread = f.make_thread(
        feeds_world["author"],
        feeds_world["public"],
        title="Tags <b>&amp; stuff</b> ]]> here",
        body="Body with \x01 control \x1f characters & <script>x</script>",
    )
    db.session.execute(
        update(Thread).where(Thread.id == thread.id).values(title="Bell \x07 <&> title")
    )
    db.session.commit()
    response = client_as().get("/feed.atom")
    feed = parse(response)
    assert feed.entries[0].title == "Bell  <&> title"
    assert feed.entries[0].summary.endswith("characters & <script>x</script>")  # text, escaped
    assert not any(b < 0x20 and b not in b"\n\t\r" for b in response.data)


def test_feed_query_count_does_not_grow_with_threads(client_as, feeds_world, count_queries):
    guest = client_as()
    with count_queries() as few:
        guest.get("/feed.atom")
    for i in range(8):
        f.make_thread(
            f.make_user(), feeds_world["public"], title=f"More threads {i}", hide_author=bool(i % 2)
        )
    with count_queries() as many:
        guest.get("/feed.atom")
    assert len(many) == len(few)
