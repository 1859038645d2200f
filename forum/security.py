"""Response headers, safe redirects and per-viewer caching rules."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import current_user

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


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        # Pages for a signed-in member may list members-only threads: never indexed either.
        if (current_app.config.get("NOINDEX_SITE") or g.get("members_only")
                or current_user.is_authenticated):
            headers["X-Robots-Tag"] = "noindex, nofollow"
        if current_user.is_authenticated or request.method != "GET":
            # Pages for members carry per-viewer markers (e.g. "you posted this anonymously").
            headers["Cache-Control"] = "private, no-store"
            headers["Vary"] = "Cookie"
        return response
