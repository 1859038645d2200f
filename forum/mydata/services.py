"""Deleting an account: the member's choice for their posts, then a tombstone.

The user row stays (without name, email or password) because anonymous
aliases are derived from the user id and moderation records point at it.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash

from forum.accounts.models import Role, User
from forum.accounts.services import erase_identity
from forum.conversations.export import forget_member
from forum.engage.memberdata import delete_engagement_of
from forum.extensions import db
from forum.notebook.services import delete_notebooks_of
from forum.services import ForumError
from forum.text import render_markdown
from forum.threads.authors import FORMER_MEMBER
from forum.threads.models import Post, PostRevision, PostStatus, Thread

REMOVED_TITLE = "Removed thread"


class WrongPassword(ForumError):
    """The confirmation password did not match."""


def delete_account(user: User, password: str, *, delete_posts: bool) -> None:
    """Delete the member's account, with or without their posts, in one transaction."""
    if not check_password_hash(user.password_hash, password or ""):
        raise WrongPassword("That password isn't right. Your account is unchanged.")
    if user.is_admin and _admin_count() <= 1:
        raise ForumError("You're the only admin. Make another member admin first.")
    old_name = user.username
    own_posts = select(Post.id).where(Post.author_id == user.id)
    # Earlier versions hold the member's words: gone in both modes.
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(own_posts)))
    if delete_posts:
        _erase_posts(user)
    _unname_quotes(old_name)
    delete_notebooks_of(user.id)  # private records go with the account, whatever the choice
    forget_member(user.id)  # the others keep their conversations, with a "Former member"
    delete_engagement_of(user.id)  # drafts and saved items too
    erase_identity(user)
    db.session.commit()


def _admin_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User)
        .where(User.role == Role.ADMIN, User.deleted_at.is_(None))
    )


def _erase_posts(user: User) -> None:
    """Every post removed and its text erased; threads they started lose their title."""
    db.session.execute(
        update(Post).where(Post.author_id == user.id)
        .values(status=PostStatus.DELETED, body="", body_html="", idempotency_key=None)
    )
    started = select(Thread.id).where(Thread.author_id == user.id)
    others_wrote = (
        select(Post.thread_id).where(Post.thread_id.in_(started), Post.author_id != user.id)
    )
    # Other parents' replies stay readable under a neutral title; empty threads go.
    db.session.execute(update(Thread).where(Thread.id.in_(started)).values(title=REMOVED_TITLE))
    db.session.execute(
        update(Thread)
        .where(Thread.id.in_(started), Thread.id.not_in(others_wrote))
        .values(status=PostStatus.DELETED)
    )


def _unname_quotes(old_name: str) -> None:
    """Quotes of the member's named posts ("name wrote:") now say "Former member wrote:"."""
    header = re.compile(rf"^{re.escape(old_name)} wrote:$", re.MULTILINE)
    needle = f"{old_name} wrote:"
    for post in db.session.scalars(select(Post).where(Post.body.contains(needle, autoescape=True))):
        body = header.sub(f"{FORMER_MEMBER} wrote:", post.body)
        if body != post.body:
            post.body, post.body_html = body, str(render_markdown(body))
    for revision in db.session.scalars(
        select(PostRevision).where(PostRevision.body.contains(needle, autoescape=True))
    ):
        revision.body = header.sub(f"{FORMER_MEMBER} wrote:", revision.body)
