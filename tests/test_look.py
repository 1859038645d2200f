"""Issue 20's look, server side: thread rows carry a per-viewer unread place, the header has
its parts, edit history shows a word diff."""

from __future__ import annotations

import re

from markupsafe import Markup

from forum.assembly import add_slot
from forum.threads.diff import word_diff
from tests import factories as f


def test_word_diff_marks_removed_and_added_words_and_escapes_text():
    html = word_diff("We met <b>on</b> Monday.", "We met <b>on</b> Friday, finally.")
    assert html == "We met &lt;b&gt;on&lt;/b&gt; <del>Monday</del><ins>Friday, finally</ins>."
    assert "<b>" not in html


def test_word_diff_shortens_long_unchanged_stretches():
    long = "calm words " * 200
    html = word_diff(long + "old end", long + "new end")
    assert "<del>old</del><ins>new</ins>" in html
    assert len(html) < len(long)  # the unchanged start is cut to its end


def test_each_thread_row_has_an_unread_place_filled_once_per_page(app, client_as, world):
    calls = []

    def filler(viewer, args):
        calls.append(list(args))
        return {arg: Markup('<span class="badge">New</span>') for arg in args}

    had = app.extensions.get("slots", {}).get("unread")
    add_slot(app, "unread", filler)
    try:
        page = client_as(world["member"]).get("/").get_data(as_text=True)
    finally:  # the app outlives this test
        if had is None:
            del app.extensions["slots"]["unread"]
        else:
            add_slot(app, "unread", had)
    rows = re.findall(r'<li class="thread-item">', page)
    assert len(rows) >= 2
    assert page.count('<span class="unread-slot"><span class="badge">New') == len(rows)
    assert len(calls) == 1 and len(calls[0]) == len(rows)
    assert {str(world["named"].id), str(world["anon"].id)} <= set(calls[0])


def test_without_a_filler_the_unread_place_is_empty(app, client_as, world):
    slots = app.extensions.setdefault("slots", {})
    had = slots.pop("unread", None)  # as if the feature that fills it were not installed
    try:
        response = client_as(world["member"]).get("/")
    finally:
        if had is not None:
            slots["unread"] = had
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<span class="unread-slot"></span>') == page.count('class="thread-item"') >= 2
    assert "<!--slot-" not in page


def test_header_has_search_new_thread_and_a_menu(client_as, world):
    page = client_as(world["member"]).get("/").get_data(as_text=True)
    header = page.split("</header>")[0]
    assert '<details class="header-search">' in header and 'role="search"' in header
    assert 'href="/threads/new"' in header and '<details class="site-menu">' in header
    assert "Sign out" in header
    guest = client_as().get("/").get_data(as_text=True).split("</header>")[0]
    assert "Sign out" not in guest and 'href="/threads/new"' not in guest and "Join" in guest


def test_edit_history_shows_a_diff_not_the_markdown_alone(client_as, world):
    post = f.first_post(world["named"])
    client = client_as(world["author"])
    old_body = post.body
    response = client.post(
        f"/posts/{post.id}/edit",
        data={"title": world["named"].title, "body": old_body + "\n\nUpdate: it went **well**."},
    )
    assert response.status_code == 302
    page = client.get(f"/posts/{post.id}/revisions").get_data(as_text=True)
    diff = re.search(r'<div class="revision-diff">(.*?)</div>', page, re.S)[1]
    assert "<ins>" in diff and "Update" in diff and "**well**" in diff
    assert old_body.split()[0] in diff
