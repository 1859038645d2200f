"""Blocks: the parts of a page that look the same to everyone in an audience.

A block is a template and the data it shows. Kept blocks are rendered in a
Jinja environment of their own, which has the app's templates, filters and
`url_for` but no `request`, `session`, `g`, `current_user`, `csrf_token`, nor
any other per-request global: a block template that reaches for one raises
instead of baking one member's page into everyone's. Whatever differs per
viewer inside a block comes in through a slot (`slot("name", arg)`), filled
on every request by the feature that registered it.

Who may share a kept block (`Share`):
- EVERYONE: guests and members alike;
- BY_ROLE: one copy for guests, one for plain members, one for suspended
  members; moderators and admins always get their own rendering;
- PERSONAL: never kept.
And the members a block names as its authors (`Loaded.authors`) always get
their own rendering: their edit buttons and private markers are theirs alone.
It is kept too, under their member id besides the shared copy's key (a member
reading their own thread again, to see who replied, is common), and never given
to anyone else; moderators' renderings are not kept.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from flask import Flask, current_app, render_template, template_rendered
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

from forum.assembly.versions import SITE
from forum.security import csrf_token


class Share(StrEnum):
    EVERYONE = "everyone"
    BY_ROLE = "by_role"
    PERSONAL = "personal"


@dataclass
class Loaded:
    """What a block shows: its template's context, and the members whose own work it shows."""

    context: dict
    authors: Iterable[int | None] = ()


@dataclass(frozen=True)
class Block:
    """A declared block: `load()` runs only when no kept copy may be used."""

    template: str
    key: tuple
    load: Callable[[], Loaded]
    scopes: tuple[str, ...] = ()
    share: Share = Share.BY_ROLE


@dataclass(frozen=True)
class _Kept:
    html: Markup
    authors: frozenset[int] = field(default_factory=frozenset)


class LRU:
    """A small thread-safe LRU (one per worker process)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


# --- slots -------------------------------------------------------------------------------

# Random per process and inside an HTML comment: members' text can hold neither (markdown-it
# escapes "<" and bleach strips comments), so no post can fake a slot.
_NONCE = secrets.token_hex(6)
_SLOT = re.compile(rf"<!--slot-{_NONCE}:([a-z_]+):([\w.-]*)-->")
_ARG = re.compile(r"[\w.-]*")
SlotFiller = Callable[[object, list[str]], dict[str, Markup]]
SlotPreparer = Callable[[object, list[str]], dict[str, str]]


def slot(name: str, arg: object = "") -> Markup:
    """A place in a block that `fill_slots` fills for each viewer."""
    return Markup(f"<!--slot-{_NONCE}:{name}:{arg}-->")


# Holes: where a kept page frame (forum.assembly.pages) takes its blocks and the parts of
# the layout rendered for each request (header, flash messages, banners).
_HOLE = re.compile(rf"<!--hole-{_NONCE}:([\w.]+)-->")


def hole(name: str) -> Markup:
    return Markup(f"<!--hole-{_NONCE}:{name}-->")


def split_holes(html: str) -> list[str]:
    """[text, hole name, text, hole name, ..., text]"""
    return _HOLE.split(html)


def add_slot(app: Flask, name: str, filler: SlotFiller,
             prepare: SlotPreparer | None = None) -> None:
    """filler(viewer, args) -> {arg: html}: one call per page for all of a slot's places.

    prepare(viewer, args) -> {arg: longer arg}: once, when a block holding the slot is
    rendered, before it is kept: what is the same for the block's whole audience (reaction
    counts, say) goes into the slot's argument (word characters, "." and "-"), so the filler
    works per request only on what is the viewer's own. A place outside any block is never
    prepared: its filler gets the plain argument."""
    app.extensions.setdefault("slots", {})[name] = filler
    if prepare is not None:
        app.extensions.setdefault("slot_preparers", {})[name] = prepare


def _prepare_slots(html: Markup, viewer) -> Markup:
    """A block's slots with their prepared arguments (add_slot's `prepare`)."""
    preparers = current_app.extensions.get("slot_preparers")
    if not preparers or f"<!--slot-{_NONCE}:" not in html:
        return html
    wanted: dict[str, list[str]] = {}
    for name, arg in _SLOT.findall(html):
        if name in preparers:
            wanted.setdefault(name, []).append(arg)
    if not wanted:
        return html
    done = {name: preparers[name](viewer, args) for name, args in wanted.items()}

    def longer(match: re.Match) -> str:
        if match[1] not in done:
            return match[0]
        arg = done[match[1]].get(match[2], match[2])
        if _ARG.fullmatch(arg) is None:
            raise ValueError(f"slot {match[1]!r}: prepared argument {arg!r} is not [\\w.-]*")
        return slot(match[1], arg)

    return Markup(_SLOT.sub(longer, html))


def fill_slots(html: str, viewer) -> Markup:
    """Every slot of the page filled for this viewer. One pass over the page (it is split at
    its slots, then joined with what fills them): a signed-in thread page is 70 KiB."""
    if f"<!--slot-{_NONCE}:" not in html:
        return Markup(html)
    pieces = _SLOT.split(html)  # text, name, arg, text, name, arg, ..., text
    names, args = pieces[1::3], pieces[2::3]
    wanted: dict[str, list[str]] = {}
    for name, arg in zip(names, args, strict=True):
        wanted.setdefault(name, []).append(arg)
    fillers = current_app.extensions.get("slots", {})
    # A slot no feature fills (not installed, or not yet) renders empty.
    filled = {name: fillers[name](viewer, found) for name, found in wanted.items()
              if name in fillers}
    none: dict = {}
    pieces[1::3] = [str(filled.get(n, none).get(a, "")) for n, a in zip(names, args, strict=True)]
    pieces[2::3] = [""] * len(args)
    return Markup("".join(pieces))


# --- the environment ---------------------------------------------------------------------

# Globals a shared block may use: nothing in them depends on who is asking.
SHARED_GLOBALS = frozenset({"url_for", "config", "range", "dict", "lipsum", "cycler", "joiner",
                            "namespace"})


def _personal(name: str) -> StrictUndefined:
    return StrictUndefined(
        hint=f"{name!r} is per request: a shared block is rendered without it "
        "(pass what the block needs through its context, or use a slot)",
        name=name,
    )


def make_environment(app: Flask) -> Environment:
    """The app's environment without anything per request (a fresh template cache, so
    templates are compiled against these globals)."""
    env = app.jinja_env.overlay(cache_size=400)
    shared = {k: v for k, v in app.jinja_env.globals.items() if k in SHARED_GLOBALS}
    personal = {k: _personal(k) for k in app.jinja_env.globals if k not in SHARED_GLOBALS}
    for name in ("request", "session", "g", "current_user", "csrf_token",
                 "get_flashed_messages"):
        personal[name] = _personal(name)
    env.globals = {**personal, **shared, "slot": slot, "hole": hole}
    return env


def _fill_csrf(viewer, args: list[str]) -> dict[str, Markup]:
    """The "csrf" slot: the viewer's CSRF token, for a form inside a kept block."""
    token = escape(csrf_token())
    return {arg: token for arg in args}


