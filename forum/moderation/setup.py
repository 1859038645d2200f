"""What this package lends to packages that may not import it (accounts, pages)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import exists

from forum.accounts.models import User
from forum.accounts.services import add_session_fact
from forum.moderation.guidelines import current_guidelines
from forum.moderation.models import MemberNotice


def _notices_wait():
    return exists().where(MemberNotice.user_id == User.id, MemberNotice.acknowledged_at.is_(None))


def register(app: Flask) -> None:
    # The page header shows private notices: known from the sign-in query, no query more.
    add_session_fact(app, "has_open_notices", _notices_wait)
    # /guidelines (forum.pages) shows what admins saved here.
    app.extensions["guidelines_html"] = lambda: current_guidelines()[1]
