"""Reactions (issue 18): toggled, counted, never listed; the most helpful reply."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.engage.models import Reaction, ThreadHelpful
from forum.extensions import db
from forum.threads.models import Post
from tests import engage_support as support
from tests import factories as f
from tests.engage_support import page

as_, ids = support.as_, support.ids  # fixtures


def react(client, post_id: int, kind: str):
    return client.post(f"/posts/{post_id}/react", data={"kind": kind})


def count_of(html: str, post_id: int, label: str) -> int | None:
    """The count shown beside a reaction label in the post's bar (None: none shown)."""
    article = html.split(f'id="post-{post_id}"', 1)[1].split("</article>", 1)[0]
    found = re.search(rf"{label} <span class=\"reaction__count\">(\d+)</span>", article)
    return int(found[1]) if found else None


def test_toggle_counts_and_pressed_state(as_, world, ids):
    # The reply is member_maya's.
    post_id = ids["reply"]
    author = as_("author")
    response = react(author, post_id, "me_too")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/{post_id}"
    db.session.remove()
    assert db.session.scalar(select(func.count(Reaction.id))) == 1
    html = page(author, f"/threads/{ids['named']}")
    assert count_of(html, post_id, "Me too") == 1
    assert ('value="me_too" data-label="Me too" class="reaction reaction--mine" '
            'aria-pressed="true"') in html
    # Another member sees the count, not pressed.
    other = page(as_("moderator"), f"/threads/{ids['named']}")
    assert count_of(other, post_id, "Me too") == 1
    assert 'value="me_too" data-label="Me too" class="reaction" aria-pressed="false"' in other
    # The second click takes it back.
    react(author, post_id, "me_too")
    db.session.remove()
    assert db.session.scalar(select(func.count(Reaction.id))) == 0
    assert count_of(page(author, f"/threads/{ids['named']}"), post_id, "Me too") is None


def test_one_of_each_kind_per_member(as_, world, ids):
    post_id = ids["reply"]
    author = as_("author")
    for kind in ("me_too", "strength", "helped"):
        react(author, post_id, kind)
    db.session.add(Reaction(post_id=post_id, user_id=ids["author"], kind="me_too"))
    with pytest.raises(IntegrityError):  # the unique constraint
        db.session.commit()
    db.session.rollback()
    db.session.remove()
    assert db.session.scalar(select(func.count(Reaction.id))) == 3


@pytest.mark.parametrize(("viewer", "status"), [(None, 302), ("member", 403)])
def test_guests_and_authors_cannot_react(as_, world, ids, viewer, status):
    client = as_(viewer)
    response = react(client, ids["reply"], "me_too")  # member_maya's own reply
    if status == 302:
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403
    db.session.remove()
    assert db.session.scalar(select(func.count(Reaction.id))) == 0


def test_unknown_kind_and_hidden_posts_are_refused(as_, world, ids):
    author = as_("author")
    react(author, ids["reply"], "love")
    held = f.make_reply(world["member"], world["members_thread"])
    held.status = "held"
    db.session.commit()
    held_id = held.id
    assert react(author, held_id, "me_too").status_code == 404
    db.session.remove()
    assert db.session.scalar(select(func.count(Reaction.id))) == 0


def test_guests_see_counts_and_a_sign_in_link_but_no_buttons(as_, world, ids):
    react(as_("author"), ids["reply"], "strength")
    html = page(as_(None), f"/threads/{ids['named']}")
    assert count_of(html, ids["reply"], "Sending strength") == 1
    assert "/react" not in html
    assert "Sign in to react" in html


def test_the_author_sees_counts_only(as_, world, ids):
    react(as_("author"), ids["reply"], "strength")
    html = page(as_("member"), f"/threads/{ids['named']}")
    assert count_of(html, ids["reply"], "Sending strength") == 1
    assert f"/posts/{ids['reply']}/react" not in html
    assert ids["author_name"] not in html.split(f'id="post-{ids["reply"]}"')[1]


def test_reaction_added_signal_before_commit(as_, world, ids):
    from forum.threads.services import reaction_added

    seen = []

    def receiver(post, member_id, kind):
        seen.append((post.id, member_id, kind, db.session.new or db.session.dirty or True))

    reaction_added.connect(receiver)
    try:
        react(as_("author"), ids["reply"], "helped")
        react(as_("author"), ids["reply"], "helped")  # taken back: no signal
    finally:
        reaction_added.disconnect(receiver)
    assert [(s[0], s[1], s[2]) for s in seen] == [
        (ids["reply"], ids["author"], "helped")]


