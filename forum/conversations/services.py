"""Starting conversations, replying, read state and revealing a username.

Every use case commits once. Refusals that concern a masked (anonymous) party say
the same thing whatever the reason, so a refusal never tells the sender anything
about the account behind an alias.
"""

from __future__ import annotations

from datetime import timedelta

from blinker import Namespace
from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.conversations.models import (
    Block,
    Conversation,
    ConversationKind,
    Message,
    MessageSettings,
    Participant,
)
from forum.extensions import db, now_utc
from forum.services import ForumError, NotFound, has_unstorable
from forum.text import render_markdown
from forum.threads.models import Post, PostStatus

_signals = Namespace()
# sender=the Message, conversation=, recipient_ids= (members to tell); sent before the
# commit: receivers add rows to the session and never commit (like post_published).
message_sent = _signals.signal("message-sent")

MAX_BODY = 5000
CLOSED_TO_ANONYMOUS = "This parent can't receive messages from you right now."
CLOSED = "This member isn't accepting messages from you."


class Refused(ForumError):
    """The message can't be sent; the text is safe to show the sender."""


def check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Refused("Please write a message.")
    if len(body) > MAX_BODY or has_unstorable(body):
        raise Refused(f"A message can't be longer than {MAX_BODY} characters or hold "
                      "characters that can't be saved.")
    return body


def post_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Post).where(
            Post.author_id == user.id, Post.status == PostStatus.VISIBLE)
    )


def may_start(user) -> str | None:
    """Why `user` can't start conversations yet (None: they can)."""
    if not user.is_authenticated or user.is_suspended:
        return "Your account can't start conversations right now."
    if user.is_moderator:
        return None
    days = current_app.config["CONVERSATION_MIN_ACCOUNT_DAYS"]
    posts = current_app.config["CONVERSATION_MIN_POSTS"]
    if user.created_at > now_utc() - timedelta(days=days) or post_count(user) < posts:
        return (f"New members can start private conversations once their account is {days} "
                f"days old and they have written {posts} posts. You can reply in the forum "
                "meanwhile, and answer anyone who writes to you.")
    return None


def has_blocked(blocker_id: int, blocked_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Block.blocker_id == blocker_id, Block.blocked_id == blocked_id))))


def talked_with(member_id: int, other_id: int) -> bool:
    """Whether `member_id` has written to `other_id` while shown by username.

    Only conversations where the member was not masked count, so a message that gets
    through because of this tells the sender nothing they did not already know.
    """
    mine, theirs = aliased(Participant), aliased(Participant)
    return bool(db.session.scalar(select(exists().where(
        mine.user_id == member_id,
        (mine.masked.is_(False)) | mine.revealed.is_(True),
        theirs.conversation_id == mine.conversation_id,
        theirs.user_id == other_id,
        Message.participant_id == mine.id,
    ))))


def only_known(user_id: int) -> bool:
    return bool(db.session.scalar(select(MessageSettings.only_known).where(
        MessageSettings.user_id == user_id)))


def has_posted_in(user: User, thread_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Post.thread_id == thread_id, Post.author_id == user.id))))


def _check_recipient(sender: User, recipient: User | None, masked: bool) -> None:
    refusal = CLOSED_TO_ANONYMOUS if masked else CLOSED
    if recipient is None or recipient.is_deleted or recipient.is_banned:
        raise Refused(refusal)
    if has_blocked(recipient.id, sender.id):
        raise Refused(refusal)
    if only_known(recipient.id) and not talked_with(recipient.id, sender.id):
        raise Refused(refusal)


def start_conversation(sender: User, body: str, *, recipient: User | None = None,
                       post: Post | None = None, as_alias: bool = False) -> Conversation:
    """A new conversation with a member (from a profile) or a post's author (masked
    when the post is anonymous); the sender may write as their alias in that thread."""
    body = check_body(body)
    reason = may_start(sender)
    if reason:
        raise Refused(reason)
    masked = False
    thread_id = None
    if post is not None:
        recipient = db.session.get(User, post.author_id) if post.author_id else None
        masked, thread_id = post.hide_author, post.thread_id
    if recipient is not None and recipient.id == sender.id:
        raise Refused("That's you.")
    if as_alias and (thread_id is None or not has_posted_in(sender, thread_id)):
        raise Refused("You can write as your alias only in a thread you have posted in.")
    _check_recipient(sender, recipient, masked)
    now = now_utc()
    conversation = Conversation(kind=ConversationKind.MEMBERS, thread_id=thread_id,
                                created_at=now, last_message_at=now)
    mine = Participant(user_id=sender.id, masked=as_alias, last_read_at=now)
    theirs = Participant(user_id=recipient.id, masked=masked, last_read_at=now - timedelta(0, 1))
    conversation.participants = [mine, theirs]
    db.session.add(conversation)
    db.session.flush()
    add_message(conversation, mine, body, [recipient.id], now)
    db.session.commit()
    return conversation


