"""Reactions, the thread's most helpful reply, saved threads and posts, and drafts.

Every table here is per member and never shown inside a kept block (counts come in
through a slot), so all of them are in forum.assembly.versions.NOT_CONTENT.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db, now_utc


class ReactionKind(StrEnum):
    ME_TOO = "me_too"
    STRENGTH = "strength"
    HELPED = "helped"


REACTION_LABELS = {
    ReactionKind.ME_TOO: "Me too",
    ReactionKind.STRENGTH: "Sending strength",
    ReactionKind.HELPED: "This helped",
}


class Reaction(db.Model):
    """One member's reaction of one kind to one post. Never listed: only counted."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", "kind", name="uq_reactions_post_user_kind"),
        CheckConstraint("kind IN ('me_too', 'strength', 'helped')", name="kind"),
        Index("ix_reactions_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[ReactionKind] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class ThreadHelpful(db.Model):
    """A thread's reply with the most "This helped" marks (at least HELPFUL_MIN), kept up to
    date by every toggle so pages read one row instead of counting."""

    __tablename__ = "thread_helpful"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    marks: Mapped[int] = mapped_column(default=0)


class SavedItem(db.Model):
    """A thread or a post a member saved for later (exactly one of the two)."""

    __tablename__ = "saved_items"
    __table_args__ = (
        # NULLs are distinct: a saved post never collides with a saved thread.
        UniqueConstraint("user_id", "thread_id", name="uq_saved_items_user_thread"),
        UniqueConstraint("user_id", "post_id", name="uq_saved_items_user_post"),
        CheckConstraint("(thread_id IS NULL) <> (post_id IS NULL)", name="one_target"),
        Index("ix_saved_items_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


NEW_THREAD = "new"  # Draft.place of the new-thread composer (one per member)


def reply_place(thread_id: int) -> str:
    return f"thread:{thread_id}"


class Draft(db.Model):
    """A half-written thread or reply, kept on the server for its member only."""

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("user_id", "place", name="uq_drafts_user_place"),
        Index("ix_drafts_updated", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(40))  # NEW_THREAD or reply_place(thread_id)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    category_slug: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    hide_author: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
