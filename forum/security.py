"""Response headers, safe redirects and per-viewer caching rules."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from forum.services import UNSTORABLE_MESSAGE, has_unstorable

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def csrf_token() -> str:
    """The request's signed CSRF token (flask_wtf's generate_csrf), signed once per session
    token and worker rather than once per request: with WTF_CSRF_TIME_LIMIT None a signed
    token never expires, so the one signed first for this session is as good as a new one,
    and signing was about a twentieth of a signed-in page. The `csrf_token()` of every
    template; code asks here too."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    memo = current_app.extensions.get("signed_csrf")
    if memo is None or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    raw = session.get(field)
    if field not in g and isinstance(raw, str):
        signed = memo.get(raw)
        if signed is not None:
            setattr(g, field, signed)  # generate_csrf gives what g holds
            return signed
    token = generate_csrf()
    memo.put(session[field], token)
    return token


def unlimited_reads(app: Flask) -> frozenset[str]:
    """The endpoints that no rate limit applies to on GET and HEAD, read once per app from
    the limiter's own records (a limit added to a route is seen): for those the limiter is
    not consulted at all, which was about a fortieth of a signed-in page."""
    from flask_limiter.util import get_qualified_name

    from forum.extensions import limiter

    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits:
        return frozenset()
    free = set()
    for endpoint, view in app.view_functions.items():
        limits = list(manager.decorated_limits(get_qualified_name(view)))
        blueprint = endpoint.rpartition(".")[0]
        if blueprint:
            limits += manager.blueprint_limits(app, blueprint)
        if all(limit.methods and not {"get", "head"} & set(limit.methods) for limit in limits):
            free.add(endpoint)
    return frozenset(free)


def read_without_limits() -> bool:
    """Flask-Limiter's request filter (forum.extensions): True skips every limit for this
    request."""
    if request.method not in ("GET", "HEAD"):
        return False
    free = current_app.extensions.get("unlimited_reads")
    if free is None:
        free = current_app.extensions["unlimited_reads"] = unlimited_reads(current_app)
    return request.endpoint in free


def skip_limiter_on_free_reads(app: Flask) -> None:
    """Flask-Limiter's before-request check is not called at all for a read no limit
    applies to (its request filter alone still left the check about a thirtieth of a
    signed-in page and a fifteenth of the bell's count). Its after-request hook then finds
    no limit in this request's context, as when the filter skips it. A limit added to a
    route later is seen (unlimited_reads reads the limiter's records)."""
    from forum.extensions import limiter

    hooks = app.before_request_funcs.get(None, [])
    for index, hook in enumerate(hooks):
        if getattr(hook, "__self__", None) is limiter:

            def check_limits(hook=hook):
                return None if read_without_limits() else hook()

            hooks[index] = check_limits


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
    from forum.assembly.blocks import LRU

    app.extensions["signed_csrf"] = LRU(20000)  # session tokens seen by this worker
    app.jinja_env.globals["csrf_token"] = csrf_token
    # Flask-WTF also puts its own in every template's context: this one comes after it.
    app.context_processor(lambda: {"csrf_token": csrf_token})
    skip_limiter_on_free_reads(app)

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
