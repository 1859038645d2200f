"""Composer parts: what other features add to the new-thread form.

Topics, story details and "Check for similar stories" belong to forum.resources;
the thread views import none of that. A feature registers a `ComposerPart` when
its blueprint is registered, and `new_thread_form()` builds the form with the
parts' fields; the view prepares, runs and saves the parts without knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_wtf import FlaskForm


@dataclass(frozen=True)
class ComposerPart:
    fields: type[FlaskForm]  # a form class whose fields join the new-thread form
    details: str  # template shown inside the form's "Add details (optional)"
    prepare: Callable[[FlaskForm], None] = lambda form: None  # choices, before validation
    save: Callable[..., None] = lambda user, thread, form: None  # after the thread exists
    is_open: Callable[[FlaskForm], bool] = lambda form: False  # show the details open
    before_body: str | None = None  # template shown between the title and the body
    script: str | None = None  # a static file the form loads
    # A step of the form ("Check for similar stories"): the submit button's name, and
    # what it adds to the page (viewer, form) -> context.
    step: tuple[str, Callable[..., dict]] | None = None


def add_composer_part(app: Flask, part: ComposerPart) -> None:
    app.extensions.setdefault("composer_parts", []).append(part)
    app.extensions.pop("new_thread_form", None)


def composer_parts() -> list[ComposerPart]:
    return current_app.extensions.get("composer_parts", [])


def new_thread_form(**kwargs) -> FlaskForm:
    """The new-thread form with every part's fields, choices set (the class is built once
    per app)."""
    from forum.threads.forms import NewThreadForm

    cls = current_app.extensions.get("new_thread_form")
    if cls is None:
        bases = tuple(part.fields for part in composer_parts())
        cls = type("NewThreadForm", (*bases, NewThreadForm), {})
        current_app.extensions["new_thread_form"] = cls
    form = cls(**kwargs)
    form.parts = composer_parts()
    for part in form.parts:
        part.prepare(form)
    return form


def run_step(viewer, form, submitted) -> dict | None:
    """The page context of the form step whose button was pressed, or None."""
    for part in composer_parts():
        if part.step and part.step[0] in submitted:
            return part.step[1](viewer, form)
    return None


def save_parts(user, thread, form) -> None:
    for part in composer_parts():
        part.save(user, thread, form)
