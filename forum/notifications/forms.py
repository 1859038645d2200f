"""Notification forms: input shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField


class NotificationSettingsForm(FlaskForm):
    mentions = BooleanField(
        "Tell me when someone mentions me with @",
        description="Mentions show on your notifications page. Replies, quotes and "
        "reactions always do.",
    )
