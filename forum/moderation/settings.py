"""Site settings admins change at run time, and the approval rules they switch on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.models import AuditAction, SiteSetting
from forum.moderation.services import clean_reason, record
from forum.services import ForumError, NotAllowed
from forum.text import render_markdown
from forum.threads.models import Post, PostStatus
from forum.threads.services import post_submitted

NEW_ACCOUNT_AGE = timedelta(hours=24)
HOLD_FIRST_POSTS = "hold_first_posts"
HOLD_NEW_ACCOUNT_LINKS = "hold_new_account_links"
SETTINGS: dict[str, str] = {
    HOLD_FIRST_POSTS: "Hold the first post of every new account until a moderator approves it",
    HOLD_NEW_ACCOUNT_LINKS: "Hold posts with links from accounts younger than 24 hours",
}


def load_settings() -> dict[str, bool]:
    stored = dict(db.session.execute(select(SiteSetting.key, SiteSetting.value)).all())
    return {key: stored.get(key) == "1" for key in SETTINGS}


def save_settings(admin: User, values: dict[str, bool], reason: str = "") -> None:
    if not admin.is_admin:
        raise NotAllowed("Only admins change site settings.")
    reason = clean_reason(reason)
    current = load_settings()
    changed = [key for key in SETTINGS if bool(values.get(key)) != current[key]]
    if not changed:
        raise ForumError("Nothing changed.")
    for key in changed:
        row = db.session.get(SiteSetting, key) or SiteSetting(key=key)
        row.value = "1" if values.get(key) else "0"
        db.session.add(row)
    detail = ", ".join(f"{key} {'on' if values.get(key) else 'off'}" for key in changed)
    record(admin, AuditAction.SETTINGS, reason=reason, detail=detail)
    db.session.commit()


def has_link(body: str) -> bool:
    """Whether the post would show a link once rendered (Markdown links and bare URLs)."""
    return "<a " in str(render_markdown(body))


@post_submitted.connect
def hold_for_approval(
    author: User, body: str, first_post: bool = False, editing: int | None = None
) -> bool:
    """Apply the approval settings to a new thread or reply, or to an edit of post
    `editing`, judged without that post: an account whose only approved post is the
    one it edits is still held (moderators are never held)."""
    if author.is_moderator:
        return False
    settings = load_settings()
    approved = [Post.author_id == author.id, Post.status == PostStatus.VISIBLE]
    if editing is not None:
        approved.append(Post.id != editing)
    if settings[HOLD_FIRST_POSTS] and not db.session.scalar(
        select(func.count()).where(*approved)
    ):
        return True
    return bool(
        settings[HOLD_NEW_ACCOUNT_LINKS]
        and author.created_at > now_utc() - NEW_ACCOUNT_AGE
        and has_link(body)
    )
