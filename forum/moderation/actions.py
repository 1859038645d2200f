"""Moderator actions on posts and threads. Each writes exactly one audit entry, commits once.

Actions on accounts (a post's author, reveals, roles) are in forum.moderation.authors.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.models import AuditAction, AuditEntry, Flag, NoticeKind
from forum.moderation.services import add_notice, clean_reason, record, resolve_open_flags
from forum.services import ForumError, NotAllowed
from forum.threads.models import Category, Post, PostStatus, Thread
from forum.threads.services import check_body, clean_title, edit_post, post_published


def ensure_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise NotAllowed("Only moderators can do that.")


# --- posts -------------------------------------------------------------------------


def dismiss_flags(actor: User, post: Post, reason: str = "") -> int:
    """The flags were unfounded: close them and show the post again if flags hid it."""
    ensure_moderator(actor)
    reason = clean_reason(reason)
    count = resolve_open_flags(actor, post, "dismissed")
    if not count:
        db.session.rollback()
        raise ForumError("This post has no open flags.")
    if post.status == PostStatus.FLAG_HIDDEN:
        post.status = PostStatus.VISIBLE
    record(actor, AuditAction.DISMISS, post=post, reason=reason, detail=f"{count} flag(s)")
    db.session.commit()
    return count


def bulk_dismiss(actor: User, post_ids: list[int], reason: str = "") -> int:
    """Dismiss the open flags of many posts (spam waves); one audit entry per post."""
    ensure_moderator(actor)
    reason = clean_reason(reason)
    counts = dict(
        db.session.execute(
            select(Flag.post_id, func.count())
            .where(Flag.post_id.in_(post_ids), Flag.resolved_at.is_(None))
            .group_by(Flag.post_id)
        ).all()
    )
    if not counts:
        raise ForumError("None of those posts has open flags.")
    posts = db.session.scalars(select(Post).where(Post.id.in_(counts))).all()
    for post in posts:
        resolve_open_flags(actor, post, "dismissed")
        if post.status == PostStatus.FLAG_HIDDEN:
            post.status = PostStatus.VISIBLE
        detail = f"{counts[post.id]} flag(s), bulk"
        record(actor, AuditAction.DISMISS, post=post, reason=reason, detail=detail)
    db.session.commit()
    return len(posts)


def hide_post(actor: User, post: Post, reason: str = "") -> None:
    ensure_moderator(actor)
    reason = clean_reason(reason)
    if post.status in (PostStatus.HIDDEN, PostStatus.DELETED, PostStatus.HELD):
        raise ForumError(f"This post can't be hidden: it is {post.status.replace('_', ' ')}.")
    post.status = PostStatus.HIDDEN
    count = resolve_open_flags(actor, post, "actioned")
    record(actor, AuditAction.HIDE, post=post, reason=reason, detail=_flags_detail(count))
    db.session.commit()


def _deleted_by_moderator(post: Post) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).where(
                AuditEntry.post_id == post.id, AuditEntry.action == AuditAction.DELETE
            )
        )
    )


def restore_post(actor: User, post: Post, reason: str = "") -> None:
    """Show a hidden post again (a post its author deleted stays deleted)."""
    ensure_moderator(actor)
    reason = clean_reason(reason)
    restorable = post.status in (PostStatus.HIDDEN, PostStatus.FLAG_HIDDEN) or (
        post.status == PostStatus.DELETED and _deleted_by_moderator(post)
    )
    if not restorable:
        raise ForumError("Only posts hidden or deleted by moderators can be restored.")
    post.status = PostStatus.VISIBLE
    count = resolve_open_flags(actor, post, "dismissed")
    record(actor, AuditAction.RESTORE, post=post, reason=reason, detail=_flags_detail(count))
    db.session.commit()


def delete_post(actor: User, post: Post, reason: str = "") -> None:
    ensure_moderator(actor)
    reason = clean_reason(reason)
    if post.status == PostStatus.DELETED:
        raise ForumError("This post is already deleted.")
    post.status = PostStatus.DELETED
    count = resolve_open_flags(actor, post, "actioned")
    record(actor, AuditAction.DELETE, post=post, reason=reason, detail=_flags_detail(count))
    db.session.commit()


def edit_post_as_moderator(
    actor: User, post: Post, body: str, reason: str = "", title: str | None = None,
    close_flags: bool = False,
) -> None:
    """Edit a post (and a first post's thread title): the old text is kept as a revision
    marked as a moderator's edit. To erase the old text too, see forum.moderation.redaction.
    With `close_flags`, the edit answers the post's open flags in the same transaction."""
    ensure_moderator(actor)
    reason = clean_reason(reason)
    body = check_body(body)
    title = clean_title(title) if (title is not None and post.number == 1) else None
    if body == post.body and (title is None or title == post.thread.title):
        raise ForumError("The text is unchanged.")
    record(actor, AuditAction.EDIT, post=post, reason=reason)
    if close_flags:
        resolve_open_flags(actor, post, "actioned")
    try:
        # edit_post commits, and with it the audit entry above.
        edit_post(actor, post, body, title, by_moderator=True)
    except Exception:
        db.session.rollback()
        raise


def approve_post(actor: User, post: Post, reason: str = "") -> None:
    ensure_moderator(actor)
    reason = clean_reason(reason)
    if post.status != PostStatus.HELD:
        raise ForumError("This post isn't waiting for approval.")
    post.status = PostStatus.VISIBLE
    thread = post.thread
    if post.number == 1:
        thread.status = PostStatus.VISIBLE
    thread.last_activity_at = max(thread.last_activity_at, now_utc())
    record(actor, AuditAction.APPROVE, post=post, reason=reason)
    post_published.send(post)
    db.session.commit()


def reject_post(actor: User, post: Post, reason: str) -> None:
    """Keep a held post hidden; its author is told why, privately."""
    ensure_moderator(actor)
    reason = clean_reason(reason, required="Write the reason the author will see.")
    if post.status != PostStatus.HELD:
        raise ForumError("This post isn't waiting for approval.")
    post.status = PostStatus.HIDDEN
    if post.number == 1:
        post.thread.status = PostStatus.HIDDEN
    if post.author_id is not None:
        add_notice(post.author_id, NoticeKind.REJECTED, post.id, reason)
    record(actor, AuditAction.REJECT, post=post, reason=reason)
    db.session.commit()


def _flags_detail(count: int) -> str:
    return f"closed {count} flag(s)" if count else ""


# --- threads -----------------------------------------------------------------------

THREAD_SWITCHES = {
    AuditAction.LOCK: ("locked", True),
    AuditAction.UNLOCK: ("locked", False),
    AuditAction.PIN: ("pinned", True),
    AuditAction.UNPIN: ("pinned", False),
}


def switch_thread(actor: User, thread: Thread, action: AuditAction, reason: str = "") -> None:
    """Lock, unlock, pin or unpin a thread."""
    ensure_moderator(actor)
    reason = clean_reason(reason)
    attribute, value = THREAD_SWITCHES[action]
    if getattr(thread, attribute) == value:
        raise ForumError(f"The thread is already {'' if value else 'not '}{attribute}.")
    setattr(thread, attribute, value)
    record(actor, action, thread_id=thread.id, reason=reason)
    db.session.commit()


def move_thread(actor: User, thread: Thread, category: Category, reason: str = "") -> None:
    ensure_moderator(actor)
    reason = clean_reason(reason)
    if category.id == thread.category_id:
        raise ForumError("The thread is already in that category.")
    old = thread.category
    for category_id, change in ((old.id, -1), (category.id, 1)):
        db.session.execute(
            update(Category)
            .where(Category.id == category_id)
            .values(thread_count=Category.thread_count + change)
        )
    thread.category_id = category.id
    detail = f"from {old.name} to {category.name}"
    record(actor, AuditAction.MOVE, thread_id=thread.id, reason=reason, detail=detail)
    db.session.commit()
    db.session.refresh(thread)


def hide_thread(actor: User, thread: Thread, reason: str = "") -> None:
    ensure_moderator(actor)
    reason = clean_reason(reason)
    if thread.status != PostStatus.VISIBLE:
        raise ForumError("Only a visible thread can be hidden.")
    thread.status = PostStatus.HIDDEN
    record(actor, AuditAction.HIDE_THREAD, thread_id=thread.id, reason=reason)
    db.session.commit()


def restore_thread(actor: User, thread: Thread, reason: str = "") -> None:
    ensure_moderator(actor)
    reason = clean_reason(reason)
    if thread.status != PostStatus.HIDDEN:
        raise ForumError("This thread isn't hidden.")
    thread.status = PostStatus.VISIBLE
    record(actor, AuditAction.RESTORE_THREAD, thread_id=thread.id, reason=reason)
    db.session.commit()
