"""Accounts through the real forms: register, sign in and out, reset, settings, CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import LoginSession, User
from forum.extensions import db, now_utc
from tests import factories as f


def register(client, username="new_parent", password="a long enough pass", **extra):
    data = {"username": username, "password": password, "confirm": password, "agree": "y", **extra}
    return client.post("/register", data=data)


def test_register_creates_account_and_signs_in(client, app):
    response = register(client, email="Parent@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    db.session.remove()
    user = db.session.scalar(select(User).where(User.username == "new_parent"))
    assert user.email == "parent@example.org"
    method = app.config["PASSWORD_HASH_METHOD"] or "scrypt"
    assert user.password_hash.startswith(method.split(":")[0] + ":")
    page = client.get("/settings")
    assert page.status_code == 200


def test_register_form_explains_pseudonym_and_email(client):
    page = client.get("/register").get_data(as_text=True)
    assert "Pick a pseudonym, not your real name" in page
    assert "Never shown to anyone" in page


@pytest.mark.parametrize(
    "username,password,message",
    [
        ("ab", "a long enough pass", "Field must be between 3 and 30"),
        ("anonymous_parent", "a long enough pass", "reserved"),
        ("new_parent", "short", "at least 10 characters"),
        ("bad name!", "a long enough pass", "letters, digits"),
    ],
)
def test_register_rejects_bad_input_and_keeps_it(client, username, password, message):
    response = register(client, username=username, password=password)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert f'value="{username}"' in text.replace("&#39;", "'")
    assert db.session.scalar(select(User).where(User.username == username)) is None


def test_register_requires_guidelines(client):
    response = client.post(
        "/register", data={"username": "xyz_parent", "password": "x" * 12, "confirm": "x" * 12}
    )
    assert "Please read and accept the guidelines." in response.get_data(as_text=True)


def test_duplicate_username_is_case_insensitive(client, app):
    f.make_user("Heron_Mom")
    response = register(client, username="heron_mom")
    assert "That name is taken" in response.get_data(as_text=True)


def test_login_and_logout_with_real_form(client, app):
    f.make_user("river_dad")
    response = client.post("/login", data={"username": "river_dad", "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.get("/settings").status_code == 200
    client.post("/logout")
    assert client.get("/settings").status_code == 302


def test_failed_login_same_message_for_unknown_and_wrong_password(client, app):
    f.make_user("river_dad")
    wrong = client.post("/login", data={"username": "river_dad", "password": "not the password"})
    unknown = client.post(
        "/login", data={"username": "nobody_here", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 422
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "don&#39;t match an account" in strip(wrong)


def test_banned_member_cannot_log_in(client, app):
    from forum.extensions import now_utc

    f.make_user("banned_one", banned_at=now_utc())
    response = client.post("/login", data={"username": "banned_one", "password": f.PASSWORD})
    assert response.status_code == 422
    assert "banned" in response.get_data(as_text=True)


def _session_cookie(client, name="session"):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


@pytest.mark.parametrize("remember", [False, True])
def test_logout_then_replayed_cookie_is_refused(app, remember):
    f.make_user("river_dad")
    client = app.test_client()
    data = {"username": "river_dad", "password": f.PASSWORD}
    if remember:
        data["remember"] = "y"
    client.post("/login", data=data)
    stolen = {name: _session_cookie(client, name) for name in ("session", "remember_token")}
    assert client.get("/settings").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    for name, value in stolen.items():
        if value:
            thief.set_cookie(name, value)
    assert thief.get("/settings").status_code == 302
    # The remember cookie alone (a fresh browser with only it) is refused too.
    if remember:
        only_remember = app.test_client()
        only_remember.set_cookie("remember_token", stolen["remember_token"])
        assert only_remember.get("/settings").status_code == 302


def test_sessions_page_and_sign_out_everywhere(app, login):
    user = f.make_user("two_devices")
    user_id = user.id
    phone, laptop = login(app.test_client(), user), login(app.test_client(), user)
    assert phone.get("/settings/sessions").status_code == 200
    phone.post("/settings/sessions/end-others")
    assert laptop.get("/settings").status_code == 302
    assert phone.get("/settings").status_code == 200
    phone.post("/settings/sessions/end-all")
    assert phone.get("/settings").status_code == 302
    assert db.session.scalar(select(LoginSession).where(LoginSession.user_id == user_id)) is None


def test_password_reset_flow_single_use(client, app, outbox):
    f.make_user("reset_me", email="reset@example.org", email_verified_at=now_utc())
    response = client.post("/password/forgot", data={"email": "reset@example.org"})
    assert response.status_code == 302
    assert len(outbox) == 1
    body = outbox[0].get_body(("plain",)).get_content()
    link = re.search(r"http://forum\.test(/password/reset/\S+)", body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(
        link, data={"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/login", data={"username": "reset_me", "password": "a brand new password"}
        ).status_code
        == 302
    )
    # Single use: the same link no longer works.
    again = client.post(
        link, data={"password": "another new password", "confirm": "another new password"}
    )
    assert again.headers["Location"].endswith("/password/forgot")


def test_forgot_password_same_reply_for_unknown_address(client, app, outbox):
    f.make_user("reset_me", email="reset@example.org", email_verified_at=now_utc())
    known = client.post(
        "/password/forgot", data={"email": "reset@example.org"}, follow_redirects=True
    )
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(outbox) == 1


def test_expired_or_forged_reset_token_refused(client, app, monkeypatch):
    user = f.make_user("reset_me", email="reset@example.org")
    from forum.accounts.services import make_reset_token

    token = make_reset_token(user)
    assert client.get(f"/password/reset/{token}x").status_code == 302
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(f"/password/reset/{token}").headers["Location"].endswith("/password/forgot")


def test_reset_link_uses_base_url_not_host_header(client, app, outbox):
    f.make_user("reset_me", email="reset@example.org", email_verified_at=now_utc())
    client.post(
        "/password/forgot", data={"email": "reset@example.org"}, headers={"Host": "evil.example"}
    )
    body = outbox[0].get_body(("plain",)).get_content()
    assert "http://forum.test/password/reset/" in body
    assert "evil.example" not in body


def test_settings_saves_default_anonymity_and_email(client_as, app):
    user = f.make_user("settings_user")
    user_id = user.id
    client = client_as(user)
    response = client.post(
        "/settings",
        data={"email": "new@example.org", "post_anonymously": "y", "current_password": f.PASSWORD},
    )
    assert response.status_code == 302
    db.session.remove()
    user = db.session.get(User, user_id)
    assert user.post_anonymously and user.email == "new@example.org"


def test_cli_create_user_reads_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "first_admin",
            "--role",
            "admin",
            "--email",
            "a@example.org",
        ],
        input="a strong admin password\n",
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "accounts",
            "create-user",
            "scripted",
            "--role",
            "moderator",
            "--password",
            "another long password",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.remove()
    admin = db.session.scalar(select(User).where(User.username == "first_admin"))
    assert admin.is_admin and admin.email == "a@example.org"
    assert db.session.scalar(select(User).where(User.username == "scripted")).is_moderator
    bad = runner.invoke(args=["accounts", "create-user", "weak", "--password", "short"])
    assert bad.exit_code != 0 and "at least 10" in bad.output


def test_cli_set_role(app):
    f.make_user("promote_me")
    result = app.test_cli_runner().invoke(args=["accounts", "set-role", "promote_me", "moderator"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(select(User).where(User.username == "promote_me")).is_moderator
