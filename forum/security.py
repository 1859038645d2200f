"""Response headers, safe redirects and per-viewer caching rules."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import current_user

from forum.services import UNSTORABLE_MESSAGE, has_unstorable

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def noindex_if_members_only(category) -> None:
    """Members-only categories and everything in them are never indexed, whatever the setting."""
    if not category.is_public:
        g.members_only = True


def _unstorable_input() -> bool:
    """Whether the path, query string or form holds a character no column can store."""
    if has_unstorable(request.path):
        return True
    fields = [request.args]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        fields.append(request.form)
    return any(
        has_unstorable(key) or has_unstorable(value)
        for multidict in fields
        for key, value in multidict.items(multi=True)
    )


def register(app: Flask) -> None:
    @app.before_request
    def reject_unstorable_input():
        # One guard for every route, present and future: PostgreSQL refuses NUL in text,
        # which would otherwise surface as a 500 from whichever query meets it first.
        if _unstorable_input():
            from forum.errors import render_error

            return render_error(400, UNSTORABLE_MESSAGE)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        # Pages for a signed-in member may list members-only threads: never indexed either.
        if (current_app.config.get("NOINDEX_SITE") or g.get("members_only")
                or current_user.is_authenticated):
            headers["X-Robots-Tag"] = "noindex, nofollow"
        if current_user.is_authenticated or request.method != "GET":
            # Pages for members carry per-viewer markers (e.g. "you posted this anonymously").
            headers["Cache-Control"] = "private, no-store"
            headers["Vary"] = "Cookie"
        return response
