"""Parts of signed-in pages that every plain member sees alike, rendered once per change.

A thread page's posts, and the topics and stories around them, look the same
to every member who is not a moderator, not suspended, and wrote none of what
is shown: only authors (edit buttons, "you posted this anonymously") and
moderators (tools, held posts) see something of their own there. So such a
viewer's parts are kept in a per-process LRU under (key, content version,
minute), like guest pages (forum.guestcache), and any other plain member gets
them without a query or a template. Everything personal on the page (the
navigation, the follow button, the reply form and its CSRF token) is rendered
for each request around them.

Safety rests on two checks: `shared_parts` serves a cached entry only to a
plain member who is none of its recorded authors, and `remember` refuses to
keep a part that holds a form token.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable

from flask import Flask, current_app, g
from markupsafe import Markup, escape
from sqlalchemy import text

from forum.extensions import db
from forum.guestcache import PageCache

Parts = dict[str, Markup]


class Holes:
    """Markers for per-request values in a shared part (a form's tokens), filled by `fill`.

    Random per process, so no text a member writes can contain one.
    """

    _mark = secrets.token_hex(8)

    def __getattr__(self, name: str) -> str:
        return f"hole-{self._mark}-{name}"


HOLES = Holes()


def fill(part: Markup, **values: str) -> Markup:
    """The part with each hole replaced by its (escaped) value for this request."""
    html = str(part)
    for name, value in values.items():
        html = html.replace(getattr(HOLES, name), str(escape(value)))
    return Markup(html)


def render_parts(templates: dict[str, str], **context) -> Parts:
    """Render each template with `context` alone.

    Not through flask.render_template: no context processors run, so neither
    current_user nor anything else personal is in reach of these templates;
    whatever depends on the viewer must come in through `context`.
    """
    env = current_app.jinja_env
    return {name: Markup(env.get_template(t).render(context)) for name, t in templates.items()}


def register(app: Flask) -> None:
    size = app.config.get("MEMBER_CACHE_SIZE", 0)
    if size:
        app.extensions["member_cache"] = PageCache(size)


def is_plain_member(viewer) -> bool:
    """A signed-in member whose view of others' content has nothing of their own."""
    return bool(
        viewer.is_authenticated and not viewer.is_moderator and not viewer.is_suspended
    )


def content_version() -> int | None:
    """The content version (forum.guestcache), read at most once per request."""
    if "content_version" not in g:
        g.content_version = db.session.scalar(
            text("SELECT version FROM content_version WHERE id = 1")
        )
    return g.content_version


def _cache_key(key: tuple) -> tuple | None:
    cache = current_app.extensions.get("member_cache")
    if cache is None:
        return None
    version = content_version()
    if version is None:
        return None
    bucket = int(time.time() // current_app.config["GUEST_CACHE_SECONDS"])  # "3 minutes ago"
    return (*key, version, bucket)


def shared_parts(key: tuple, viewer) -> Parts | None:
    """The parts kept under `key`, if this viewer may be shown them."""
    if not is_plain_member(viewer):
        return None
    full_key = _cache_key(key)
    if full_key is None:
        return None
    entry = current_app.extensions["member_cache"].get(full_key)
    if entry is None:
        return None
    parts, authors = entry
    return None if viewer.id in authors else parts


def remember(
    key: tuple, viewer, authors: Iterable[int | None], render: Callable[[], Parts]
) -> Parts:
    """Render the parts; keep them for other plain members when this viewer is one of them."""
    parts = render()
    authors = frozenset(a for a in authors if a is not None)
    if not is_plain_member(viewer) or viewer.id in authors:
        return parts
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if any(f'name="{field}"' in str(html) for html in parts.values()):
        return parts  # a form for this viewer: personal after all
    full_key = _cache_key(key)
    if full_key is not None:
        current_app.extensions["member_cache"].put(full_key, (parts, authors))
    return parts


def for_everyone(key: tuple, render: Callable[[], Markup]) -> Markup:
    """A part that is the same for every viewer (anything personal in it is a hole)."""
    full_key = _cache_key(key)
    if full_key is None:
        return render()
    cache = current_app.extensions["member_cache"]
    part = cache.get(full_key)
    if part is None:
        part = render()
        cache.put(full_key, part)
    return part
