"""Someone at a signed-in browser can't take the account over, nor download its anonymous history.

Email and password changes need the current password, resets go only to a verified
address, the data export wants the password again within 10 minutes, and the member
is mailed (at a verified address) when the email address or password changes.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from forum.accounts.models import LoginSession, User
from forum.extensions import db, now_utc
from tests import factories as f

NEW_PASSWORD = "a brand new password 42"


@pytest.fixture
def parent(app):
    """A member with a verified address and an anonymous post."""
    user = f.make_user("verified_vera", email="vera@example.org", email_verified_at=now_utc())
    category = f.make_category(slug="meetings")
    f.make_thread(user, category, title="Our district ignored the IEP", hide_author=True)
    return user


def _reload(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id, populate_existing=True)


def _recipients(outbox) -> list[str]:
    return sorted(message["To"] for message in outbox)


# --- email address -----------------------------------------------------------------------


@pytest.mark.parametrize("password", ["", "not the password"])
def test_changing_the_email_needs_the_current_password(client_as, parent, outbox, password):
    client = client_as(parent)
    response = client.post(
        "/settings", data={"email": "thief@example.org", "current_password": password}
    )
    assert response.status_code == 422
    assert "current password" in response.text
    assert 'value="thief@example.org"' in response.text  # what they typed is still there
    user = _reload(parent.id)
    assert user.email == "vera@example.org" and user.email_verified_at is not None
    assert outbox == []


def test_email_change_with_the_password_tells_the_old_verified_address(client_as, parent, outbox):
    client = client_as(parent)
    response = client.post(
        "/settings",
        data={"email": "Vera.New@example.org", "current_password": f.PASSWORD},
    )
    assert response.status_code == 302
    user = _reload(parent.id)
    assert user.email == "vera.new@example.org" and user.email_verified_at is None
    # The old address hears about it; the new one is not written to until verified.
    assert _recipients(outbox) == ["vera@example.org"]
    [message] = outbox
    assert "email address" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "verified_vera" in text and "/settings/sessions" in text
    assert "vera.new@example.org" not in message.as_string()
    assert message.get_body(("html",)) is not None


def test_other_settings_need_no_password_and_send_nothing(client_as, parent, outbox):
    response = client_as(parent).post(
        "/settings", data={"email": "vera@example.org", "post_anonymously": "y"}
    )
    assert response.status_code == 302
    assert _reload(parent.id).post_anonymously is True
    assert outbox == []


def test_an_unverified_old_address_is_not_written_to(client_as, outbox):
    user = f.make_user("unverified_uma", email="typo@example.org")
    response = client_as(user).post(
        "/settings", data={"email": "uma@example.org", "current_password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert outbox == []


# --- password ----------------------------------------------------------------------------


@pytest.mark.parametrize("current", ["", "not the password"])
def test_changing_the_password_needs_the_current_one(client_as, parent, outbox, current):
    client = client_as(parent)
    assert client.get("/settings/password").status_code == 200
    response = client.post(
        "/settings/password",
        data={"current_password": current, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert check_password_hash(_reload(parent.id).password_hash, f.PASSWORD)
    assert outbox == []


def test_password_change_signs_out_other_browsers_and_mails_the_member(client_as, parent, outbox):
    here, elsewhere = client_as(parent), client_as(parent)
    response = here.post(
        "/settings/password",
        data={"current_password": f.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    assert check_password_hash(_reload(parent.id).password_hash, NEW_PASSWORD)
    assert here.get("/settings").status_code == 200
    assert elsewhere.get("/settings").status_code == 302
    count = db.session.scalar(
        select(func.count()).select_from(LoginSession).where(LoginSession.user_id == parent.id)
    )
    assert count == 1
    assert _recipients(outbox) == ["vera@example.org"]
    assert "password" in outbox[0]["Subject"]


def test_password_change_refuses_a_short_or_mismatched_new_one(client_as, parent):
    client = client_as(parent)
    for new, confirm in (("short", "short"), (NEW_PASSWORD, NEW_PASSWORD + "x")):
        response = client.post(
            "/settings/password",
            data={"current_password": f.PASSWORD, "password": new, "confirm": confirm},
        )
        assert response.status_code == 422
    assert check_password_hash(_reload(parent.id).password_hash, f.PASSWORD)


def test_settings_pages_need_a_signed_in_member(client_as):
    guest = client_as()
    for path in ("/settings/password", "/settings/confirm-password", "/settings/data/export.json"):
        assert guest.get(path).headers["Location"].startswith("/login"), path
    for path in ("/settings/password", "/settings/confirm-password"):
        assert guest.post(path, data={}).headers["Location"].startswith("/login"), path


# --- password reset ------------------------------------------------------------------------


def test_reset_goes_only_to_a_verified_address_with_the_same_answer(client_as, parent, outbox):
    f.make_user("unverified_uma", email="uma@example.org")
    answers = []
    for email in ("uma@example.org", "nobody@example.org", "vera@example.org"):
        response = client_as().post(
            "/password/forgot", data={"email": email}, follow_redirects=True
        )
        answers.append((response.status_code, response.text))
    assert answers[0] == answers[1] == answers[2]
    assert _recipients(outbox) == ["vera@example.org"]


def test_a_reset_tells_the_member_their_password_changed(client_as, parent, outbox):
    client = client_as()
    client.post("/password/forgot", data={"email": "vera@example.org"})
    [reset] = outbox
    link = re.search(
        r"http://forum\.test(/password/reset/\S+)", reset.get_body(("plain",)).get_content()
    )
    response = client.post(link.group(1), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert len(outbox) == 2 and "password" in outbox[1]["Subject"]
    assert outbox[1]["To"] == "vera@example.org"


# --- the data export wants the password again --------------------------------------------------


def _confirm(client, password=f.PASSWORD, next_="/settings/data/export.json"):
    return client.post("/settings/confirm-password", data={"password": password, "next": next_})


def test_export_needs_the_password_typed_again(client_as, parent):
    client = client_as(parent)
    response = client.get("/settings/data/export.json")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/settings/confirm-password?next=/settings/data/export.json"
    )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and 'value="/settings/data/export.json"' in page.text
    # The data page asks for the password instead of offering the link.
    data_page = client.get("/settings/data").text
    assert 'name="password"' in data_page and 'href="/settings/data/export.json"' not in data_page
    wrong = _confirm(client, "not the password")
    assert wrong.status_code == 422 and "your current password" in wrong.text
    assert client.get("/settings/data/export.json").status_code == 302
    right = _confirm(client)
    assert right.status_code == 302 and right.headers["Location"] == "/settings/data/export.json"
    export = client.get("/settings/data/export.json")
    assert export.status_code == 200
    assert [p["anonymous"] for p in json.loads(export.data)["posts"]] == [True]
    assert 'href="/settings/data/export.json"' in client.get("/settings/data").text


def test_the_password_counts_for_ten_minutes_in_this_sign_in_only(client_as, parent, monkeypatch):
    client = client_as(parent)
    _confirm(client)
    assert client.get("/settings/data/export.json").status_code == 200
    # Another browser signed in to the same account has not typed it.
    assert client_as(parent).get("/settings/data/export.json").status_code == 302
    later = time.time() + 601
    monkeypatch.setattr("forum.accounts.reauth.time.time", lambda: later)
    assert client.get("/settings/data/export.json").status_code == 302


def test_signing_in_with_the_password_counts_as_typing_it(app, parent):
    client = app.test_client()
    response = client.post("/login", data={"username": "verified_vera", "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.get("/settings/data/export.json").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_confirm_never_redirects_off_site(client_as, parent, target):
    response = _confirm(client_as(parent), next_=target)
    assert response.status_code == 302 and response.headers["Location"] == "/settings"


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "5 per minute"}]
)
def test_guessing_the_current_password_is_throttled_across_forms(
    client_as, parent, config_overrides
):
    """One budget per account for every form that checks the password typed again."""
    client = client_as(parent)
    wrong = "not the password at all"
    statuses = [
        client.post("/settings/confirm-password", data={"password": wrong}).status_code,
        client.post(
            "/settings", data={"email": "x@example.org", "current_password": wrong}
        ).status_code,
        client.post(
            "/settings/password",
            data={"current_password": wrong, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ).status_code,
    ]
    statuses += [
        client.post("/settings/confirm-password", data={"password": wrong}).status_code
        for _ in range(4)
    ]
    assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429]
    # Another browser of the same account is held back too.
    assert (
        client_as(parent).post("/settings/confirm-password", data={"password": wrong}).status_code
        == 429
    )
