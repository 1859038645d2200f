"""Headers, cookies, redirects, CSRF, error pages and production settings."""

from __future__ import annotations

import re
import secrets

import pytest

from forum.security import safe_next
from tests import factories as f
from tests.routes_util import build, param_values, rules

EVIL_NEXT = [
    "//evil.example", "/\\evil.example", "https:evil.example", "%2F%2Fevil.example",
    "javascript:alert(1)", "https://site@evil.example", "http://evil.example", "/%09/evil.example",
    "\t//evil.example", "/\x00//evil.example", "///evil.example", "https://forum.test.evil.example/",
]


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/no-such-page", "/static/forum.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                     "frame-ancestors 'none'"):
            assert part in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_pages(client_as, world):
    client = client_as(world["author"])
    for path in ("/", f"/threads/{world['named'].id}", "/threads/new", "/settings", "/register"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_next_never_leaves_the_site(client, app, target):
    f.make_user("redirect_me")
    response = client.post("/login", data={"username": "redirect_me", "password": f.PASSWORD,
                                           "next": target})
    if "\x00" in target:  # a NUL byte is refused before anything runs
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil" not in location or location.startswith("/%")


def test_next_keeps_local_paths():
    assert safe_next("/threads/3?page=2") == "/threads/3?page=2"
    assert safe_next(None) == "/"


def test_error_pages_use_layout_without_traceback(client, app, monkeypatch):
    from forum.threads import services

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "recent_threads", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body and "secret internals" not in body
    assert "Traceback" not in body
    assert 'class="site-header"' in body
    not_found = client.get("/does-not-exist")
    assert not_found.status_code == 404 and "Page not found" in not_found.get_data(as_text=True)


def test_database_outage_gives_friendly_503(client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from forum.threads import services

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(services, "recent_threads", down)
    response = client.get("/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}], indirect=False)
def test_csrf_enforced_on_every_post_route(app, client_as, world, config_overrides):
    """Every POST route refuses a request without a CSRF token, and changes nothing."""
    values = param_values(thread=world["named"], post=f.first_post(world["named"]),
                          category=world["public"], user=world["author"])
    client = client_as(world["admin"])
    from forum.extensions import csrf

    checked = 0
    for rule in rules(app, "POST"):
        view = app.view_functions[rule.endpoint]
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            continue  # e.g. RFC 8058 one-click unsubscribe, authorised by its signed token
        response = client.post(build(rule, values), data={"body": "x", "title": "xxxxxx"})
        assert response.status_code == 400, rule.rule
        assert "form expired" in response.get_data(as_text=True), rule.rule
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_token_from_the_form_works(app, client_as, world, config_overrides):
    client = client_as(world["member"])
    page = client.get(f"/threads/{world['named'].id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/threads/{world['named'].id}/reply",
                           data={"body": "with token", "csrf_token": token})
    assert response.status_code == 302
    other = client_as(world["author"])
    foreign = other.post(f"/threads/{world['named'].id}/reply",
                         data={"body": "foreign", "csrf_token": token})
    assert foreign.status_code == 400


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_on_login_form(app, client, config_overrides):
    f.make_user("csrf_login")
    response = client.post("/login", data={"username": "csrf_login", "password": f.PASSWORD})
    assert response.status_code == 400


def test_member_pages_are_private_guest_pages_are_not(client_as, world):
    assert client_as(world["member"]).get("/").headers["Cache-Control"] == "private, no-store"
    assert "no-store" not in client_as().get("/").headers.get("Cache-Control", "")


def test_production_refuses_weak_secret_and_debug(monkeypatch):
    from config import ProductionConfig
    from forum import create_app

    weak = type("Weak", (ProductionConfig,), {"SECRET_KEY": "short", "DATABASE_URL": "sqlite://"})
    with pytest.raises(RuntimeError, match="FORUM_SECRET_KEY"):
        create_app(weak)
    long_but_constant = type("Constant", (ProductionConfig,),
                             {"SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://"})
    with pytest.raises(RuntimeError, match="FORUM_SECRET_KEY"):
        create_app(long_but_constant)
    key = secrets.token_urlsafe(48)
    debug = type("Debug", (ProductionConfig,),
                 {"SECRET_KEY": key, "DEBUG": True, "DATABASE_URL": "sqlite://"})
    with pytest.raises(RuntimeError, match="debug"):
        create_app(debug)
    good = create_app(type("Good", (ProductionConfig,), {"SECRET_KEY": key, "DATABASE_URL": "sqlite://"}))
    assert good.config["SESSION_COOKIE_SECURE"] and good.config["REMEMBER_COOKIE_SECURE"]
    assert (good.config["SESSION_COOKIE_HTTPONLY"]
            and good.config["SESSION_COOKIE_SAMESITE"] == "Lax")


def test_config_from_prefixed_env(monkeypatch, tmp_path):
    from forum import create_app

    monkeypatch.setenv("FORUM_ENV", "development")
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("FORUM_MAIL_PORT", "2525")
    monkeypatch.setenv("FORUM_BASE_URL", "https://parents.example")
    app = create_app()
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["BASE_URL"] == "https://parents.example"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    monkeypatch.setenv("FORUM_ENV", "nonsense")
    with pytest.raises(RuntimeError):
        create_app()

