"""A moderator's gentle note to a post's author, delivered as a conversation from
"The moderators": no moderator's username, and for an anonymous post the moderator
only ever sees the alias (the recipient is masked like any anonymous party)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from forum.accounts.models import User
from forum.conversations import bp, services, views
from forum.conversations.forms import NoteForm
from forum.conversations.models import Conversation, ConversationKind, Participant
from forum.conversations.routes import target_post_id
from forum.extensions import db, now_utc
from forum.forms import form_status
from forum.moderation.models import AuditAction
from forum.moderation.services import record
from forum.permissions import moderator_required
from forum.resources.models import Resource
from forum.services import NotFound
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Post
from forum.threads.services import get_post

GREETING = "A note from the moderators"


def note_resources() -> list[Resource]:
    return list(db.session.scalars(select(Resource).where(Resource.retired.is_(False))
                                   .order_by(Resource.title)))


def send_note(moderator: User, post: Post, body: str, resource_ids: list[str]) -> Conversation:
    """A conversation from "The moderators" with the post's author (masked when the post
    is anonymous), the chosen resources listed under the note."""
    body = services.check_body(body)
    if post.author_id is None:
        raise services.Refused("This post's author can't receive messages.")
    chosen = [r for r in note_resources() if r.id in set(resource_ids)]
    if chosen:
        body += "\n\n**Resources that may help:**\n\n" + "\n".join(
            f"- [{r.title}]({r.url})" for r in chosen)
    now = now_utc()
    conversation = Conversation(kind=ConversationKind.MODERATORS, thread_id=post.thread_id,
                                created_at=now, last_message_at=now)
    recipient = Participant(user_id=post.author_id, masked=post.hide_author,
                            last_read_at=now - timedelta(seconds=1))
    conversation.participants = [recipient]
    db.session.add(conversation)
    db.session.flush()
    services.add_message(conversation, None, body, [post.author_id], now,
                          moderator_id=moderator.id)
    # Who sent it stays on record for the moderators; the note's words stay private.
    record(moderator, AuditAction.NOTE, post=post,
           detail=f"{len(chosen)} resource(s) attached" if chosen else "")
    db.session.commit()
    return conversation


def notes() -> list[Conversation]:
    return list(db.session.scalars(
        select(Conversation).where(Conversation.kind == ConversationKind.MODERATORS)
        .order_by(Conversation.last_message_at.desc()).limit(100)))


@bp.route("/note", methods=["GET", "POST"])
@moderator_required
def note():
    try:
        post = get_post(target_post_id() or 0)
    except NotFound:
        abort(404)
    form = NoteForm()
    resources = note_resources()
    form.resources.choices = [(r.id, r.title) for r in resources]
    sent = []
    status = form_status(form, lambda: sent.append(
        send_note(current_user, post, form.body.data, form.resources.data or [])), refused=422)
    if status is None:
        flash("Your note was sent from “The moderators”.", "success")
        return redirect(url_for("conversations.show", conversation_id=sent[0].id))
    author = display_author(post, current_user, AliasBook.for_posts([post]))
    return render_template("conversations/note.html", form=form, post=post,
                           author=author), status


@bp.get("/notes")
@moderator_required
def notes_index():
    found = notes()
    aliases = AliasBook.for_threads(c.thread_id for c in found if c.thread_id)
    items = [{"conversation": c, "title": views.title(c, current_user, aliases)} for c in found]
    return render_template("conversations/notes.html", items=items)
