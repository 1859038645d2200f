"""What this package adds to pages it doesn't own, registered once per app."""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import current_user
from sqlalchemy import select

from forum.assembly import Block, Loaded, Share, add_panel, add_slot, thread_scope
from forum.engage import drafts
from forum.engage.bar import fill_reactions
from forum.engage.models import ThreadHelpful
from forum.engage.reactions import helpful_scope
from forum.engage.saved import saved_clause
from forum.extensions import db
from forum.threads import composer
from forum.threads.models import Post, PostStatus, Thread
from forum.threads.services import add_thread_fact, post_published, post_submitted


def helpful_panel(thread: Thread, **_) -> Block:
    """"Parents found this reply helpful", the same for every reader: a kept block whose
    version goes up only when the thread's most helpful reply changes."""

    def load() -> Loaded:
        post = db.session.execute(
            select(Post.id, Post.number)
            .join(ThreadHelpful, ThreadHelpful.post_id == Post.id)
            .where(ThreadHelpful.thread_id == thread.id, Post.status == PostStatus.VISIBLE)
        ).first()
        return Loaded({"thread": thread, "helpful": post})

    return Block("engage/_helpful_panel.html", ("helpful", thread.id), load,
                 scopes=(thread_scope(thread.id), helpful_scope(thread.id)),
                 share=Share.EVERYONE)


def save_thread_panel(thread: Thread, facts: dict, **_) -> str | None:
    """The "Save for later" button, per member; whether they saved it came with the thread."""
    if not current_user.is_authenticated:
        return None
    return render_template("engage/_save_thread.html", thread=thread,
                           saved=bool(facts.get("saved")))


def register(app: Flask) -> None:
    add_slot(app, "reactions", fill_reactions)
    add_panel(app, "thread.top", helpful_panel, order=10)
    add_panel(app, "thread.tools", save_thread_panel, order=60)
    add_thread_fact(app, "saved", lambda user_id: saved_clause(user_id, Thread.id))
    for name, expression in drafts.draft_facts().items():
        add_thread_fact(app, name, expression)
    composer.add_draft_hooks(app, drafts.restore, drafts.keep)


# Signals are process-wide (blinker): connected once, at import.
post_published.connect(drafts.forget_published)
post_submitted.connect(drafts.forget_new_thread)
