"""The anonymity choice on the reply forms (issue 15, item 4).

A member who started a thread anonymously, or already replied in it anonymously,
gets a reply box that keeps the same anonymous name by default. Replying there
under their username takes one more, explicit step that says what it does
("your username will appear under your anonymous story"); it is a step of the
form, so it works without JavaScript.
"""

from __future__ import annotations

import uuid

from flask import current_app, request
from markupsafe import Markup
from sqlalchemy import exists, select

from forum.extensions import db
from forum.threads.models import AnonymousPolicy, Category, Post, Thread

OWN_ALIAS = "alias"  # the reply default of a member who wrote anonymously in the thread


def anonymous_here_clause(user_id: int, thread_id_column):
    """SQL: this member wrote a post with a hidden author in the thread (the partial index
    ix_posts_anonymous_authors answers it)."""
    return exists().where(
        Post.thread_id == thread_id_column, Post.author_id == user_id, Post.hide_author.is_(True)
    )


def register(app) -> None:
    from forum.assembly import add_slot
    from forum.threads.services import add_thread_fact

    add_thread_fact(
        app, "anonymous_here", lambda user_id: anonymous_here_clause(user_id, Thread.id)
    )
    add_slot(app, "form_token", _fill_form_token)


def _fill_form_token(viewer, args: list[str]) -> dict[str, Markup]:
    """The "form_token" slot: a fresh one-time token (forms.ensure_token) for a post form
    inside a kept block, so a double submit still creates one post."""
    return {arg: Markup(uuid.uuid4().hex) for arg in args}


def wrote_anonymously(user, thread: Thread) -> bool:
    if not user.is_authenticated:
        return False
    return bool(db.session.scalar(select(anonymous_here_clause(user.id, thread.id))))


def reply_default(user, category: Category, anonymous_here: bool) -> bool | str:
    """What the reply box starts with: OWN_ALIAS, or the category's rule, or the member's
    own setting."""
    if category.anonymous_policy == AnonymousPolicy.REQUIRE:
        return True
    if category.anonymous_policy == AnonymousPolicy.FORBID:
        return False
    if anonymous_here:
        return OWN_ALIAS
    return bool(user.post_anonymously)


def needs_named_confirmation(form, thread: Thread, anonymous_here: bool) -> bool:
    """True (and the form marked to show the step) when a member who wrote anonymously in
    this thread sends a reply under their username without confirming it."""
    if form.hide_author.data or request.form.get("confirm_named") == "1":
        return False
    if thread.category.anonymous_policy != AnonymousPolicy.ALLOW or not anonymous_here:
        return False
    form.named_confirmation = True
    return True


# Drafts (forum.engage) hook in here, so the composer views import no feature.
def add_draft_hooks(app, restore, keep) -> None:
    """restore(form, user, thread | None, facts | None): fill an opened composer with the
    member's draft; keep(form, user, thread | None): a submit that did not publish keeps
    its text."""
    app.extensions["composer_drafts"] = (restore, keep)


def restore_draft(form, user, thread: Thread | None = None,
                  facts: dict | None = None) -> None:
    """`facts`: the thread page's facts, where a feature may have loaded the draft already."""
    hooks = current_app.extensions.get("composer_drafts")
    if hooks and user.is_authenticated:
        hooks[0](form, user, thread, facts)


def restores_draft(user, thread: Thread, facts: dict) -> bool:
    """Whether restore_draft would fill a reply box for this member (asked before building
    one: the plain box is a kept block)."""
    probe = _Probe()
    restore_draft(probe, user, thread, facts)
    return probe.body.data is not None or probe.draft_saved_at is not None


class _Field:
    data = None


class _Probe:
    """Stands in for a form in restores_draft: the fields a restore hook fills."""

    def __init__(self):
        self.body, self.hide_author, self.title, self.category = (_Field() for _ in range(4))
        self.draft_saved_at = None


def keep_draft(form, user, thread: Thread | None = None) -> None:
    hooks = current_app.extensions.get("composer_drafts")
    if hooks and user.is_authenticated and request.method == "POST":
        hooks[1](form, user, thread)
