"""Flask's signed-cookie sessions, each cookie decoded once per worker.

A member's browser sends the same session cookie with every page until the
session changes; checking its signature and decoding it was about a
twenty-fifth of a signed-in page. The decoded values are kept under the whole
cookie string (its signature included: only that exact cookie gets them), until
the cookie is older than the session lifetime, and only for sessions of plain
values (and dicts and lists of them, such as the "recent password" mark every
member who signs in through the form carries), copied for each request, nested
ones too: no request sees another's changes.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

_PLAIN = (str, int, float, bool, type(None))


def _plain(value, depth: int = 0) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if depth >= 3:
        return False
    if type(value) is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if type(value) is list:
        return all(_plain(v, depth + 1) for v in value)
    return False


def _copy(value):
    """A copy no request can change the kept values through (dicts and lists copied too)."""
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


class KeptCookieSessions(SecureCookieSessionInterface):
    def __init__(self, size: int = 20000):
        from forum.assembly.blocks import LRU

        self._kept = LRU(size)  # cookie -> (values, until): thread-safe

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return super().open_session(app, request)
        kept = self._kept.get(cookie)
        if kept is not None and kept[1] > time.time():
            return self.session_class(_copy(kept[0]))
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if type(data) is dict and _plain(data):
            self._kept.put(cookie, (_copy(data), signed_at.timestamp() + max_age))
        return self.session_class(data)


def register(app: Flask) -> None:
    app.session_interface = KeptCookieSessions()
