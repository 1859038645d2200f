"""What the new-thread form gets from this package: topics, details, similar stories.

(The thread page and the front page get their panels through forum.resources.panels.)
"""

from __future__ import annotations

from forum.resources import related, services
from forum.resources.forms import options
from forum.resources.models import Tag
from forum.threads.models import Thread


def set_tag_choices(form, current: list[Tag] | None = None) -> None:
    """Offer active tags, plus any retired ones the thread already has."""
    tags = services.active_tags()
    known = {t.id for t in tags}
    tags += [t for t in (current or []) if t.id not in known]
    form.tags.choices = options((t.id, t.label) for t in tags)


def similar_for_draft(viewer, form) -> list[Thread]:
    """ "Parents have written about this" for the new-thread form's current text."""
    return related.similar_to_draft(
        viewer, form.title.data or "", form.body.data or "", form.tags.data or []
    )


def save_new_thread_story(user, thread: Thread, form) -> None:
    services.save_story(user, thread, services.StoryDetails(**form.story_values()), new_thread=True)
