"""Private conversations: participants, messages, blocks, reports and message settings.

A participant may be *masked*: shown to everyone else in the conversation as their
alias in the conversation's thread ("Anonymous parent · Heron"), never by username,
until they choose to reveal it. Nothing here is ever shown in a kept block.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.extensions import db, now_utc


class ConversationKind(StrEnum):
    MEMBERS = "members"  # between members
    MODERATORS = "moderators"  # a note from "The moderators" to one member


def _user_fk(ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey("users.id", ondelete=ondelete)


class Conversation(db.Model):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConversationKind] = mapped_column(String(20), default=ConversationKind.MEMBERS)
    # The thread it was started from: masked participants show as their alias there.
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_message_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="conversation", lazy="selectin", order_by="Participant.id"
    )


class Participant(db.Model):
    __tablename__ = "conversation_participants"
    __table_args__ = (Index("ix_conversation_participants_user_read", "user_id", "last_read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # None once the account is deleted: the others keep their copy ("Former member").
    user_id: Mapped[int | None] = mapped_column(_user_fk("SET NULL"))
    masked: Mapped[bool] = mapped_column(default=False)  # shown as their alias in the thread
    revealed: Mapped[bool] = mapped_column(default=False)  # chose to show their username
    last_read_at: Mapped[datetime] = mapped_column(default=now_utc)
    # When the member was last emailed about unread messages here (forum.conversations.emails).
    emailed_at: Mapped[datetime | None]

    conversation: Mapped[Conversation] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def hidden(self) -> bool:
        return self.masked and not self.revealed


class Message(db.Model):
    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_messages_conv", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # The writing participant; None for a note from the moderators.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_participants.id", ondelete="CASCADE")
    )
    # The moderator who wrote a note (never shown to the member; for the audit trail).
    moderator_id: Mapped[int | None] = mapped_column(_user_fk("SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The first message from someone the recipients had not talked with: links as text.
    first_contact: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class MessageSettings(db.Model):
    """A member's message preferences (a row only once they change a default)."""

    __tablename__ = "message_settings"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    only_known: Mapped[bool] = mapped_column(default=False)  # only people I've talked with
    email_notify: Mapped[bool] = mapped_column(default=True)  # an email about unread messages
    email_text: Mapped[bool] = mapped_column(default=False)  # emails may include the text


class Block(db.Model):
    """A member blocks an account, possibly one they only know as an alias.

    Not unique per (blocker, blocked) on purpose: blocking an alias of an account
    already blocked by name must look exactly like any other block.
    """

    __tablename__ = "message_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    blocked_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    # How the blocker saw them: a username, or an alias in a thread (shown in their list).
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class Report(db.Model):
    """A message reported to the moderators by a participant."""

    __tablename__ = "message_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(_user_fk("SET NULL"))
    # The parties as the reporter saw them when reporting (never resolved again).
    sender_label: Mapped[str] = mapped_column(String(200))
    reporter_label: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    resolved_at: Mapped[datetime | None]

    message: Mapped[Message] = relationship(lazy="joined")
