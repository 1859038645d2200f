"""Flags, the audit log, private notices to members, site settings, guideline revisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.threads.models import Post, Thread


class FlagReason(StrEnum):
    CHILD = "child"
    STAFF = "staff"
    HARASSMENT = "harassment"
    SPAM = "spam"
    CRISIS = "crisis"
    OTHER = "other"


# Label and the guidelines section (anchor on /guidelines) each reason refers to.
FLAG_REASONS: dict[FlagReason, tuple[str, str | None]] = {
    FlagReason.CHILD: ("Identifies a child or family", "section-1"),
    FlagReason.STAFF: ("Names or targets school staff", "section-2"),
    FlagReason.HARASSMENT: ("Harassment or personal attack", "section-4"),
    FlagReason.SPAM: ("Spam or advertising", "section-6"),
    FlagReason.CRISIS: ("Someone may be in crisis", "section-10"),
    FlagReason.OTHER: ("Something else", None),
}


class Flag(db.Model):
    """One member's flag on one post; open until a moderator resolves the post's flags."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("post_id", "flagger_id", name="uq_flags_post_flagger"),
        Index("ix_flags_open", "resolved_at", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    flagger_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[FlagReason] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(20))  # "dismissed" or "actioned"

    @property
    def label(self) -> str:
        return FLAG_REASONS[FlagReason(self.reason)][0]


class AuditAction(StrEnum):
    DISMISS = "dismiss"
    AUTO_HIDE = "auto_hide"
    HIDE = "hide"
    RESTORE = "restore"
    EDIT = "edit"
    DELETE = "delete"
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    MOVE = "move"
    HIDE_THREAD = "hide_thread"
    RESTORE_THREAD = "restore_thread"
    WARN = "warn"
    SUSPEND = "suspend"
    LIFT = "lift_suspension"
    BAN = "ban"
    UNBAN = "unban"
    APPROVE = "approve"
    REJECT = "reject"
    ROLE = "role_change"
    REVEAL = "reveal"
    SETTINGS = "settings"
    GUIDELINES = "guidelines"
    REDACT = "redact"
    NOTE = "note"  # a private note to the author (forum.conversations; its text stays private)


AUDIT_LABELS: dict[AuditAction, str] = {
    AuditAction.DISMISS: "Dismissed flags",
    AuditAction.AUTO_HIDE: "Hidden automatically by flags",
    AuditAction.HIDE: "Hid post",
    AuditAction.RESTORE: "Restored post",
    AuditAction.EDIT: "Edited post",
    AuditAction.DELETE: "Deleted post",
    AuditAction.LOCK: "Locked thread",
    AuditAction.UNLOCK: "Unlocked thread",
    AuditAction.PIN: "Pinned thread",
    AuditAction.UNPIN: "Unpinned thread",
    AuditAction.MOVE: "Moved thread",
    AuditAction.HIDE_THREAD: "Hid thread",
    AuditAction.RESTORE_THREAD: "Restored thread",
    AuditAction.WARN: "Warned author",
    AuditAction.SUSPEND: "Suspended author",
    AuditAction.LIFT: "Lifted suspension",
    AuditAction.BAN: "Banned author",
    AuditAction.UNBAN: "Lifted ban",
    AuditAction.APPROVE: "Approved post",
    AuditAction.REJECT: "Rejected post",
    AuditAction.ROLE: "Changed role",
    AuditAction.REVEAL: "Revealed author to an admin",
    AuditAction.SETTINGS: "Changed site settings",
    AuditAction.GUIDELINES: "Edited the guidelines",
    AuditAction.REDACT: "Redacted post (earlier versions removed)",
    AuditAction.NOTE: "Sent the author a private note",
}


class AuditEntry(db.Model):
    """One moderator or admin action. Written once, never edited or deleted.

    Actions on a post's author point at the post, never at the account: the
    log shows the author as the reader may see them (an alias if anonymous).
    `user_id` is set only when the target is a named account (role changes).
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )  # None: automatic, or the command line
    action: Mapped[AuditAction] = mapped_column(String(30), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(String(200), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise_on_sql")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    post: Mapped[Post | None] = relationship(lazy="raise_on_sql")
    thread: Mapped[Thread | None] = relationship(lazy="raise_on_sql")

    @property
    def label(self) -> str:
        return AUDIT_LABELS.get(AuditAction(self.action), self.action)


class SanctionKind(StrEnum):
    SUSPENSION = "suspension"
    BAN = "ban"


class Sanction(db.Model):
    """A suspension or ban given through one post, to whoever wrote it.

    Moderators never see an account's state, only what was given through the post
    they look at: a badge on every post of a suspended account would link its
    anonymous posts to its named ones. So each sanction belongs to the post (and
    audit entry) it was given through, and is lifted there. The account is
    suspended while any of its suspensions runs and banned while any ban stands;
    `User.suspended_until` and `User.banned_at` are kept equal to that summary
    (forum.moderation.sanctions) for the code that only asks "can this member write".
    """

    __tablename__ = "sanctions"
    __table_args__ = (
        Index("ix_sanctions_user_open", "user_id", "lifted_at"),
        Index("ix_sanctions_post", "post_id"),
        Index("ix_sanctions_entry", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # The audit entry that gave it: the log's "Lift" button finds it there.
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="SET NULL")
    )
    kind: Mapped[SanctionKind] = mapped_column(String(20))
    until: Mapped[datetime | None]  # a suspension's end; None for a ban
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    lifted_at: Mapped[datetime | None]


class NoticeKind(StrEnum):
    WARNING = "warning"  # a moderator's warning
    CRISIS = "crisis"  # someone was worried: support resources
    REVEAL = "reveal"  # an admin saw who wrote an anonymous post
    REJECTED = "rejected"  # a held post was not approved


class MemberNotice(db.Model):
    """A private message to one member, shown on their next visit until acknowledged."""

    __tablename__ = "member_notices"
    __table_args__ = (Index("ix_member_notices_open", "user_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(String(20))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    acknowledged_at: Mapped[datetime | None]

    post: Mapped[Post | None] = relationship(lazy="raise_on_sql")


class SiteSetting(db.Model):
    """A small key/value table for settings admins change at run time."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class GuidelinesRevision(db.Model):
    """A saved version of the community guidelines; the newest one is shown."""

    __tablename__ = "guidelines_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    editor: Mapped[User | None] = relationship(lazy="raise_on_sql")
