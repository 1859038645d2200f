"""Who a viewer sees in a conversation: the one place that names its parties.

A masked participant is shown to everyone else as their alias in the conversation's
thread, resolved here at render time, never stored; a note's writer is always
"The moderators". Labels never carry an account id, a profile link for a masked
party, or anything that differs by the account behind an alias.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup, escape

from forum.conversations.models import Conversation, ConversationKind, Message, Participant
from forum.threads.authors import ALIAS_PREFIX, FORMER_MEMBER, AliasBook

MODERATORS = "The moderators"


@dataclass(frozen=True)
class Party:
    label: str
    hidden: bool = False  # an alias
    profile_url: str | None = None


def party(participant: Participant, conversation: Conversation, aliases: AliasBook) -> Party:
    """A participant as the others in the conversation see them."""
    user = participant.user
    if user is None or user.is_deleted:
        return Party(FORMER_MEMBER)
    if participant.hidden:
        if conversation.thread_id is None:
            return Party(ALIAS_PREFIX, hidden=True)
        word = aliases.alias(conversation.thread_id, user.id)
        return Party(f"{ALIAS_PREFIX} · {word}", hidden=True)
    return Party(user.username, profile_url=url_for("threads.profile", username=user.username))


def own_participant(conversation: Conversation, viewer) -> Participant | None:
    if not viewer.is_authenticated:
        return None
    return next((p for p in conversation.participants if p.user_id == viewer.id), None)


def others(conversation: Conversation, viewer, aliases: AliasBook) -> list[Party]:
    """Everyone the viewer talks with, as the viewer sees them."""
    mine = own_participant(conversation, viewer)
    parties = [party(p, conversation, aliases) for p in conversation.participants if p is not mine]
    if conversation.kind == ConversationKind.MODERATORS and mine is not None:
        parties.insert(0, Party(MODERATORS))
    return parties


def title(conversation: Conversation, viewer, aliases: AliasBook) -> str:
    return ", ".join(p.label for p in others(conversation, viewer, aliases)) or "Just you"


@dataclass
class MessageView:
    message: Message
    by: str  # "You", a party's label or "The moderators"
    mine: bool
    html: Markup


def message_html(message: Message) -> Markup:
    """The text; a first message from a new contact shows its links as plain text."""
    if message.first_contact and message.participant_id is not None:
        paragraphs = [p for p in message.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return Markup("").join(
            Markup('<p class="message__plain">{}</p>').format(escape(p)) for p in paragraphs
        )
    return Markup(message.body_html)


def message_views(conversation: Conversation, messages: list[Message], viewer,
                  aliases: AliasBook) -> list[MessageView]:
    mine = own_participant(conversation, viewer)
    by_id = {p.id: p for p in conversation.participants}
    views = []
    for message in messages:
        if message.participant_id is None:
            label, is_mine = MODERATORS, False
        elif mine is not None and message.participant_id == mine.id:
            label, is_mine = "You", True
        else:
            writer = by_id[message.participant_id]
            label, is_mine = party(writer, conversation, aliases).label, False
        views.append(MessageView(message, label, is_mine, message_html(message)))
    return views
