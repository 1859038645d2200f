"""Categories, threads, posts and post revisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from forum.accounts.models import User
from forum.extensions import db, now_utc


class Visibility(StrEnum):
    PUBLIC = "public"  # guests may read
    MEMBERS = "members"  # guests see that it exists, never its threads


class AnonymousPolicy(StrEnum):
    ALLOW = "allow"
    FORBID = "forbid"
    REQUIRE = "require"


class PostStatus(StrEnum):
    VISIBLE = "visible"
    HELD = "held"  # waiting for a moderator's approval
    FLAG_HIDDEN = "flag_hidden"  # hidden automatically while moderators review flags
    HIDDEN = "hidden"  # hidden by a moderator
    DELETED = "deleted"  # removed by its author or a moderator; replies stay


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[Visibility] = mapped_column(String(20), default=Visibility.PUBLIC)
    anonymous_policy: Mapped[AnonymousPolicy] = mapped_column(
        String(20), default=AnonymousPolicy.ALLOW
    )
    # Sensitive categories are left out of digests unless a member opts in.
    sensitive: Mapped[bool] = mapped_column(default=False)
    thread_count: Mapped[int] = mapped_column(default=0)

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class Thread(db.Model):
    __tablename__ = "threads"
    # Both thread lists end their ORDER BY with id: with it in the index, no sort step.
    __table_args__ = (
        Index("ix_threads_category_activity", "category_id", "pinned", "last_activity_at", "id"),
        Index("ix_threads_activity", "last_activity_at", "id"),
        # Feeds and digests list threads by creation time: a feed reads its 30 rows.
        Index("ix_threads_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    hide_author: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_activity_at: Mapped[datetime] = mapped_column(default=now_utc)
    # Posts ever written here (numbering and counts); replies = post_count - 1.
    post_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[PostStatus] = mapped_column(String(20), default=PostStatus.VISIBLE)
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    # Optional story details (forum.resources, issue 5); None means "prefer not to say".
    state: Mapped[str | None] = mapped_column(String(2))
    school_stage: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(30))
    # When the author last answered or put off "how did it turn out?".
    outcome_checked_at: Mapped[datetime | None]

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def is_visible(self) -> bool:
        return self.status == PostStatus.VISIBLE


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "number", name="uq_posts_thread_number"),
        UniqueConstraint("author_id", "idempotency_key", name="uq_posts_author_idempotency"),
        # A thread's members in first-post order (AliasBook) from the index alone.
        Index("ix_posts_thread_authors", "thread_id", "author_id", "id"),
        # Search: a match's thread and status from the index alone, not the post's row
        # with its body (forum.resources.search; 1,000 matches in 1.8 ms against 3.5).
        Index("ix_posts_search", "id", "thread_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the thread's first post
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    hide_author: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(String(20), default=PostStatus.VISIBLE)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    edited_at: Mapped[datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(64))

    thread: Mapped[Thread] = relationship(lazy="raise_on_sql")
    author: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def is_visible(self) -> bool:
        return self.status == PostStatus.VISIBLE


# The opening post's status, loaded with every thread (one index lookup on
# uq_posts_thread_number per row, in the same statement): a thread whose opening post
# is out of sight loses its title too (forum.threads.titles). Also usable in WHERE.
Thread.opening_status = column_property(
    select(Post.status)
    .where(Post.thread_id == Thread.id, Post.number == 1)
    .correlate_except(Post)
    .scalar_subquery()
)


class PostRevision(db.Model):
    """The text of a post before each edit; the author is never stored by name."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by_moderator: Mapped[bool] = mapped_column(default=False)
    # A marker left by a moderator's redaction in place of every earlier version: its
    # body and title are empty (see forum.moderation.redaction).
    redacted: Mapped[bool] = mapped_column(default=False, server_default=false())
    title: Mapped[str | None] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
