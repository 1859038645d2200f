"""Signed-in pages, or parts of them, that every plain member sees alike.

A thread page's posts, and the topics and stories around them, look the same
to every member who is not a moderator, not suspended, and wrote none of what
is shown: only authors (edit buttons, "you posted this anonymously") and
moderators (tools, held posts) see something of their own there. So such a
viewer's parts are kept in a per-process LRU under (key, content version,
minute), like guest pages (forum.guestcache), and any other plain member gets
them without a query or a template.

A whole thread page goes one step further (`SharedPage`): what is personal on
it for a plain member is the follow state and the anonymity default (both in
the key) and the form tokens, which are kept as holes (`Holes`) and filled per
request. A page that shows a flash message or a private notice is never
served from or kept in the cache.

Safety rests on three checks: an entry is served only to a plain member who is
none of its recorded authors, nothing holding a form token that is not a hole
is kept, and personal pages (flash, notice) bypass the cache.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, session
from markupsafe import Markup, escape
from sqlalchemy import text

from forum.extensions import db
from forum.guestcache import VERSION_SQL, PageCache

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
        g.content_version = db.session.scalar(text(VERSION_SQL))
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


def _shared(key: tuple, viewer) -> tuple[Parts, frozenset[int]] | None:
    """The entry kept under `key`, if this viewer may be shown it."""
    if not is_plain_member(viewer):
        return None
    full_key = _cache_key(key)
    if full_key is None:
        return None
    entry = current_app.extensions["member_cache"].get(full_key)
    if entry is None or viewer.id in entry[1]:
        return None
    return entry


_PERSONAL_TOKEN = None  # compiled on first use: the field name comes from the config


def _holds_personal_token(parts: Parts) -> bool:
    """A form token of this viewer's own (not a hole) is somewhere in these parts."""
    global _PERSONAL_TOKEN
    if _PERSONAL_TOKEN is None:
        field = re.escape(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        _PERSONAL_TOKEN = re.compile(f'name="{field}"[^>]*value="(?!{re.escape(HOLES.csrf)}")')
    return any(_PERSONAL_TOKEN.search(str(html)) for html in parts.values())


def _keep(key: tuple, viewer, parts: Parts, authors: frozenset[int]) -> None:
    """Keep the parts for other plain members, when this viewer is one and wrote none of it."""
    if not is_plain_member(viewer) or viewer.id in authors or _holds_personal_token(parts):
        return
    full_key = _cache_key(key)
    if full_key is not None:
        current_app.extensions["member_cache"].put(full_key, (parts, authors))


Build = Callable[[], tuple[Iterable[int | None], Callable[[], Parts]]]


def parts_for(key: tuple, viewer, build: Build) -> tuple[Parts, frozenset[int]]:
    """The parts under `key` and the ids of the members who wrote what they show.

    `build()` loads what the parts show and returns (its authors, a function
    rendering the parts); it runs only when no shared copy may be used.
    """
    entry = _shared(key, viewer)
    if entry is not None:
        return entry
    authors, render = build()
    authors = frozenset(a for a in authors if a is not None)
    parts = render()
    _keep(key, viewer, parts, authors)
    return parts, authors


def personal_now(viewer) -> bool:
    """This request's page carries something for this viewer alone: a flash message
    or a private notice from the moderators (unknown counts as yes)."""
    return "_flashes" in session or getattr(viewer, "has_open_notices", True)


class SharedPage:
    """A whole signed-in page kept for plain members, its form tokens left as holes.

    Made before the page renders: rendering pops the flash messages, and a page
    that showed one must be neither served from nor kept in the cache.
    """

    def __init__(self, key: tuple, viewer):
        self.key, self.viewer = ("page", *key), viewer
        self.personal = personal_now(viewer)

    def get(self) -> Markup | None:
        if self.personal:
            return None
        entry = _shared(self.key, self.viewer)
        return entry[0]["page"] if entry is not None else None

    def keep(self, html: str, authors: frozenset[int], csrf: str) -> Markup:
        """The page with this request's CSRF token turned back into a hole; kept for
        other plain members when nothing on it is this viewer's own."""
        page = Markup(html.replace(csrf, HOLES.csrf))
        if not self.personal:
            _keep(self.key, self.viewer, {"page": page}, authors)
        return page


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
