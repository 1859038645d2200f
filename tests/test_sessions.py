"""Session cookies decoded once per worker (forum.sessions): never another request's values."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask, request, session

from forum.sessions import KeptCookieSessions


@pytest.fixture
def probe_app():
    """An app with the forum's session interface and one page that shows the session's "n"
    and, asked to, changes it."""
    app = Flask(__name__)
    app.secret_key = "a test secret, not a real one"
    app.permanent_session_lifetime = timedelta(days=30)
    app.session_interface = KeptCookieSessions()

    @app.get("/session-probe")
    def probe():
        if request.args.get("set"):
            session["n"] = int(request.args["set"])
        return str(session.get("n"))

    return app


def count_loads(app, monkeypatch) -> list:
    """Each signature check and decoding of a session cookie, from now on."""
    loads = []
    original = app.session_interface.get_signing_serializer

    def counting(app_):
        serializer = original(app_)
        real = serializer.loads
        serializer.loads = lambda *a, **k: loads.append(1) or real(*a, **k)
        return serializer

    monkeypatch.setattr(app.session_interface, "get_signing_serializer", counting)
    return loads


def test_the_forum_uses_it(app):
    assert isinstance(app.session_interface, KeptCookieSessions)


def _cookie(client, app) -> str:
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


def test_the_same_cookie_is_decoded_once_and_each_request_gets_a_copy(probe_app, monkeypatch):
    app = probe_app
    client = app.test_client()
    client.get("/session-probe?set=1")
    old = _cookie(client, app)
    loads = count_loads(app, monkeypatch)
    assert client.get("/session-probe").text == "1"
    assert client.get("/session-probe").text == "1"
    assert len(loads) == 1
    # A request that changes its session changes no one else's: the old cookie, sent by
    # another browser (or a replay), still decodes to what it holds.
    assert client.get("/session-probe?set=2").text == "2"
    other = app.test_client()
    other.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), old)
    assert other.get("/session-probe").text == "1"
    assert client.get("/session-probe").text == "2"


def test_a_kept_cookie_still_expires_and_a_forged_one_is_refused(probe_app, monkeypatch):
    app = probe_app
    client = app.test_client()
    client.get("/session-probe?set=5")
    cookie = _cookie(client, app)
    assert client.get("/session-probe").text == "5"  # kept now
    forged = app.test_client()
    forged.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie[:-2] + "xx")
    assert forged.get("/session-probe").text == "None"
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr("time.time", lambda: later)
    assert client.get("/session-probe").text == "None"


def test_a_session_with_a_nested_mark_is_kept_and_never_changed_in_place(probe_app, monkeypatch):
    """Every member who signs in through the form carries a dict ("recent_auth"): their
    cookie is decoded once too, and a request that changes the nested value in place (which
    sends no new cookie) leaves what the next request with that cookie gets untouched."""
    app = probe_app

    @app.get("/nested-probe")
    def nested():
        if request.args.get("mark"):
            session["mark"] = {"at": 1, "seen": [1]}
        if request.args.get("poke"):
            session["mark"]["seen"].append(2)
            session["mark"]["at"] = 99
        mark = session.get("mark")
        return f"{mark['at']}:{mark['seen']}" if mark else "none"

    client = app.test_client()
    client.get("/nested-probe?mark=1")
    loads = count_loads(app, monkeypatch)
    assert client.get("/nested-probe").text == "1:[1]"
    assert client.get("/nested-probe?poke=1").text == "99:[1, 2]"
    assert client.get("/nested-probe").text == "1:[1]"
    assert len(loads) == 1


def test_a_session_holding_other_objects_is_not_kept(probe_app, monkeypatch):
    """A tuple (flask's tagged serializer gives one back as a tuple) is not a plain value:
    such a cookie is decoded each time rather than shared."""
    app = probe_app

    @app.get("/tuple-probe")
    def tuple_probe():
        if request.args.get("set"):
            session["pair"] = (1, 2)
        return str(session.get("pair"))

    client = app.test_client()
    client.get("/tuple-probe?set=1")
    loads = count_loads(app, monkeypatch)
    assert client.get("/tuple-probe").text == "(1, 2)"
    assert client.get("/tuple-probe").text == "(1, 2)"
    assert len(loads) == 2
