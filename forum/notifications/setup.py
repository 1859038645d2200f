"""How notifications hook into the rest: signals, the session fact, slots and panels."""

from __future__ import annotations

from flask import Flask

from forum.accounts.services import add_session_fact
from forum.assembly import add_panel, add_slot
from forum.notifications import reads, services
from forum.notifications.models import NotificationSetting
from forum.threads.services import add_thread_fact, post_published, reaction_added


def register(app: Flask) -> None:
    # Signals are global: connect once per process (weak=False: module functions stay).
    post_published.connect(services.on_post_published, weak=False)
    reaction_added.connect(_on_reaction, weak=False)
    from forum.moderation.services import flags_resolved, notice_added

    notice_added.connect(services.on_notice, weak=False)
    flags_resolved.connect(services.on_flags_resolved, weak=False)
    # The bell's count comes with the sign-in query: no query more on any page.
    add_session_fact(app, "unread_notifications", services.unread_count_expression)
    add_session_fact(app, "visit_started_at",
                     reads.visit_fact(NotificationSetting.visit_started_at))
    add_session_fact(app, "previous_visit_at",
                     reads.visit_fact(NotificationSetting.previous_visit_at))
    add_thread_fact(app, "last_read", reads.last_read_fact)
    add_panel(app, "thread.tools", reads.thread_viewed, order=90)
    add_panel(app, "home.top", reads.new_since_panel, order=5)
    add_slot(app, "unread", reads.unread_slot)


def _on_reaction(post, member_id: int, kind: str = "", **_) -> None:
    services.note_reaction(post, member_id, kind)
