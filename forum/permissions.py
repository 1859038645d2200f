"""Route guards for roles."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def moderator_required(view):
    """Moderators and admins only; guests are sent to sign in."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_moderator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only; guests are sent to sign in."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
