"""Panels: what features add to pages that belong to others (the thread page, the front page).

The thread view imports none of the features that add to it: resources adds
topics, related stories and links; digests the follow button; moderation the
moderator's tools. Each registers its panels when its blueprint is registered
(`add_panel`), and a view asks for an area's panels (`panels`). A panel
returns a Block (kept, see forum.assembly.blocks), markup rendered fresh for
this viewer, or None.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from markupsafe import Markup

from forum.assembly.blocks import Block

Build = Callable[..., "Block | str | None"]


def add_panel(app: Flask, area: str, build: Build, order: int = 50) -> None:
    registry = app.extensions.setdefault("panels", {})
    registry.setdefault(area, []).append((order, build))
    registry[area].sort(key=lambda item: item[0])


def panels(area: str, **context) -> list:
    """The area's panels for this request, in order (each built with `context`)."""
    return [build(**context) for _order, build in current_app.extensions.get("panels", {})
            .get(area, ())]


def render_part(template: str, **context) -> Markup:
    """A small per-request piece (a panel's form) rendered from the app's environment without
    Flask's context processors and signals, which cost more than such a piece itself (about
    40 of 100 µs); a page has several. It sees the app's globals (url_for, csrf_token,
    filters) but not request, session or current_user: pass what it needs."""
    return Markup(current_app.jinja_env.get_template(template).render(context))
