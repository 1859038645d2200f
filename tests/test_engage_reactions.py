"""Reactions (issue 18): toggled, counted, never listed; the most helpful reply."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.engage.models import Reaction, ThreadHelpful
from forum.extensions import db
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


def test_reacting_keeps_kept_blocks(as_, world, ids, app):
    from forum.assembly.versions import read

    before = read([f"thread:{ids['named']}"])
    react(as_("author"), ids["reply"], "me_too")
    db.session.remove()
    assert read([f"thread:{ids['named']}"]) == before


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
