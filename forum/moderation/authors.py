"""Actions on accounts: a post's author (seen only as that post's author), reveals, roles.

Each use case writes exactly one audit entry and commits once.

A moderator acting on the author of an anonymous post gets the same answer whoever
the author is, member, moderator or admin: anonymous posts are moderated like any
member's, so a warning, suspension or ban through one applies to a staff account
too (an admin lifts it from the post or the audit entry if it was a mistake). The
one refusal that depends on the account is kept for named posts, where the author's
name is on the page anyway: only an admin acts on a moderator's or admin's account.
The one sanctioned path from an anonymous post to an account is an admin's reveal.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from forum.accounts.models import SUSPENDED_INDEFINITELY, LoginSession, Role, User
from forum.extensions import db, now_utc
from forum.moderation import sanctions
from forum.moderation.actions import ensure_moderator
from forum.moderation.models import (
    AuditAction,
    AuditEntry,
    NoticeKind,
    Sanction,
    SanctionKind,
)
from forum.moderation.services import add_notice, clean_reason, record, resolve_open_flags
from forum.services import ForumError, NotAllowed, NotFound
from forum.threads.models import Post

SUSPENSION_DAYS = (1, 3, 7, 30)
REVEAL_REASON_MIN = 10


def _author_of(actor: User, post: Post) -> User:
    """The account behind a post, if this actor may act on it (see the module docstring)."""
    ensure_moderator(actor)
    if post.author_id is None:
        raise ForumError("This post's author has left the forum.")
    if post.author_id == actor.id:
        raise NotAllowed("You can't use this on your own account.")
    author = db.session.get(User, post.author_id)
    if not post.hide_author and author.is_moderator and not actor.is_admin:
        raise NotAllowed("Only an admin can act on a moderator's or admin's account.")
    return author


def warn_author(actor: User, post: Post, message: str, close_flags: bool = False) -> None:
    """A private warning the author sees on their next visit and acknowledges; with
    `close_flags`, it also answers the post's open flags, in the same transaction."""
    author = _author_of(actor, post)
    message = clean_reason(message, required="Write the warning the author will see.")
    add_notice(author.id, NoticeKind.WARNING, post.id, message)
    record(actor, AuditAction.WARN, post=post, reason=message)
    if close_flags:
        resolve_open_flags(actor, post, "actioned")
    db.session.commit()


def suspend_author(actor: User, post: Post, days: int | None, reason: str) -> None:
    """Suspend for 1, 3, 7 or 30 days, or (days=None) until a moderator lifts it.

    Accepted whatever the account already has (another suspension, a ban): refusing
    "the author is banned" would tell the moderator about the account.
    """
    author = _author_of(actor, post)
    reason = clean_reason(reason, required="Write the reason the author will see.")
    if days is not None and days not in SUSPENSION_DAYS:
        raise ForumError("Choose 1, 3, 7 or 30 days, or until lifted.")
    until = SUSPENDED_INDEFINITELY if days is None else now_utc() + timedelta(days=days)
    detail = "until lifted" if days is None else f"{days} day{'s' if days != 1 else ''}"
    entry = record(actor, AuditAction.SUSPEND, post=post, reason=reason, detail=detail)
    sanctions.give(author, post.id, entry, SanctionKind.SUSPENSION, reason, until)
    db.session.commit()


def lift_suspension(actor: User, post: Post, reason: str = "") -> None:
    """Lift the suspension given through this post (others the account has stay)."""
    author = _author_of(actor, post)
    reason = clean_reason(reason)
    running = sanctions.running_through(post.id, SanctionKind.SUSPENSION)
    sanctions.lift(author, running, SanctionKind.SUSPENSION)
    record(actor, AuditAction.LIFT, post=post, reason=reason)
    db.session.commit()


def ban_author(actor: User, post: Post, reason: str) -> None:
    """Ban the author: they can't sign in, and every browser they use is signed out."""
    author = _author_of(actor, post)
    reason = clean_reason(reason, required="Write the reason for the ban.")
    if sanctions.running_through(post.id, SanctionKind.BAN):
        raise ForumError("The author is already banned through this post.")
    entry = record(actor, AuditAction.BAN, post=post, reason=reason)
    sanctions.give(author, post.id, entry, SanctionKind.BAN, reason)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == author.id))
    db.session.commit()


def unban_author(actor: User, post: Post, reason: str = "") -> None:
    """Lift the ban given through this post (the account stays banned if another stands)."""
    author = _author_of(actor, post)
    reason = clean_reason(reason)
    sanctions.lift(author, sanctions.running_through(post.id, SanctionKind.BAN), SanctionKind.BAN)
    record(actor, AuditAction.UNBAN, post=post, reason=reason)
    db.session.commit()


LIFTS = {AuditAction.SUSPEND: AuditAction.LIFT, AuditAction.BAN: AuditAction.UNBAN}


def lift_from_entry(actor: User, entry_id: int, reason: str = "") -> AuditEntry:
    """Lift the suspension or ban an audit entry gave, without learning whose it is.

    The same checks as acting from the entry's post; returns the entry.
    """
    ensure_moderator(actor)
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.action not in LIFTS:
        raise NotFound("No such suspension or ban.")
    reason = clean_reason(reason)
    post = db.session.get(Post, entry.post_id) if entry.post_id is not None else None
    if post is not None:
        author = _author_of(actor, post)
    elif not actor.is_admin:
        raise NotAllowed("Its post is gone: only an admin can lift it.")
    running = _running_from(entry)
    if post is None:
        author = db.session.get(User, running[0].user_id) if running else None
    kind = SanctionKind.SUSPENSION if entry.action == AuditAction.SUSPEND else SanctionKind.BAN
    sanctions.lift(author, running, kind)
    record(
        actor,
        LIFTS[AuditAction(entry.action)],
        post=post,
        reason=reason,
        detail=f"from the log entry of {entry.created_at:%b %-d, %Y}",
    )
    db.session.commit()
    return entry


def lift_everything(user: User, reason: str) -> int:
    """The command line's way back in (e.g. the only admin, banned through an anonymous post).

    Every suspension and ban in force is lifted, each logged against the post it was
    given through (never against the account); returns how many.
    """
    reason = clean_reason(reason)
    now = now_utc()
    running = [
        s
        for s in db.session.scalars(
            select(Sanction).where(Sanction.user_id == user.id, Sanction.lifted_at.is_(None))
        )
        if s.kind == SanctionKind.BAN or s.until > now
    ]
    for sanction in running:
        post = db.session.get(Post, sanction.post_id) if sanction.post_id is not None else None
        action = AuditAction.LIFT if sanction.kind == SanctionKind.SUSPENSION else AuditAction.UNBAN
        sanctions.lift(user, [sanction], SanctionKind(sanction.kind))
        record(None, action, post=post, reason=reason, detail="command line")
    db.session.commit()
    return len(running)


def _running_from(entry: AuditEntry) -> list[Sanction]:
    now = now_utc()
    return [
        s
        for s in db.session.scalars(select(Sanction).where(Sanction.entry_id == entry.id))
        if s.lifted_at is None and (s.kind == SanctionKind.BAN or s.until > now)
    ]


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
        add_notice(author.id, NoticeKind.REVEAL, post.id)
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
