"""Digest pages: preferences, verifying the address, following threads, unsubscribing."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.digests.models import DigestCategoryChoice, DigestPreference, ThreadFollow
from forum.digests.tokens import Scope, make_unsubscribe_token, make_verify_token
from forum.extensions import db, now_utc
from forum.threads.models import Thread
from tests import factories as f


@pytest.fixture
def cats(app):
    return {
        "public": f.make_category(slug="iep-meetings", name="IEP meetings"),
        "members": f.make_category(slug="support", name="Support", visibility="members"),
        "sensitive": f.make_category(slug="crisis", name="Hard days", sensitive=True),
    }


def member(name="member_maya", verified=True, **fields):
    return f.make_user(
        name,
        email=f"{name}@example.org",
        email_verified_at=now_utc() - timedelta(days=1) if verified else None,
        **fields,
    )


def old_token(monkeypatch, make, age_seconds: int) -> str:
    """A token signed `age_seconds` ago."""
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real() - age_seconds)
        return make()


def pref(user_id: int) -> DigestPreference | None:
    db.session.rollback()  # read what was committed, not what the session remembers
    return db.session.get(DigestPreference, user_id)


# --- who may use which route -------------------------------------------------------------

GUEST_ROUTES = [
    ("get", "/settings/digests"),
    ("post", "/settings/digests"),
    ("post", "/settings/email/verify"),
    ("post", "/threads/1/follow"),
]


@pytest.mark.parametrize(("method", "path"), GUEST_ROUTES)
def test_guests_are_sent_to_sign_in(client_as, cats, method, path):
    response = getattr(client_as(), method)(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_preferences_are_always_the_signed_in_members_own(client_as, cats):
    maya, other = member(), member("other_omar")
    client_as(other).post("/settings/digests", data={"frequency": "daily", "categories": []})
    page = client_as(maya).get("/settings/digests").get_data(as_text=True)
    assert re.search(r'value="weekly"[^>]*checked|checked[^>]*value="weekly"', page)
    assert pref(maya.id) is None and pref(other.id).frequency == "daily"


def test_settings_pages_link_to_email_preferences(client_as, cats):
    client = client_as(member())
    for path in ("/settings", "/settings/sessions", "/settings/digests"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/settings/digests"' in page


# --- preferences ---------------------------------------------------------------------------


def test_defaults_are_weekly_all_but_sensitive_and_say_so(client_as, cats):
    page = client_as(member()).get("/settings/digests").get_data(as_text=True)
    assert "You get the weekly digest: that's the default" in page
    for cat, on in ((cats["public"], True), (cats["members"], True), (cats["sensitive"], False)):
        tag = re.search(rf'<input[^>]*name="categories"[^>]*value="{cat.id}"[^>]*>', page).group(0)
        assert ("checked" in tag) is on
    assert "Hard days (sensitive)" in page


def test_unverified_member_is_told_and_offered_verification(client_as, cats):
    page = client_as(member(verified=False)).get("/settings/digests").get_data(as_text=True)
    assert "isn't verified yet" in page and "Verify my address" in page
    assert 'action="/settings/email/verify"' in page


def test_saving_preferences(client_as, cats):
    maya = member()
    response = client_as(maya).post(
        "/settings/digests",
        data={
            "frequency": "daily",
            "categories": [cats["members"].id, cats["sensitive"].id],
            "titles_in_subject": "y",
            "notify_replies": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/settings/digests"
    saved = pref(maya.id)
    assert (saved.frequency, saved.titles_in_subject, saved.notify_replies) == ("daily", True, True)
    assert saved.notify_since is not None
    choices = dict(
        db.session.execute(
            select(DigestCategoryChoice.category_id, DigestCategoryChoice.included).where(
                DigestCategoryChoice.user_id == maya.id
            )
        ).all()
    )
    # Only departures from the default are stored: public left out, sensitive opted into.
    assert choices == {cats["public"].id: False, cats["sensitive"].id: True}


@pytest.mark.parametrize(
    "data",
    [
        {"frequency": "hourly", "notify_replies": "y"},
        {"frequency": "daily", "categories": ["999"], "notify_replies": "y"},
        {"frequency": "daily", "categories": ["abc"], "notify_replies": "y"},
    ],
)
def test_bad_input_is_a_422_that_keeps_the_choices(client_as, cats, data):
    maya = member()
    response = client_as(maya).post("/settings/digests", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(
        r'<input[^>]*id="notify_replies"[^>]*checked|<input[^>]*checked[^>]*id="notify_replies"',
        page,
    )
    assert pref(maya.id) is None


# --- verifying the address -----------------------------------------------------------------


def test_verification_round_trip(client_as, cats, outbox):
    maya = member(verified=False)
    client = client_as(maya)
    assert "Verify my address" in client.get("/settings").get_data(as_text=True)
    response = client.post("/settings/email/verify")
    assert response.headers["Location"] == "/settings"
    [message] = outbox
    assert message["To"] == maya.email
    link = re.search(
        r"http://forum\.test(/email/verify/\S+)", message.get_body(("plain",)).get_content()
    )
    path = link.group(1)
    assert client.get(path).status_code == 200
    db.session.rollback()
    assert db.session.get(type(maya), maya.id).email_verified_at is None  # GET changes nothing
    response = client.post(path)
    assert response.headers["Location"] == "/settings/digests"
    db.session.rollback()
    assert db.session.get(type(maya), maya.id).email_verified_at is not None


def test_verification_link_works_without_signing_in(client_as, cats):
    maya = member(verified=False)
    token = make_verify_token(maya.id, maya.email)
    response = client_as().post(f"/email/verify/{token}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.rollback()
    assert db.session.get(type(maya), maya.id).email_verified_at is not None


def test_bad_verification_links_are_refused(client_as, cats, monkeypatch, app):
    maya = member(verified=False)
    forged = make_verify_token(maya.id, maya.email)[:-3] + "abc"
    expired = old_token(
        monkeypatch,
        lambda: make_verify_token(maya.id, maya.email),
        app.config["DIGEST_VERIFY_MAX_AGE"] + 10,
    )
    old_address = make_verify_token(maya.id, "previous@example.org")
    for token in (forged, expired, old_address, "nonsense"):
        for method in ("get", "post"):
            response = getattr(client_as(maya), method)(f"/email/verify/{token}")
            assert response.status_code == 400, (token, method)
    db.session.rollback()
    assert db.session.get(type(maya), maya.id).email_verified_at is None


def test_changing_the_address_needs_a_new_verification(client_as, cats):
    maya = member()
    client_as(maya).post(
        "/settings", data={"email": "new.address@example.org", "current_password": f.PASSWORD}
    )
    db.session.rollback()
    assert db.session.get(type(maya), maya.id).email_verified_at is None


def test_no_verification_mail_without_address_or_when_verified(client_as, cats, outbox):
    for user in (member(), f.make_user("no_email_nia")):
        response = client_as(user).post("/settings/email/verify", follow_redirects=True)
        assert response.status_code == 200
    assert outbox == []


# --- following threads ---------------------------------------------------------------------


def test_follow_and_unfollow(client_as, cats):
    maya = member()
    thread = f.make_thread(f.make_user("author_ruth"), cats["public"], title="A thread to follow")
    client = client_as(maya)
    assert "Follow this thread" in client.get(f"/threads/{thread.id}").get_data(as_text=True)
    response = client.post(f"/threads/{thread.id}/follow", data={"follow": "1"})
    assert response.headers["Location"] == f"/threads/{thread.id}"
    assert "Stop following" in client.get(f"/threads/{thread.id}").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(ThreadFollow, (maya.id, thread.id)).following is True
    client.post(f"/threads/{thread.id}/follow", data={"follow": "0"})
    db.session.rollback()
    assert db.session.get(ThreadFollow, (maya.id, thread.id)).following is False


def test_starter_follows_their_own_thread(client_as, cats):
    maya = member()
    thread = f.make_thread(maya, cats["public"], title="My own new thread")
    assert "Stop following" in client_as(maya).get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Follow this thread" not in client_as().get(f"/threads/{thread.id}").get_data(
        as_text=True
    )


def test_cannot_follow_what_one_cannot_see(client_as, cats):
    thread = f.make_thread(f.make_user("author_ruth"), cats["public"], title="Held for review")
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(status="held"))
    db.session.commit()
    client = client_as(member())
    assert client.post(f"/threads/{thread.id}/follow", data={"follow": "1"}).status_code == 404
    assert client.post("/threads/99999/follow", data={"follow": "1"}).status_code == 404
    assert db.session.scalars(select(ThreadFollow)).all() == []


def test_thread_page_query_count_with_follow_button(app, client_as, cats, count_queries):
    app.config["RELATED_CACHE_SECONDS"] = 0  # compute "stories like this" both times
    maya = member()
    thread = f.make_thread(maya, cats["public"], title="Counting queries here")
    client = client_as(maya)
    db.session.rollback()  # start cold both times: no objects remembered by the session
    with count_queries() as few:
        client.get(f"/threads/{thread.id}")
    for _ in range(5):
        f.make_reply(f.make_user(), thread)
    db.session.rollback()
    with count_queries() as many:
        client.get(f"/threads/{thread.id}")
    assert len(many) == len(few)


# --- unsubscribing ---------------------------------------------------------------------------


def test_unsubscribe_page_and_one_click_post_without_a_session(client_as, cats):
    maya = member()
    token = make_unsubscribe_token(maya.id, Scope.DIGEST)
    guest = client_as()
    page = guest.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Unsubscribe from the digest" in page.get_data(as_text=True)
    response = guest.post(
        f"/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert pref(maya.id).frequency == "off"


def test_unsubscribe_from_reply_notifications_keeps_the_digest(client_as, cats):
    maya = member()
    db.session.add(DigestPreference(user_id=maya.id, frequency="daily", notify_replies=True))
    db.session.commit()
    client_as().post(f"/unsubscribe/{make_unsubscribe_token(maya.id, Scope.REPLIES)}")
    saved = pref(maya.id)
    assert (saved.frequency, saved.notify_replies) == ("daily", False)


def test_unsubscribe_page_changes_frequency_instead(client_as, cats):
    maya = member()
    token = make_unsubscribe_token(maya.id, Scope.DIGEST)
    response = client_as().post(f"/unsubscribe/{token}", data={"frequency": "daily"})
    assert response.status_code == 200 and pref(maya.id).frequency == "daily"
    assert (
        client_as().post(f"/unsubscribe/{token}", data={"frequency": "yearly"}).status_code == 422
    )
    assert pref(maya.id).frequency == "daily"


def test_forged_or_expired_unsubscribe_tokens_are_refused(client_as, cats, monkeypatch, app):
    maya = member()
    good = make_unsubscribe_token(maya.id, Scope.DIGEST)
    expired = old_token(
        monkeypatch,
        lambda: make_unsubscribe_token(maya.id, Scope.DIGEST),
        app.config["DIGEST_UNSUBSCRIBE_MAX_AGE"] + 10,
    )
    other_user = make_unsubscribe_token(maya.id + 1000, Scope.DIGEST)
    for token in (
        good[:-4] + "AAAA",
        expired,
        other_user,
        make_verify_token(maya.id, maya.email),
        "x",
    ):
        for method in ("get", "post"):
            response = getattr(client_as(), method)(f"/unsubscribe/{token}")
            assert response.status_code == 400, (token, method)
    assert pref(maya.id) is None


def test_csrf_is_exempt_only_for_the_unsubscribe_route(client_as, cats, app):
    app.config["WTF_CSRF_ENABLED"] = True
    maya = member()
    thread = f.make_thread(maya, cats["public"], title="Some thread here")
    client = client_as(maya)
    assert client.post(f"/threads/{thread.id}/follow", data={"follow": "0"}).status_code == 400
    assert client.post("/settings/digests", data={"frequency": "off"}).status_code == 400
    assert client.post("/settings/email/verify").status_code == 400
    assert (
        client_as().post(f"/email/verify/{make_verify_token(maya.id, maya.email)}").status_code
        == 400
    )
    assert pref(maya.id) is None
    token = make_unsubscribe_token(maya.id, Scope.DIGEST)
    assert (
        client_as()
        .post(
            f"/unsubscribe/{token}",
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        .status_code
        == 200
    )
    assert pref(maya.id).frequency == "off"
