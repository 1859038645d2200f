"""Recent authentication: pages that want the password typed again, not just a session.

A signed-in browser is enough to read the forum as the member. It must not be
enough to download everything they ever wrote, anonymous posts included: a
borrowed phone or a stolen cookie would unmask them. A view decorated with
`recent_auth_required` runs only if the member typed their password in this
sign-in session within RECENT_AUTH_SECONDS (10 minutes); otherwise they are sent
to the password page, and back to the view afterwards.

The mark lives in the session cookie, tied to the sign-in session (signing out or
in again starts without one), and holds no secret: only when the password was typed.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user

from forum.accounts.models import User, hash_token
from forum.extensions import login_manager

SESSION_KEY = "recent_auth"
DEFAULT_SECONDS = 600


def _max_age() -> int:
    return int(current_app.config.get("RECENT_AUTH_SECONDS", DEFAULT_SECONDS))


def _sign_in_of(user: User) -> str:
    """Which sign-in session the mark belongs to (a hash of it, never the token itself)."""
    return hash_token(f"recent-auth:{user.get_id()}")[:32]


def mark_recent_auth(user: User) -> None:
    """The member just typed their password: remember when, for this sign-in session."""
    session[SESSION_KEY] = {"sign_in": _sign_in_of(user), "at": int(time.time())}


def recently_authenticated(user: User) -> bool:
    mark = session.get(SESSION_KEY)
    if not user.is_authenticated or not isinstance(mark, dict):
        return False
    at = mark.get("at")
    if mark.get("sign_in") != _sign_in_of(user) or not isinstance(at, int):
        return False
    return 0 <= time.time() - at <= _max_age()


def recent_auth_required(view):
    """Run the view only after a recent password; else ask for it and come back here.

    For GET views (a download, a page): the way back is a redirect, which can't resend a
    form. A form that needs it shows a password field instead (see mydata/index.html).
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not recently_authenticated(current_user):
            back = request.full_path if request.query_string else request.path
            return redirect(url_for("accounts.confirm_password", next=back))
        return view(*args, **kwargs)

    return wrapper
