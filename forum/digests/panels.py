"""What this package adds to thread pages: the follow button (forum.assembly.panels)."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user
from sqlalchemy import select

from forum.assembly import add_panel, kept_part
from forum.digests.models import ThreadFollow
from forum.threads.models import Thread
from forum.threads.services import add_thread_fact


def _following(user_id: int):
    """The member's follow row for the thread page's thread (NULL: never chose)."""
    return (select(ThreadFollow.following)
            .where(ThreadFollow.thread_id == Thread.id, ThreadFollow.user_id == user_id)
            .scalar_subquery())


def follow_panel(thread: Thread, facts: dict, **_) -> str | None:
    """For members, rendered per request; their follow state came with the thread."""
    if not current_user.is_authenticated:
        return None
    following = facts.get("following")
    if following is None:  # starters follow their own threads unless they stopped
        following = thread.author_id == current_user.id
    return kept_part("digests/_follow.html", thread_id=thread.id, following=bool(following))


def register(app: Flask) -> None:
    add_thread_fact(app, "following", _following)
    add_panel(app, "thread.tools", follow_panel)