def test_a_reaction_renews_its_threads_kept_blocks_only(as_, world, ids):
    """The counts are kept in the thread's posts block: a reaction moves that thread's
    version, and nothing else's (not the site, not the lists)."""
    from forum.assembly.versions import read

    scope = f"thread:{ids['named']}"
    others = ["home", f"category:{ids['public']}", f"thread:{ids['anon']}"]
    before = read([scope, *others])
    react(as_("author"), ids["reply"], "me_too")
    db.session.remove()
    after = read([scope, *others])
    assert after.pop(scope) == before.pop(scope) + 1
    assert after == before


def test_a_kept_posts_block_shows_new_counts_and_each_members_own_marks(as_, world, ids, app):
    """Two plain members who wrote nothing on the page share one kept posts block: each sees
    the same counts (updated by a reaction) and only their own pressed buttons."""
    from forum.assembly.blocks import _Kept

    for name in ("reader_ana", "reader_bo"):
        ids[name] = f.make_user(name).id
    clients = {name: as_(name) for name in ("reader_ana", "reader_bo")}
    path = f"/threads/{ids['named']}"
    page(clients["reader_ana"], path)  # fills the kept block with no reactions yet
    react(clients["reader_ana"], ids["reply"], "strength")
    react(as_("author"), ids["reply"], "strength")
    db.session.remove()
    ana, bo = page(clients["reader_ana"], path), page(clients["reader_bo"], path)
    for html in (ana, bo):
        assert count_of(html, ids["reply"], "Sending strength") == 2
    pressed = 'value="strength" data-label="Sending strength" class="reaction reaction--mine"'
    assert pressed in ana and pressed not in bo
    kept = [v.html for v in app.extensions["block_cache"]._items.values()
            if isinstance(v, _Kept) and f'id="post-{ids["reply"]}"' in v.html]
    assert kept  # the posts block was kept: the readers shared it
    for html in kept:  # counts only: no member's marks and no form in a kept copy
        assert "reaction--mine" not in html and "csrf_token" not in html
        assert "Sending strength" not in html  # the bars themselves come per request


def test_most_helpful_reply_is_highlighted_from_two_marks(as_, world, ids):
    thread = world["named"]
    second = f.make_reply(world["moderator"], thread, body="Ask for the evaluation in writing.")
    second_id, thread_id = second.id, thread.id
    react(as_("author"), second_id, "helped")
    html = page(as_(None), f"/threads/{thread_id}")
    assert "Parents found this reply helpful" not in html  # one mark is not enough
    react(as_("admin"), second_id, "helped")
    db.session.remove()
    assert db.session.get(ThreadHelpful, thread_id).post_id == second_id
    for viewer in (None, "member"):
        html = page(as_(viewer), f"/threads/{thread_id}")
        assert f'href="/posts/{second_id}">Read reply #2</a>' in html
        article = html.split(f'id="post-{second_id}"', 1)[1].split("</article>", 1)[0]
        assert "badge--helpful" in article
    # Taken back: below two marks, the highlight goes.
    react(as_("admin"), second_id, "helped")
    html = page(as_(None), f"/threads/{thread_id}")
    assert "Parents found this reply helpful" not in html


def test_the_opening_post_is_never_the_helpful_reply(as_, world, ids):
    opening_id = f.first_post(world["named"]).id
    for who in ("member", "moderator"):
        react(as_(who), opening_id, "helped")
    db.session.remove()
    assert db.session.get(ThreadHelpful, ids["named"]) is None