def register(app: Flask) -> None:
    app.jinja_env.globals["slot"] = slot
    add_slot(app, "csrf", _fill_csrf)
    size = app.config.get("BLOCK_CACHE_SIZE", 0)
    if size:
        app.extensions["block_cache"] = LRU(size)


def environment() -> Environment:
    """This app's block environment, made on first use (after every template global exists)."""
    env = current_app.extensions.get("block_env")
    if env is None:
        env = current_app.extensions.setdefault("block_env", make_environment(current_app))
    return env


def render_shared(template: str, context: dict) -> Markup:
    """Render a block in the shared environment; flask's template_rendered signal is sent as
    for any template (tests and debuggers see shared renders too)."""
    compiled = environment().get_template(template)
    html = Markup(compiled.render(context))
    template_rendered.send(current_app._get_current_object(), template=compiled, context=context)
    return html


def render_shared_source(source: str, context: dict) -> Markup:
    """A template given as text, rendered as a shared block would be (tests, checks)."""
    return Markup(environment().from_string(source).render(context))


# --- rendering -----------------------------------------------------------------------------


def audience(viewer, share: Share) -> str | None:
    """The copy of a block this viewer may share; None: their own rendering."""
    if share is Share.PERSONAL:
        return None
    if share is Share.EVERYONE:
        return "everyone"
    if not viewer.is_authenticated:
        return "guest"
    if viewer.is_moderator:
        return None  # tools on every post: few viewers, never shared
    return "restricted" if viewer.is_suspended else "member"


def _bucket(key: object) -> int:
    """Kept blocks and pages are re-rendered at least every GUEST_CACHE_SECONDS ("3
    minutes ago" stays right), each on a schedule of its own: offset by a hash of its
    key, so they don't all expire in the same second and every worker re-render every
    hot block at once (a burst of misses each minute, on a busy evening)."""
    seconds = current_app.config["GUEST_CACHE_SECONDS"]
    return int((time.time() + hash(key) % seconds) // seconds)


def render(block: Block, viewer, versions: dict[str, int] | None) -> Markup:
    """The block as this viewer sees it: a kept copy when one may be shared with them."""
    group = audience(viewer, block.share)
    member_id = viewer.id if viewer.is_authenticated else None
    cache = current_app.extensions.get("block_cache")
    key = None
    if group is not None and cache is not None and versions is not None:
        stamp = tuple(versions.get(s, 0) for s in (*block.scopes, SITE))
        key = (block.template, block.key, group, stamp)
        key += (_bucket(key),)
        kept = cache.get(key)
        if kept is not None and member_id not in kept.authors:
            return kept.html
        own = cache.get(key + (member_id,)) if member_id is not None else None
        if own is not None:
            return own.html
    loaded = block.load()
    authors = frozenset(a for a in loaded.authors if a is not None)
    if group is None or member_id in authors:
        html = _prepare_slots(Markup(render_template(block.template, **loaded.context)), viewer)
        if key is not None and member_id in authors:
            # An author's own copy, under their id: the same versions, audience and minute
            # as the shared copy, so it is re-rendered when that one would be.
            cache.put(key + (member_id,), _Kept(html, authors))
        return html
    # Prepared with this viewer: one of the audience, and none of the block's authors.
    html = _prepare_slots(render_shared(block.template, loaded.context), viewer)
    if key is not None:
        cache.put(key, _Kept(html, authors))
    return html