def add_message(conversation: Conversation, writer: Participant | None, body: str,
                 recipient_ids: list[int], now, moderator_id: int | None = None) -> Message:
    """Add the message (links as text until someone else has written) and tell receivers."""
    answered = writer is None or bool(db.session.scalar(select(exists().where(
        Message.conversation_id == conversation.id,
        (Message.participant_id != writer.id) | Message.participant_id.is_(None),
    ))))
    message = Message(conversation_id=conversation.id,
                      participant_id=writer.id if writer else None, moderator_id=moderator_id,
                      body=body, body_html=str(render_markdown(body)),
                      first_contact=not answered, created_at=now)
    db.session.add(message)
    db.session.flush()
    message_sent.send(message, conversation=conversation, recipient_ids=recipient_ids)
    return message


def get_conversation(conversation_id: int, viewer) -> Conversation:
    """The conversation if the viewer takes part in it (moderators: their notes too)."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not viewer.is_authenticated:
        raise NotFound("No such conversation.")
    if any(p.user_id == viewer.id for p in conversation.participants):
        return conversation
    if conversation.kind == ConversationKind.MODERATORS and viewer.is_moderator:
        return conversation
    raise NotFound("No such conversation.")


def messages_of(conversation: Conversation) -> list[Message]:
    return list(db.session.scalars(select(Message).where(
        Message.conversation_id == conversation.id).order_by(Message.id)))


def _participant(conversation: Conversation, user) -> Participant | None:
    return next((p for p in conversation.participants if p.user_id == user.id), None)


def reply(user: User, conversation: Conversation, body: str) -> Message:
    """A reply by a participant, or by a moderator in a note ("The moderators")."""
    body = check_body(body)
    writer = _participant(conversation, user)
    if writer is None and not user.is_moderator:
        raise NotFound("No such conversation.")
    if user.is_suspended and conversation.kind != ConversationKind.MODERATORS:
        raise Refused("Your account can't send messages right now.")
    recipients = [p for p in conversation.participants if p is not writer and p.user_id]
    if writer is not None and conversation.kind == ConversationKind.MEMBERS:
        if not recipients or any(has_blocked(p.user_id, user.id) for p in recipients):
            raise Refused("They aren't accepting messages from you in this conversation.")
    now = now_utc()
    message = add_message(conversation, writer, body, [p.user_id for p in recipients], now,
                           moderator_id=None if writer else user.id)
    conversation.last_message_at = now
    if writer is not None:
        writer.last_read_at = now
    db.session.commit()
    return message


def mark_read(conversation: Conversation, user) -> None:
    """The participant has seen everything up to now (nothing to write when they had)."""
    mine = _participant(conversation, user)
    if mine is not None and mine.last_read_at < conversation.last_message_at:
        db.session.execute(update(Participant).where(Participant.id == mine.id)
                           .values(last_read_at=now_utc()))
        db.session.commit()


def reveal(user: User, conversation: Conversation) -> None:
    """Show the member's username to the others in this conversation (cannot be undone)."""
    mine = _participant(conversation, user)
    if mine is None:
        raise NotFound("No such conversation.")
    mine.revealed = True
    db.session.commit()


UNREAD_CAP = 100  # the header shows "99+" beyond; the count never reads more rows


def unread_expression():
    """Conversations with a message the member has not seen, up to UNREAD_CAP: a session
    fact, loaded by the sign-in query (no query more)."""
    unread = (
        select(Participant.id)
        .join(Conversation, Conversation.id == Participant.conversation_id)
        .where(Participant.user_id == User.id,
               Conversation.last_message_at > Participant.last_read_at)
        .correlate(User)
        .limit(UNREAD_CAP)
        .subquery()
    )
    return select(func.count()).select_from(unread).scalar_subquery()


def conversations_for(user: User, page: int):
    """The member's conversations, latest first, with whether each has unread messages."""
    stmt = (
        select(Conversation, Participant.last_read_at)
        .join(Participant, Participant.conversation_id == Conversation.id)
        .where(Participant.user_id == user.id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )
    per_page = current_app.config["THREADS_PER_PAGE"]
    rows = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return rows[:per_page], len(rows) > per_page


def last_messages(conversation_ids: list[int]) -> dict[int, Message]:
    if not conversation_ids:
        return {}
    newest = (select(func.max(Message.id)).where(Message.conversation_id.in_(conversation_ids))
              .group_by(Message.conversation_id))
    return {m.conversation_id: m for m in db.session.scalars(
        select(Message).where(Message.id.in_(newest)))}
