"""What this package adds to thread pages and the front page (forum.assembly.panels).

Under a thread's title: its topics and details, and the author's "how did it
turn out?" invitation; below the posts: resources for its topics, stories
like this and linked stories, and the form that links another story. On the
front page: the member's own invitations.
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from forum.assembly import Block, Loaded, add_panel, render_part, thread_scope
from forum.resources import library, related, services
from forum.resources.models import OUTCOME_LABELS, SCHOOL_STAGE_LABELS, US_STATES
from forum.threads.models import Thread


def story_details(thread: Thread) -> list[tuple[str, str]]:
    """(label, value) pairs for the details the author chose to share."""
    details = []
    if thread.school_stage in SCHOOL_STAGE_LABELS:
        details.append(("School stage", SCHOOL_STAGE_LABELS[thread.school_stage]))
    if thread.state in US_STATES:
        details.append(("State", US_STATES[thread.state]))
    if thread.outcome in OUTCOME_LABELS:
        details.append(("How it turned out", OUTCOME_LABELS[thread.outcome]))
    return details


def _sidebar(thread: Thread) -> library.ThreadSidebar:
    """The thread's topics and their resources, read once per request (two panels show them)."""
    found = g.setdefault("thread_sidebars", {})
    if thread.id not in found:
        found[thread.id] = library.thread_sidebar(thread)
    return found[thread.id]


def story_panel(thread: Thread, **_) -> Block:
    """Topics and details under the title (one query when not kept)."""

    def load() -> Loaded:
        return Loaded({
            "thread": thread, "tags": _sidebar(thread).tags,
            "details": story_details(thread),
            "can_edit": services.can_edit_story(current_user, thread),
        }, authors=[thread.author_id])

    return Block("resources/_story_meta.html", ("story", thread.id), load,
                 scopes=(thread_scope(thread.id),))


def outcome_panel(thread: Thread, **_) -> str | None:
    """ "How did it turn out?" for the thread's author, thirty days on (no query)."""
    if services.is_author(current_user, thread) and services.outcome_due(thread):
        return render_part("resources/_outcome_due.html", thread=thread)
    return None


def discovery_panel(thread: Thread, **_) -> Block:
    """Resources for the thread's topics, stories like this, linked stories."""

    def load() -> Loaded:
        sidebar = _sidebar(thread)
        links = services.thread_links(current_user, thread)
        return Loaded({
            "thread": thread, "resources": sidebar.resources, "legal": sidebar.legal,
            "related": related.related_for_page(current_user, thread, None),
            "links_out": [v for v in links if v.outgoing],
            "links_in": [v for v in links if not v.outgoing],
        }, authors=[thread.author_id, *(v.other.author_id for v in links)])

    return Block("resources/_discovery.html", ("discovery", thread.id), load,
                 scopes=(thread_scope(thread.id),))


def link_form_panel(thread: Thread, **_) -> str | None:
    """ "Link another story": for the thread's author and moderators."""
    if current_user.is_authenticated and (
        services.is_author(current_user, thread) or current_user.is_moderator
    ):
        return render_part("resources/_link_form.html", thread=thread)
    return None


def invitations_panel() -> str | None:
    """The member's own threads due a "how did it turn out?" (front page, one query)."""
    invites = services.outcome_invitations(current_user)
    return render_part("resources/_outcome_invites.html", invites=invites) if invites else None


def register(app: Flask) -> None:
    add_panel(app, "thread.top", story_panel, order=10)
    add_panel(app, "thread.top", outcome_panel, order=20)
    add_panel(app, "thread.bottom", discovery_panel, order=10)
    add_panel(app, "thread.bottom", link_form_panel, order=20)
    add_panel(app, "home.top", invitations_panel, order=10)
