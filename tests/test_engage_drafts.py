"""Drafts kept on the server (issue 18): saved, restored anywhere, private, deleted after
posting or after 30 days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.engage import drafts
from forum.engage.models import NEW_THREAD, Draft, reply_place
from forum.extensions import db, now_utc
from tests import engage_support as support
from tests.engage_support import page

as_, ids = support.as_, support.ids  # fixtures

STORY = "At the meeting today they said the aide would be shared."


def all_drafts() -> list[Draft]:
    db.session.remove()
    return list(db.session.scalars(select(Draft)))


def test_save_draft_without_javascript_and_restore_on_another_device(as_, ids):
    response = as_("member").post(f"/threads/{ids['named']}/draft",
                                  data={"body": STORY, "hide_author": "y"})
    assert response.headers["Location"] == f"/threads/{ids['named']}/reply"
    [draft] = all_drafts()
    assert (draft.place, draft.body, draft.hide_author) == (
        reply_place(ids["named"]), STORY, True)
    # Another device: a new client, the same member.
    html = page(as_("member"), f"/threads/{ids['named']}/reply")
    assert STORY in html
    assert 'checked id="hide_author"' in html  # the anonymous box as it was left
    assert "Draft restored" in html
    # The reply box on the thread page too.
    assert STORY in page(as_("member"), f"/threads/{ids['named']}")


def test_new_thread_draft_keeps_title_category_and_anonymity(as_, ids):
    as_("member").post("/threads/new/draft", data={
        "title": "Our first IEP", "body": STORY, "category": "iep-meetings", "hide_author": "y"})
    [draft] = all_drafts()
    assert (draft.place, draft.title, draft.category_slug) == (NEW_THREAD, "Our first IEP",
                                                               "iep-meetings")
    html = page(as_("member"), "/threads/new")
    assert "Our first IEP" in html and STORY in html


def test_autosave_answers_json(as_, ids):
    response = as_("member").post(f"/threads/{ids['named']}/draft", data={"body": STORY},
                                  headers={"Accept": "application/json",
                                           "X-CSRFToken": "ignored-in-tests"})
    assert response.status_code == 200
    assert response.get_json() == {"saved": True}
    response = as_("member").post(f"/threads/{ids['named']}/draft", data={"body": " "},
                                  headers={"Accept": "application/json"})
    assert response.get_json() == {"saved": False}  # an empty composer: no draft
    assert all_drafts() == []


def test_drafts_are_private(as_, ids):
    as_("member").post(f"/threads/{ids['named']}/draft", data={"body": STORY})
    as_("member").post("/threads/new/draft", data={"title": "Secret title", "body": STORY})
    for other in ("author", "moderator", "admin"):
        for path in (f"/threads/{ids['named']}/reply", f"/threads/{ids['named']}",
                     "/threads/new", "/saved"):
            html = page(as_(other), path)
            assert STORY not in html and "Secret title" not in html, (other, path)
    # Another member saving a draft there keeps their own, never overwrites the first.
    as_("author").post(f"/threads/{ids['named']}/draft", data={"body": "Mine."})
    assert sorted(d.body for d in all_drafts()) == sorted(["Mine.", STORY, STORY])


def test_draft_survives_a_validation_error_and_goes_after_posting(as_, ids):
    member = as_("member")
    response = member.post("/threads/new", data={"category": "iep-meetings", "title": "Hi",
                                                 "body": STORY, "token": ""})
    assert response.status_code == 422  # the title is too short
    [draft] = all_drafts()
    assert (draft.title, draft.body) == ("Hi", STORY)
    response = member.post("/threads/new", data={"category": "iep-meetings",
                                                 "title": "Our first IEP meeting",
                                                 "body": STORY, "token": ""})
    assert response.status_code == 302
    assert all_drafts() == []


def test_reply_draft_goes_after_posting(as_, ids):
    member = as_("member")
    member.post(f"/threads/{ids['named']}/draft", data={"body": STORY})
    member.post(f"/threads/{ids['anon']}/draft", data={"body": "Another thread's draft."})
    member.post(f"/threads/{ids['named']}/reply", data={"body": STORY, "token": ""})
    assert [d.place for d in all_drafts()] == [reply_place(ids["anon"])]


def test_discard(as_, ids):
    member = as_("member")
    member.post(f"/threads/{ids['named']}/draft", data={"body": STORY})
    member.post(f"/threads/{ids['named']}/draft", data={"body": STORY, "discard": "1"})
    assert all_drafts() == []


def test_old_drafts_are_not_restored_and_pruned(as_, ids, app):
    as_("member").post(f"/threads/{ids['named']}/draft", data={"body": STORY})
    as_("member").post("/threads/new/draft", data={"title": "Fresh one", "body": STORY})
    db.session.remove()
    old = db.session.scalar(select(Draft).where(Draft.place != NEW_THREAD))
    old.updated_at = now_utc() - timedelta(days=31)
    db.session.commit()
    assert STORY not in page(as_("member"), f"/threads/{ids['named']}/reply")
    assert STORY not in page(as_("member"), f"/threads/{ids['named']}")
    result = app.test_cli_runner().invoke(args=["engage", "prune-drafts"])
    assert "Deleted 1 draft." in result.output
    assert [d.title for d in all_drafts()] == ["Fresh one"]


def test_cannot_draft_where_you_cannot_reply(as_, world, ids):
    held = world["named"]
    held.status = "held"
    db.session.commit()
    assert as_("member").post(f"/threads/{ids['named']}/draft",
                              data={"body": STORY}).status_code == 404
    assert as_(None).post(f"/threads/{ids['named']}/draft",
                          data={"body": STORY}).headers["Location"].startswith("/login")
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_too_long_draft_is_refused(as_, ids):
    response = as_("member").post(f"/threads/{ids['named']}/draft",
                                  data={"body": "x" * 20_001},
                                  headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert all_drafts() == []
    assert drafts.DRAFT_DAYS == 30

