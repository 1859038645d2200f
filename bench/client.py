"""A small HTTP client for the benchmark: cookies, CSRF tokens scraped from forms, real sign-in.

The production config marks cookies Secure; the benchmark talks plain HTTP to
127.0.0.1, so this client keeps cookies itself instead of using a cookie jar
that would (rightly) refuse to send them.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Browser:
    """One visitor: a keep-alive connection per server and a cookie store."""

    cookies: dict[str, str] = field(default_factory=dict)
    _conns: dict[int, http.client.HTTPConnection] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
    ) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a server may close an idle keep-alive connection
            conn = self._conns.get(port) or http.client.HTTPConnection(
                "127.0.0.1", port, timeout=60
            )
            self._conns[port] = conn
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self._conns.pop(port, None)
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                self._conns.pop(port, None)
            self._store_cookies(response.msg.get_all("Set-Cookie") or [])
            return Reply(
                response.status, {k.lower(): v for k, v in response.getheaders()}, data, elapsed
            )
        raise AssertionError("unreachable")

    def get(self, port: int, path: str, **kw) -> Reply:
        return self.request(port, "GET", path, **kw)

    def post(self, port: int, path: str, form: dict, **kw) -> Reply:
        return self.request(port, "POST", path, form=form, **kw)

    def _store_cookies(self, values: list[str]) -> None:
        for value in values:
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()


def csrf_token(html: bytes) -> str:
    match = CSRF_RE.search(html.decode("utf-8", "replace"))
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def sign_in(port: int, username: str, password: str) -> Browser:
    """A browser signed in through the real login form (CSRF token and all)."""
    browser = Browser()
    page = browser.get(port, "/login")
    reply = browser.post(
        port,
        "/login",
        {
            "csrf_token": csrf_token(page.body),
            "username": username,
            "password": password,
            "next": "",
        },
    )
    if reply.status != 302:
        raise RuntimeError(f"sign-in as {username} failed: HTTP {reply.status}")
    return browser
