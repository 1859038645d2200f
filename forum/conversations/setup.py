"""What this package hooks into: the sign-in query's unread count, its settings."""

from __future__ import annotations

from flask import Flask

from forum.accounts.services import add_session_fact
from forum.conversations.services import unread_expression

DEFAULTS = {
    "CONVERSATION_MIN_ACCOUNT_DAYS": 3,
    "CONVERSATION_MIN_POSTS": 2,
    "RATELIMIT_CONVERSATION_START": "5 per hour;20 per day",
    # Emails wait until a conversation has been quiet this long (it may be read on site).
    "CONVERSATION_EMAIL_QUIET_MINUTES": 10,
}


def register(app: Flask) -> None:
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    # The header's "Messages (2)": loaded by the sign-in query itself, no query more.
    add_session_fact(app, "unread_conversations", unread_expression)
