"""Notifications, per-thread read marks and each member's notification settings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db, now_utc
from forum.threads.models import Post, Thread


class Kind(StrEnum):
    REPLY = "reply"  # a reply in a thread you started or follow
    QUOTE = "quote"  # a post quoting yours
    MENTION = "mention"  # @your_username
    REACTION = "reaction"  # reactions on your post (grouped, counts only)
    NOTE = "note"  # a moderator's warning or note, a held post not approved
    FLAG = "flag"  # a moderator reviewed a post you flagged
    REVEAL = "reveal"  # an admin saw who wrote your anonymous post


class Notification(db.Model):
    """One line of a member's notifications; unread ones with the same group key grow
    (`count`) instead of adding lines.

    The actor is never stored as a name: `actor_post_id` is the post whose author
    acted, shown through display_author when the list is read, so an anonymous
    author appears under their alias in that thread and a post switched to anonymous
    later is shown anonymously too.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        Index("ix_notifications_recipient_updated", "recipient_id", "updated_at", "id"),
        Index("ix_notifications_group", "recipient_id", "group_key", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(String(20))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    # Where opening it jumps to (the first of a group).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # The post whose author acted (the latest of a group); None: no one is named.
    actor_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL")
    )
    count: Mapped[int] = mapped_column(default=1)
    group_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    read_at: Mapped[datetime | None]

    thread: Mapped[Thread | None] = relationship(lazy="raise_on_sql")
    post: Mapped[Post | None] = relationship(foreign_keys=[post_id], lazy="raise_on_sql")
    actor_post: Mapped[Post | None] = relationship(
        foreign_keys=[actor_post_id], lazy="raise_on_sql"
    )


class ThreadRead(db.Model):
    """The highest post number a member has had on screen in a thread."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_number: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(default=now_utc)


class NotificationSetting(db.Model):
    """A member's choices, and when their previous visit began ("new since your last
    visit"); a missing row means the defaults."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    mentions: Mapped[bool] = mapped_column(default=True)
    visit_started_at: Mapped[datetime | None]
    previous_visit_at: Mapped[datetime | None]
