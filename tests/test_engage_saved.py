"""Save for later and the saved page (issue 18): private to the member."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.engage.models import SavedItem
from forum.extensions import db
from tests import engage_support as support
from tests import factories as f
from tests.engage_support import page

as_, ids = support.as_, support.ids  # fixtures


def saved_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(SavedItem.id)))


def test_save_a_thread_and_a_post_then_remove_them(as_, ids):
    member = as_("member")
    response = member.post(f"/threads/{ids['named']}/save")
    assert response.headers["Location"] == f"/threads/{ids['named']}"
    response = member.post(f"/posts/{ids['reply']}/save")
    assert response.headers["Location"] == f"/posts/{ids['reply']}"
    assert saved_count() == 2
    html = page(member, "/saved")
    assert "Named thread about an IEP meeting" in html
    assert f'href="/posts/{ids["reply"]}"' in html
    thread_page = page(member, f"/threads/{ids['named']}")
    assert "Saved: remove from Saved" in thread_page
    assert "Saved (remove)" in thread_page
    # Removing from the saved page comes back to it.
    response = member.post(f"/threads/{ids['named']}/save", data={"back": "saved"})
    assert response.headers["Location"] == "/saved"
    member.post(f"/posts/{ids['reply']}/save")
    assert saved_count() == 0
    assert "Nothing saved yet" in page(member, "/saved")


def test_saved_items_are_private(as_, ids):
    as_("member").post(f"/threads/{ids['named']}/save")
    as_("member").post(f"/posts/{ids['reply']}/save")
    for other in ("author", "moderator", "admin"):
        html = page(as_(other), "/saved")
        assert "Named thread about an IEP meeting" not in html
        assert f'href="/posts/{ids["reply"]}"' not in html
        assert "Save for later" in page(as_(other), f"/threads/{ids['named']}")
    assert as_(None).get("/saved").headers["Location"].startswith("/login")


def test_saving_what_you_cannot_see_is_refused(as_, world, ids):
    held = f.make_thread(world["author"], world["public"], title="Waiting for approval here")
    held.status = "held"
    db.session.commit()
    held_id = held.id
    assert as_("member").post(f"/threads/{held_id}/save").status_code == 404
    assert as_(None).post(f"/threads/{ids['members_thread']}/save").status_code == 302
    assert saved_count() == 0


def test_a_saved_thread_that_is_hidden_later_leaves_the_list(as_, world, ids):
    as_("member").post(f"/threads/{ids['anon']}/save")
    thread = db.session.get(type(world["anon"]), ids["anon"])
    thread.status = "hidden"
    db.session.commit()
    assert "Anonymous thread about an aide" not in page(as_("member"), "/saved")


def test_unanswered_lists_threads_without_replies(as_, ids):
    guest = page(as_(None), "/unanswered")
    assert "Anonymous thread about an aide" in guest
    assert "Named thread about an IEP meeting" not in guest  # it has a reply
    assert "Members only thread here" not in guest  # members-only: not for guests
    assert "Members only thread here" in page(as_("member"), "/unanswered")
    assert 'href="/unanswered"' in page(as_(None), "/")
    # A first reply takes it off the list.
    as_("member").post(f"/threads/{ids['anon']}/reply", data={"body": "You are not alone.",
                                                             "token": ""})
    assert "Anonymous thread about an aide" not in page(as_(None), "/unanswered")


def test_unanswered_names_no_anonymous_author(as_, ids):
    html = page(as_("member"), "/unanswered")
    assert ids["author_name"] not in html
