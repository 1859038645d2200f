"""What thread pages get from this package: topics, details, related stories, links, resources.

forum.threads calls these few functions from its views (new thread, thread page,
front page); everything else about tags and stories stays here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forum.resources import library, related, services
from forum.resources.forms import options
from forum.resources.models import OUTCOME_LABELS, SCHOOL_STAGE_LABELS, US_STATES, Resource, Tag
from forum.threads.models import Post, Thread


def set_tag_choices(form, current: list[Tag] | None = None) -> None:
    """Offer active tags, plus any retired ones the thread already has."""
    tags = services.active_tags()
    known = {t.id for t in tags}
    tags += [t for t in (current or []) if t.id not in known]
    form.tags.choices = options((t.id, t.label) for t in tags)


@dataclass
class ThreadExtras:
    tags: list[Tag]
    resources: list[Resource]
    legal: bool
    related: list[Thread]
    links_out: list[services.LinkView] = field(default_factory=list)
    links_in: list[services.LinkView] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    can_edit: bool = False
    can_link: bool = False
    outcome_due: bool = False

    @property
    def other_authors(self) -> list[int | None]:
        """Starters of linked threads: each may remove the link, so sees a button others don't."""
        return [v.other.author_id for v in (*self.links_out, *self.links_in)]


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


def thread_extras(thread: Thread, viewer, posts: list[Post]) -> ThreadExtras:
    """Everything the thread page shows around the posts: three queries, whatever the thread."""
    opening = posts[0] if posts and posts[0].number == 1 else None
    sidebar = library.thread_sidebar(thread)
    links = services.thread_links(viewer, thread)
    author = services.is_author(viewer, thread)
    return ThreadExtras(
        tags=sidebar.tags,
        resources=sidebar.resources,
        legal=sidebar.legal,
        related=related.related_for_page(viewer, thread, opening),
        links_out=[v for v in links if v.outgoing],
        links_in=[v for v in links if not v.outgoing],
        details=story_details(thread),
        can_edit=services.can_edit_story(viewer, thread),
        can_link=bool(viewer.is_authenticated and (author or viewer.is_moderator)),
        outcome_due=author and services.outcome_due(thread),
    )


def similar_for_draft(viewer, form) -> list[Thread]:
    """ "Parents have written about this" for the new-thread form's current text."""
    return related.similar_to_draft(
        viewer, form.title.data or "", form.body.data or "", form.tags.data or []
    )


def save_new_thread_story(user, thread: Thread, form) -> None:
    services.save_story(user, thread, services.StoryDetails(**form.story_values()), new_thread=True)


def outcome_invitations(user) -> list[Thread]:
    return services.outcome_invitations(user)
