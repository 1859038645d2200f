"""Conversations for the hostile tables: made on first use, kept in the world dict."""

from __future__ import annotations

from sqlalchemy import select

from forum.conversations import notes, safety, services
from forum.conversations.models import Block, Message
from forum.extensions import db


def _first_message(conversation) -> Message:
    return db.session.scalar(select(Message).where(Message.conversation_id == conversation.id)
                             .order_by(Message.id))


def conversations_of(w) -> dict:
    """member -> author (its message reported by the author), member -> admin, a block
    each for the member and the admin, and a note from the moderators to the author."""
    if "convos" not in w:
        member_convo = services.start_conversation(
            w["member"], "Hello from the member.", recipient=w["author"])
        admin_convo = services.start_conversation(
            w["member"], "Hello admin, from the member.", recipient=w["admin"])
        message = _first_message(member_convo)
        report = safety.report_message(w["author"], member_convo, message, "Unkind.")
        safety.block_others(w["admin"], admin_convo)
        safety.block_others(w["member"], member_convo)
        blocks = {b.blocker_id: b for b in db.session.scalars(select(Block))}
        note = notes.send_note(w["moderator"], w["anon_post"], "Thinking of you.", [])
        w["convos"] = {
            "member_convo": member_convo, "admin_convo": admin_convo,
            "member_message": message, "admin_message": _first_message(admin_convo),
            "report": report, "admin_block": blocks[w["admin"].id],
            "member_block": blocks[w["member"].id], "note": note,
        }
    return w["convos"]
