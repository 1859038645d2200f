"""What this package adds to thread pages: the follow button (forum.assembly.panels)."""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import current_user

from forum.assembly import add_panel
from forum.digests.services import is_following
from forum.threads.models import Thread


def follow_panel(thread: Thread) -> str | None:
    """For members, rendered per request (one query: their follow state)."""
    if not current_user.is_authenticated:
        return None
    return render_template("digests/_follow.html", thread=thread,
                           following=is_following(current_user, thread))


def register(app: Flask) -> None:
    add_panel(app, "thread.tools", follow_panel)
