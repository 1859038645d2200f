"""Panels: what features add to pages that belong to others (the thread page, the front page),
and the small per-viewer pieces every page repeats (`kept_part`).

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

from forum.assembly.blocks import LRU, Block, render_shared

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


# Plain values only: an object's hash is its identity, which a later object may reuse.
_PLAIN = (str, int, float, bool, type(None))


def kept_part(template: str, **context) -> Markup:
    """A small piece about the viewer that page after page repeats (the header, a follow
    button): rendered in the shared block environment, so it sees nothing but `context`
    (plain values; a per-request global such as current_user or csrf_token raises there,
    so whatever it shows must be passed in), and kept by the worker under exactly that
    context: the same values give the same HTML without rendering it again. A form's CSRF
    token: `slot("csrf")` in a piece of a page assembled by render_page (then one copy
    serves every member), else passed as a value (the header, on every page). Kept only
    while the block cache is on."""
    if any(type(value) not in _PLAIN for value in context.values()):
        raise TypeError(f"{template}: kept_part takes plain values (str, int, float, bool, None)")
    cache = current_app.extensions.get("part_cache")
    key = (template, *sorted(context.items()))
    html = cache.get(key) if cache is not None else None
    if html is None:
        html = render_shared(template, context)
        if cache is not None:
            cache.put(key, html)
    return html


def register(app: Flask) -> None:
    if app.config.get("BLOCK_CACHE_SIZE", 0):
        app.extensions["part_cache"] = LRU(2000)
