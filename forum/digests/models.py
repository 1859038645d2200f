"""Digest preferences, thread follows and the delivery ledger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db, now_utc


class Frequency(StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


# A member with a verified address and no saved preferences gets this.
DEFAULT_FREQUENCY = Frequency.WEEKLY


class DeliveryKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    REPLIES = "replies"  # a batch of reply notifications


class DeliveryStatus(StrEnum):
    CLAIMED = "claimed"  # a run owns it and is sending (or died while sending)
    SENT = "sent"
    FAILED = "failed"  # the mail server refused it; retried up to DIGEST_MAX_ATTEMPTS


class DigestPreference(db.Model):
    """A member's saved choices; no row means the defaults (see DEFAULT_FREQUENCY)."""

    __tablename__ = "digest_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[Frequency] = mapped_column(String(10), default=DEFAULT_FREQUENCY)
    # When the digest was last switched on: the first digest covers threads from here.
    subscribed_at: Mapped[datetime | None]
    titles_in_subject: Mapped[bool] = mapped_column(default=False)
    notify_replies: Mapped[bool] = mapped_column(default=False)
    notify_since: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class DigestCategoryChoice(db.Model):
    """A member's departure from the default for one category.

    Only departures are stored, so a category created later follows the
    default (in, unless it is sensitive).
    """

    __tablename__ = "digest_category_choices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    included: Mapped[bool]


class DigestTagChoice(db.Model):
    """A tag a member asked for (by slug: tags live in another package, see tags.py)."""

    __tablename__ = "digest_tag_choices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag_slug: Mapped[str] = mapped_column(String(80), primary_key=True)


class ThreadFollow(db.Model):
    """Following a thread (following=True), or a starter's opt-out of their own thread.

    Starters follow their own threads without a row; a row with following=False
    records that they stopped.
    """

    __tablename__ = "thread_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    following: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class Delivery(db.Model):
    """One message for one member and one window, claimed before it is sent.

    The unique (user, kind, window_end) row is what keeps two runs, or two
    machines, from sending the same digest twice: see forum.digests.sending.
    """

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "window_end", name="uq_digest_deliveries_window"),
        Index("ix_digest_deliveries_kind_window", "kind", "window_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(String(10))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    status: Mapped[DeliveryStatus] = mapped_column(String(10), default=DeliveryStatus.CLAIMED)
    claimed_at: Mapped[datetime] = mapped_column(default=now_utc)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=1)
    item_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(300))
