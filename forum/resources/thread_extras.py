"""What the new-thread form gets from this package: topics, details, similar stories.

(The thread page and the front page get their panels through forum.resources.panels.)
"""

from __future__ import annotations

from flask import Flask

from forum.resources import related, services
from forum.resources.forms import StoryFields, options
from forum.resources.models import Tag
from forum.threads.models import Thread
from forum.threads.parts import ComposerPart, add_composer_part


def set_tag_choices(form, current: list[Tag] | None = None) -> None:
    """Offer active tags, plus any retired ones the thread already has."""
    tags = services.active_tags()
    known = {t.id for t in tags}
    tags += [t for t in (current or []) if t.id not in known]
    form.tags.choices = options((t.id, t.label) for t in tags)


def similar_for_draft(viewer, form) -> dict[str, list[Thread]]:
    """ "Parents have written about this" for the new-thread form's current text (a step
    of the form without JavaScript; similar.js asks resources.similar as she types)."""
    return {"similar": related.similar_to_draft(
        viewer, form.title.data or "", form.body.data or "", form.tags.data or []
    )}


def _details_open(form) -> bool:
    """Open "Add details" when something is chosen or wrong there."""
    fields = (form.tags, form.state, form.school_stage)
    return any(f.data or f.errors for f in fields)


def save_new_thread_story(user, thread: Thread, form) -> None:
    services.save_story(user, thread, services.StoryDetails(**form.story_values()), new_thread=True)


def register(app: Flask) -> None:
    add_composer_part(app, ComposerPart(
        fields=StoryFields,
        details="resources/_story_fields.html",
        prepare=set_tag_choices,
        save=save_new_thread_story,
        is_open=_details_open,
        before_body="resources/_similar.html",
        script="similar.js",
        step=("check_similar", similar_for_draft),
    ))
