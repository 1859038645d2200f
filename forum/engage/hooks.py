"""What this package adds to pages it doesn't own, registered once per app."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from forum.assembly import add_panel, add_slot, kept_part
from forum.engage import drafts
from forum.engage.bar import (
    fill_reactions,
    keep_page_marks,
    page_marks_facts,
    prepare_reactions,
)
from forum.engage.saved import saved_clause
from forum.threads import composer
from forum.threads.models import Thread
from forum.threads.services import add_thread_fact, post_published, post_submitted


def save_thread_panel(thread: Thread, facts: dict, **_) -> str | None:
    """The "Save for later" button, per member; whether they saved it came with the thread,
    and so did their reactions and saved posts on the page: handed to the bars from here."""
    keep_page_marks(facts)
    if not current_user.is_authenticated:
        return None
    return kept_part("engage/_save_thread.html", thread_id=thread.id,
                     saved=bool(facts.get("saved")))


def register(app: Flask) -> None:
    add_slot(app, "reactions", fill_reactions, prepare_reactions)
    add_panel(app, "thread.tools", save_thread_panel, order=60)
    add_thread_fact(app, "saved", lambda user_id: saved_clause(user_id, Thread.id))
    for name, expression in {**page_marks_facts(), **drafts.draft_facts()}.items():
        add_thread_fact(app, name, expression)
    composer.add_draft_hooks(app, drafts.restore, drafts.keep)


# Signals are process-wide (blinker): connected once, at import.
post_published.connect(drafts.forget_published)
post_submitted.connect(drafts.forget_new_thread)
