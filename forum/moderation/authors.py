"""Actions on accounts: a post's author (seen only as that post's author), reveals, roles.

Each use case writes exactly one audit entry and commits once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from forum.accounts.models import SUSPENDED_INDEFINITELY, LoginSession, Role, User
from forum.extensions import db, now_utc
from forum.moderation.actions import ensure_moderator
from forum.moderation.models import AuditAction, MemberNotice, NoticeKind
from forum.moderation.services import clean_reason, record
from forum.services import ForumError, NotAllowed
from forum.threads.models import Post

SUSPENSION_DAYS = (1, 3, 7, 30)
REVEAL_REASON_MIN = 10


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
    db.session.add(
        MemberNotice(user_id=author.id, kind=NoticeKind.WARNING, post_id=post.id, message=message)
    )
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
