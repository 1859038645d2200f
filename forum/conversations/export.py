"""The member's own conversations in their data export, and what deleting an account
does to them: the others keep their copy, where the member becomes "Former member"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from forum.conversations import views
from forum.conversations.models import Block, Conversation, Message, MessageSettings, Participant
from forum.extensions import db
from forum.threads.authors import AliasBook

ISO = "%Y-%m-%dT%H:%M:%SZ"


def conversations_export(user) -> list[dict[str, Any]]:
    """Every conversation of the member, the other parties named as the member saw them."""
    found = list(db.session.scalars(
        select(Conversation).join(Participant, Participant.conversation_id == Conversation.id)
        .where(Participant.user_id == user.id).order_by(Conversation.id)))
    aliases = AliasBook.for_threads(c.thread_id for c in found if c.thread_id)
    by_conversation: dict[int, list[Message]] = {}
    for message in db.session.scalars(select(Message).where(
            Message.conversation_id.in_([c.id for c in found])).order_by(Message.id)):
        by_conversation.setdefault(message.conversation_id, []).append(message)
    return [
        {
            "with": views.title(c, user, aliases),
            "started_at": c.created_at.strftime(ISO),
            "messages": [
                {"by": m.by, "sent_at": m.message.created_at.strftime(ISO),
                 "text": m.message.body}
                for m in views.message_views(c, by_conversation.get(c.id, []), user, aliases)
            ],
        }
        for c in found
    ]


def forget_member(user_id: int) -> None:
    """On account deletion: settings and blocks go; conversations stay for the others,
    no longer tied to the account. Never commits (the deletion does)."""
    db.session.execute(delete(MessageSettings).where(MessageSettings.user_id == user_id))
    db.session.execute(delete(Block).where(
        (Block.blocker_id == user_id) | (Block.blocked_id == user_id)))
    db.session.execute(update(Participant).where(Participant.user_id == user_id)
                       .values(user_id=None))