def test_reacting_answers_json_for_the_script(as_, ids):
    response = as_("author").post(f"/posts/{ids['reply']}/react", data={"kind": "strength"},
                                  headers={"Accept": "application/json"})
    assert response.get_json() == {"counts": {"strength": 1}, "mine": ["strength"]}
    response = as_("moderator").post(f"/posts/{ids['reply']}/react", data={"kind": "strength"},
                                     headers={"Accept": "application/json"})
    assert response.get_json() == {"counts": {"strength": 2}, "mine": ["strength"]}
    response = as_("moderator").post(f"/posts/{ids['reply']}/react", data={"kind": "nope"},
                                     headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_each_page_of_a_thread_shows_the_members_own_marks_on_it(as_, world, ids, app):
    """The member's own reactions and saved posts come with the thread for the page shown
    (its numbers): on page 2 and 3 the right buttons are pressed, and no others."""
    app.config["POSTS_PER_PAGE"] = 3
    thread_id = ids["named"]
    for i in range(6):  # posts 3..8: pages 1 (1-3), 2 (4-6), 3 (7-8)
        f.make_reply(world["moderator"], db.session.get(type(world["named"]), thread_id),
                     body=f"Reply number {i}")
    numbers = dict(db.session.execute(
        select(Post.number, Post.id).where(Post.thread_id == thread_id)).all())
    reader = as_("member")
    react(reader, numbers[5], "helped")
    reader.post(f"/posts/{numbers[7]}/save")
    pressed = 'class="reaction reaction--mine"'
    pages = {n: page(reader, f"/threads/{thread_id}?page={n}") for n in (1, 2, 3)}
    assert pressed not in pages[1] and "Saved (remove)" not in pages[1]
    article = pages[2].split(f'id="post-{numbers[5]}"', 1)[1].split("</article>", 1)[0]
    assert 'value="helped" data-label="This helped" class="reaction reaction--mine"' in article
    assert pages[2].count(pressed) == 1 and "Saved (remove)" not in pages[2]
    article = pages[3].split(f'id="post-{numbers[7]}"', 1)[1].split("</article>", 1)[0]
    assert "Saved (remove)" in article and pressed not in pages[3]
    # Another member sees the count, nothing pressed, nothing saved.
    other = page(as_("admin"), f"/threads/{thread_id}?page=2")
    assert count_of(other, numbers[5], "This helped") == 1 and pressed not in other


def test_prepared_bars_outside_a_thread_page_load_the_members_marks(as_, world, ids, app):
    """forum.engage.bar.fill_reactions: where no thread statement brought the member's marks
    (any other page that might show a posts block), one statement loads them."""
    from forum.accounts.models import User
    from forum.engage.bar import fill_reactions, prepare_reactions

    react(as_("author"), ids["reply"], "strength")
    db.session.remove()
    with app.test_request_context("/", base_url="https://localhost"):
        author = db.session.get(User, ids["author"])
        prepared = prepare_reactions(author, [str(ids["reply"])])[str(ids["reply"])]
        html = fill_reactions(author, [prepared])[prepared]
    assert 'value="strength" data-label="Sending strength" class="reaction reaction--mine"' in html
    assert 'reaction__count">1<' in html


def test_a_bars_markup_in_each_state():
    """forum.engage.bar.render_bar joins precomputed pieces: its markup, pinned."""
    from forum.engage.bar import Bar, render_bar

    urls = {"react": "/posts/{post_id}/react", "save": "/posts/{post_id}/save"}
    bar = Bar(7, True, saved=True, helpful=True)
    bar.counts, bar.mine = {"me_too": 2, "helped": 1, "strength": 0}, {"me_too"}
    assert render_bar(bar, "TOKEN", "", urls) == (
        '<div class="reactions" role="group" aria-label="Reactions"><p class="helpful-marker">'
        '<span class="badge badge--helpful">Parents found this reply helpful</span></p>'
        '<form method="post" action="/posts/7/react" class="inline-form reactions__form">'
        '<input type="hidden" name="csrf_token" value="TOKEN">'
        '<button type="submit" name="kind" value="me_too" data-label="Me too" '
        'class="reaction reaction--mine" aria-pressed="true">Me too '
        '<span class="reaction__count">2</span></button>'
        '<button type="submit" name="kind" value="strength" data-label="Sending strength" '
        'class="reaction" aria-pressed="false">Sending strength</button>'
        '<button type="submit" name="kind" value="helped" data-label="This helped" '
        'class="reaction" aria-pressed="false">This helped '
        '<span class="reaction__count">1</span></button></form>'
        '<form method="post" action="/posts/7/save" class="inline-form">'
        '<input type="hidden" name="csrf_token" value="TOKEN">'
        '<button type="submit" class="link-button action">Saved (remove)'
        '<span class="visually-hidden"> this post</span></button></form></div>')
    shown = Bar(8, False)
    shown.counts = {"strength": 3}
    sign_in = '<a class="action" href="/login">Sign in to react</a>'
    assert render_bar(shown, "", sign_in, urls) == (
        '<div class="reactions" role="group" aria-label="Reactions">'
        '<span class="reaction reaction--count">Sending strength '
        '<span class="reaction__count">3</span></span>' + sign_in + "</div>")
