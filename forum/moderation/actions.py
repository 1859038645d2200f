"""Moderator and admin actions. Each use case writes exactly one audit entry and commits once.

Actions on a post's author go through the post: the moderator never handles
the account itself, so an anonymous author stays an alias to them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update

from forum.accounts.models import SUSPENDED_INDEFINITELY, LoginSession, Role, User
from forum.extensions import db, now_utc
from forum.moderation.models import AuditAction, AuditEntry, Flag, MemberNotice, NoticeKind
from forum.moderation.services import clean_reason, record, resolve_open_flags
from forum.services import ForumError, NotAllowed
from forum.threads.models import Category, Post, PostStatus, Thread
from forum.threads.services import check_body, edit_post

SUSPENSION_DAYS = (1, 3, 7, 30)
REVEAL_REASON_MIN = 10


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
    db.session.execute(
        update(Flag)
        .where(Flag.post_id.in_(counts), Flag.resolved_at.is_(None))
        .values(resolved_at=now_utc(), resolved_by_id=actor.id, resolution="dismissed")
    )
    for post in posts:
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


def edit_post_as_moderator(actor: User, post: Post, body: str, reason: str = "") -> None:
    """Redact a post: the old text is kept as a revision marked as a moderator's edit."""
    ensure_moderator(actor)
    reason = clean_reason(reason)
    body = check_body(body)
    if body == post.body:
        raise ForumError("The text is unchanged.")
    record(actor, AuditAction.EDIT, post=post, reason=reason)
    try:
        edit_post(actor, post, body, by_moderator=True)  # commits the audit entry with it
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
        db.session.add(MemberNotice(user_id=post.author_id, kind=NoticeKind.REJECTED,
                                    post_id=post.id, message=reason))
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


# --- a post's author (seen only as the post's author) -----------------------------------


def _author_of(actor: User, post: Post) -> User:
    ensure_moderator(actor)
    if post.author_id is None:
        raise ForumError("This post's author has left the forum.")
    if post.author_id == actor.id:
        raise NotAllowed("You can't use this on your own account.")
    author = db.session.get(User, post.author_id)
    if author.is_moderator and not actor.is_admin:
        raise NotAllowed("Only an admin can act on this account.")
    return author


def warn_author(actor: User, post: Post, message: str) -> None:
    """A private warning the author sees on their next visit and acknowledges."""
    author = _author_of(actor, post)
    message = clean_reason(message, required="Write the warning the author will see.")
    db.session.add(MemberNotice(user_id=author.id, kind=NoticeKind.WARNING, post_id=post.id,
                                message=message))
    record(actor, AuditAction.WARN, post=post, reason=message)
    db.session.commit()


def suspend_author(actor: User, post: Post, days: int | None, reason: str) -> None:
    """Suspend for 1, 3, 7 or 30 days, or (days=None) until a moderator lifts it."""
    author = _author_of(actor, post)
    reason = clean_reason(reason, required="Write the reason the author will see.")
    if days is not None and days not in SUSPENSION_DAYS:
        raise ForumError("Choose 1, 3, 7 or 30 days, or until lifted.")
    if author.is_banned:
        raise ForumError("The author is banned.")
    author.suspended_until = (
        SUSPENDED_INDEFINITELY if days is None else now_utc() + timedelta(days=days)
    )
    author.suspension_reason = reason
    detail = "until lifted" if days is None else f"{days} day{'s' if days != 1 else ''}"
    record(actor, AuditAction.SUSPEND, post=post, reason=reason, detail=detail)
    db.session.commit()


def lift_suspension(actor: User, post: Post, reason: str = "") -> None:
    author = _author_of(actor, post)
    reason = clean_reason(reason)
    if author.suspended_until is None or author.suspended_until <= now_utc():
        raise ForumError("The author isn't suspended.")
    author.suspended_until = None
    author.suspension_reason = None
    record(actor, AuditAction.LIFT, post=post, reason=reason)
    db.session.commit()


def ban_author(actor: User, post: Post, reason: str) -> None:
    """Ban the author: they can't sign in, and every browser they use is signed out."""
    author = _author_of(actor, post)
    reason = clean_reason(reason, required="Write the reason for the ban.")
    if author.is_banned:
        raise ForumError("The author is already banned.")
    author.banned_at = now_utc()
    author.ban_reason = reason
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == author.id))
    record(actor, AuditAction.BAN, post=post, reason=reason)
    db.session.commit()


def unban_author(actor: User, post: Post, reason: str = "") -> None:
    author = _author_of(actor, post)
    reason = clean_reason(reason)
    if not author.is_banned:
        raise ForumError("The author isn't banned.")
    author.banned_at = None
    author.ban_reason = None
    record(actor, AuditAction.UNBAN, post=post, reason=reason)
    db.session.commit()


def reveal_author(admin: User, post: Post, reason: str, *, tell_author: bool = True) -> User:
    """Show an admin who wrote an anonymous post. The log keeps why, never who."""
    if not admin.is_admin:
        raise NotAllowed("Only an admin can see who wrote an anonymous post.")
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ForumError(f"Write why you need to know (at least {REVEAL_REASON_MIN} characters).")
    reason = clean_reason(reason)
    if not post.hide_author:
        raise ForumError("This post isn't anonymous.")
    if post.author_id is None:
        raise ForumError("This post's author has left the forum.")
    author = db.session.get(User, post.author_id)
    if tell_author:
        db.session.add(MemberNotice(user_id=author.id, kind=NoticeKind.REVEAL, post_id=post.id))
    detail = "author told" if tell_author else "author not told: safety investigation"
    record(admin, AuditAction.REVEAL, post=post, reason=reason, detail=detail)
    db.session.commit()
    return author


# --- roles ---------------------------------------------------------------------------


def change_role(actor: User | None, user: User, role: str, reason: str = "") -> None:
    """Promote or demote an account; actor None is the command line."""
    if actor is not None and not actor.is_admin:
        raise NotAllowed("Only admins change roles.")
    if actor is not None and actor.id == user.id:
        raise NotAllowed("Ask another admin to change your own role.")
    try:
        role = Role(role)
    except ValueError as exc:
        raise ForumError("Choose member, moderator or admin.") from exc
    reason = clean_reason(reason)
    if user.role == role:
        raise ForumError(f"{user.username} is already {role.value}.")
    old = Role(user.role)
    user.role = role
    record(actor, AuditAction.ROLE, user=user, reason=reason, detail=f"{old.value} → {role.value}")
    db.session.commit()
