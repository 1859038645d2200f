"""Site settings admins change at run time, and the approval rules they switch on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.models import AuditAction, SiteSetting
from forum.moderation.services import clean_reason, record
from forum.services import Conflict, ForumError, NotAllowed
from forum.text import render_markdown
from forum.threads.models import Post, PostStatus
from forum.threads.services import post_submitted

NEW_ACCOUNT_AGE = timedelta(hours=24)
HOLD_FIRST_POSTS = "hold_first_posts"
HOLD_NEW_ACCOUNT_LINKS = "hold_new_account_links"
SETTINGS: dict[str, str] = {
    HOLD_FIRST_POSTS: "Hold an account's first post, and its first anonymous post, "
    "until a moderator approves it",
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
    try:
        rows = {
            row.key: row
            for row in db.session.scalars(select(SiteSetting).where(SiteSetting.key.in_(changed)))
        }
        for key in changed:
            row = rows.get(key) or SiteSetting(key=key)
            row.value = "1" if values.get(key) else "0"
            db.session.add(row)
        detail = ", ".join(f"{key} {'on' if values.get(key) else 'off'}" for key in changed)
        record(admin, AuditAction.SETTINGS, reason=reason, detail=detail)
        db.session.commit()
    except IntegrityError as exc:  # the first save of a setting, sent twice at once
        db.session.rollback()
        raise Conflict(
            "These settings were saved by another request at the same moment. "
            "Reload the page to see what they are now."
        ) from exc


def has_link(body: str) -> bool:
    """Whether the post would show a link once rendered (Markdown links and bare URLs)."""
    return "<a " in str(render_markdown(body))


@post_submitted.connect
def hold_for_approval(
    author: User, body: str, first_post: bool = False, hide_author: bool = False,
    editing: int | None = None,
) -> bool:
    """Apply the approval settings to a new thread or reply, or to an edit of post
    `editing`, judged without that post: an account whose only approved post is the
    one it edits is still held.

    Moderators' named posts are never held. An anonymous post meets the same rules
    whoever wrote it (exempting staff would tell moderators that a held anonymous
    post's author is a member), and "first post" counts posts of the same kind: a
    held anonymous post says nothing about the account's named posts, and a named
    first post is held whatever the account wrote anonymously before. The link rule
    is about the account's age by design: a held anonymous post with a link tells a
    moderator the account is less than a day old, no more.
    """
    if author.is_moderator and not hide_author:
        return False
    settings = load_settings()
    approved = [Post.author_id == author.id, Post.status == PostStatus.VISIBLE]
    if editing is not None:
        approved.append(Post.id != editing)
    if settings[HOLD_FIRST_POSTS] and not db.session.scalar(
        select(func.count()).where(*approved, Post.hide_author == hide_author)
    ):
        return True
    return bool(
        settings[HOLD_NEW_ACCOUNT_LINKS]
        and author.created_at > now_utc() - NEW_ACCOUNT_AGE
        and has_link(body)
    )
