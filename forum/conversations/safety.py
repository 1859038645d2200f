"""Blocking, message settings and reporting a message to the moderators."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.conversations import views
from forum.conversations.models import (
    Block,
    Conversation,
    ConversationKind,
    Message,
    MessageSettings,
    Report,
)
from forum.extensions import db, now_utc
from forum.services import NotFound
from forum.threads.authors import AliasBook

BLOCKED = ("Blocked. They can't start a conversation with you or reply to yours. "
           "You can undo this in your message settings.")


def settings_of(user: User) -> MessageSettings:
    return db.session.get(MessageSettings, user.id) or MessageSettings(
        user_id=user.id, only_known=False, email_notify=True, email_text=False)


def save_settings(user: User, *, only_known: bool, email_text: bool,
                  email_notify: bool = True) -> None:
    row = db.session.get(MessageSettings, user.id)
    if row is None:
        row = MessageSettings(user_id=user.id)
        db.session.add(row)
    row.only_known, row.email_text, row.email_notify = only_known, email_text, email_notify
    db.session.commit()


def block_others(user: User, conversation: Conversation) -> None:
    """Block everyone else in a member conversation, as the blocker sees them.

    Always one new row per party, even when the account is already blocked under
    another name or alias: the outcome must not depend on who is behind an alias.
    """
    if conversation.kind != ConversationKind.MEMBERS:
        raise NotFound("No such conversation.")
    mine = views.own_participant(conversation, user)
    if mine is None:
        raise NotFound("No such conversation.")
    aliases = AliasBook.for_threads([conversation.thread_id] if conversation.thread_id else [])
    for other in conversation.participants:
        if other is mine or other.user_id is None:
            continue
        label = views.party(other, conversation, aliases).label
        db.session.add(Block(blocker_id=user.id, blocked_id=other.user_id, label=label))
    db.session.commit()


def blocks_of(user: User) -> list[Block]:
    return list(db.session.scalars(select(Block).where(Block.blocker_id == user.id)
                                   .order_by(Block.id.desc())))


def unblock(user: User, block_id: int) -> None:
    block = db.session.get(Block, block_id)
    if block is None or block.blocker_id != user.id:
        raise NotFound("No such block.")
    db.session.delete(block)
    db.session.commit()


def reportable(user: User, conversation: Conversation, message_id: int) -> Message:
    """A message someone else wrote in the member's conversation."""
    mine = views.own_participant(conversation, user)
    message = db.session.get(Message, message_id)
    if (mine is None or message is None or conversation.kind != ConversationKind.MEMBERS
            or message.conversation_id != conversation.id or message.participant_id == mine.id):
        raise NotFound("No such message.")
    return message


def report_message(user: User, conversation: Conversation, message: Message,
                   reason: str) -> Report:
    """Moderators get the message and the parties as the reporter saw them, nothing else."""
    aliases = AliasBook.for_threads([conversation.thread_id] if conversation.thread_id else [])
    by = {p.id: p for p in conversation.participants}
    mine = views.own_participant(conversation, user)
    sender = (views.MODERATORS if message.participant_id is None
              else views.party(by[message.participant_id], conversation, aliases).label)
    report = Report(message_id=message.id, reporter_id=user.id, sender_label=sender,
                    reporter_label=views.party(mine, conversation, aliases).label,
                    reason=reason.strip())
    db.session.add(report)
    db.session.commit()
    return report


def open_reports() -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.resolved_at.is_(None))
                                   .order_by(Report.id)))


def get_report(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    return report


def resolve_report(report: Report) -> None:
    report.resolved_at = now_utc()
    db.session.commit()
