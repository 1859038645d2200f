"""What this package lends to packages that may not import it (accounts, pages)."""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import exists

from forum.accounts.models import User
from forum.accounts.services import add_session_fact
from forum.assembly import add_panel
from forum.moderation.guidelines import current_guidelines
from forum.moderation.models import MemberNotice


def _notices_wait():
    return exists().where(MemberNotice.user_id == User.id, MemberNotice.acknowledged_at.is_(None))


def banners_panel() -> Markup | None:
    """A member's private banners where a kept page frame leaves their hole
    (forum.assembly.pages): none to render for a member who is not suspended and has no
    open notice (both known from the sign-in query), which is nearly everyone."""
    if not current_user.is_authenticated or not (
        current_user.is_suspended or current_user.has_open_notices
    ):
        return None
    return Markup(render_template("moderation/_banners.html"))


def register(app: Flask) -> None:
    add_panel(app, "layout.banners", banners_panel)
    # The page header shows private notices: known from the sign-in query, no query more.
    add_session_fact(app, "has_open_notices", _notices_wait)
    # /guidelines (forum.pages) shows what admins saved here.
    app.extensions["guidelines_html"] = lambda: current_guidelines()[1]
