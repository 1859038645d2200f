"""Assembling a page: the layout and all that is about the viewer fresh, blocks kept.

`render_page` renders the page template with flask's render_template (the
nav, flash messages, banners, form tokens: everything per request), and the
blocks the view declares through forum.assembly.blocks, which keeps them by
the versions of what they show (forum.assembly.versions).

`guest_page` keeps a guest's whole page under its URL and the versions it was
rendered at, sends it with an ETag (If-None-Match gets a 304), and checks the
versions at most once per GUEST_VERSION_SECONDS per worker, so a kept guest
page costs no database round trip. Signed-in members, requests with a flash
message, and anything but a plain 200 that leaves the session untouched and
holds no CSRF token are never kept whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import (
    Flask,
    after_this_request,
    current_app,
    g,
    make_response,
    render_template,
    request,
    session,
)
from flask_login import current_user
from markupsafe import Markup

from forum.assembly import blocks as _blocks
from forum.assembly import versions as _versions
from forum.assembly.blocks import LRU, Block
from forum.assembly.panels import kept_part, panels
from forum.extensions import db
from forum.security import csrf_token

Part = Block | Markup | str | None


def register(app: Flask) -> None:
    app.jinja_env.globals["site_nav"] = site_nav
    app.extensions["guest_versions"] = _versions.Memo()
    size = app.config.get("GUEST_CACHE_SIZE", 0)
    if size:
        app.extensions["guest_cache"] = LRU(size)


def site_nav() -> Markup:
    """The header of every page (base.html), from what it shows and nothing else: a kept
    part (forum.assembly.panels.kept_part), so a member's header is rendered once per
    worker until a count in it changes. The counts are session facts of the features
    that add them (notifications, conversations; moderation's queue for moderators)."""
    user = current_user
    if not user.is_authenticated:
        login_next = request.full_path if request.method == "GET" else None
        return kept_part("_partials/nav.html", signed_in=False, login_next=login_next)
    banner = current_app.jinja_env.globals.get("moderation_banner")
    return kept_part(
        "_partials/nav.html", signed_in=True, username=user.username, token=csrf_token(),
        is_moderator=bool(user.is_moderator), is_admin=bool(user.is_admin),
        open_items=banner().queue_count if banner and user.is_moderator else 0,
        unread_notifications=int(getattr(user, "unread_notifications", 0) or 0),
        unread_conversations=int(getattr(user, "unread_conversations", 0) or 0),
    )


def _caching_on() -> bool:
    return "block_cache" in current_app.extensions or "guest_cache" in current_app.extensions


def page_versions(scopes) -> dict[str, int] | None:
    """The versions of these scopes for this request, from the worker's memo (at most
    GUEST_VERSION_SECONDS old: others' new posts show that much later, for guests and
    members alike), or fresh for a member whose request wrote in the last few seconds
    (forum.assembly.versions.wrote_recently): their own write shows at once.
    Recorded for `guest_page`."""
    if not _caching_on():
        return None
    if current_user.is_authenticated and _versions.wrote_recently():
        found = _versions.read(scopes)
    else:
        found = current_app.extensions["guest_versions"].read(scopes)
    if found is not None and "page_versions" in g:
        g.page_versions.update(found)
    return found


def _render(part, viewer, versions) -> Markup:
    if isinstance(part, list):
        return Markup("").join(_render(p, viewer, versions) for p in part)
    if isinstance(part, Block):
        return _blocks.render(part, viewer, versions)
    return Markup(part or "")


def render_page(template: str, *, blocks: dict[str, Part | list[Part]] | None = None,
                status: int = 200, frame: tuple | None = None, frame_objects: tuple = (),
                **context):
    """The page: `template` with each declared block (or list of blocks and markup, as
    panels give them) in `blocks.<name>`, and `signed_in` in its context.

    `frame`: for a member, the page around its blocks may be kept (`_frame`): the view
    promises that the template shows nothing but its plain context values, what `frame`
    names (a tuple of plain values, such as the thread's id and the page number) and the
    objects named in `frame_objects` (as of the versions of the page's blocks). Without it,
    the template is rendered for this request."""
    viewer = current_user._get_current_object()
    items = blocks or {}
    declared = [
        b for value in items.values() for b in (value if isinstance(value, list) else [value])
        if isinstance(b, Block)
    ]
    versions = page_versions({s for b in declared for s in b.scopes}) if declared else None
    rendered = {name: _render(value, viewer, versions) for name, value in items.items()}
    context["signed_in"] = viewer.is_authenticated
    pieces = None
    if frame is not None and viewer.is_authenticated and versions is not None:
        pieces = _frame(template, frame, frame_objects, items, versions, context)
    if pieces is None:
        html = render_template(template, blocks=rendered, **context)
    else:
        html = _fill_frame(pieces, rendered)
    return _blocks.fill_slots(html, viewer), status


# --- kept page frames --------------------------------------------------------------------

_FRAME_VALUES = (str, int, float)  # bool is an int, Markup a str


def _frame(template: str, key: tuple, objects: tuple, items: dict, versions: dict,
           context: dict) -> list[str] | None:
    """The page around its blocks, kept per worker: rendered in the shared block
    environment (no current_user, request, session or CSRF token: a template that reaches
    for one raises), with a hole for each block and for the parts of the layout that are
    the viewer's own (header, flash messages, banners: `_layout_parts`). Kept under the
    template, `key`, every plain context value, which blocks the page has, and the versions
    of what its blocks show ("site" included: a moderator's edit of a thread or category
    bumps it), so it is a function of its key alone and can be given to any member.
    (Rendering the layout was about a tenth of a signed-in page under load.)"""
    cache = current_app.extensions.get("block_cache")
    if cache is None:
        return None
    plain = []
    for name, value in context.items():
        if name in objects:
            continue
        if value is not None and not isinstance(value, _FRAME_VALUES):
            raise TypeError(f"render_page: {name!r} is not a plain value; a kept frame "
                            "needs it named in frame_objects and covered by its key")
        plain.append((name, value))
    present = tuple(sorted(name for name, value in items.items() if value))
    full = ("frame", template, key, tuple(sorted(plain, key=lambda item: item[0])), present,
            tuple(sorted(versions.items())))
    pieces = cache.get(full)
    if pieces is None:
        holes = {name: _blocks.hole("block." + name) if name in present else Markup("")
                 for name in items}
        html = _blocks.render_shared(template, {**context, "blocks": holes, "frame": True})
        pieces = _blocks.split_holes(html)
        cache.put(full, pieces)
    return pieces


def _layout_parts() -> dict[str, Markup]:
    """What a kept frame leaves out, rendered for this request: the header, flash messages,
    and the "layout.banners" panels (moderation's private notices)."""
    parts = {"nav": site_nav(), "flashes": Markup(""),
             "banners": _render(panels("layout.banners"), current_user, None)}
    if "_flashes" in session:
        parts["flashes"] = Markup(render_template("_partials/flashes.html"))
    return parts


def _fill_frame(pieces: list[str], rendered: dict[str, Markup]) -> str:
    out = list(pieces)
    layout = None
    for i in range(1, len(out), 2):
        name = out[i]
        if name.startswith("block."):
            out[i] = rendered[name[6:]]
        else:
            layout = layout or _layout_parts()
            out[i] = layout[name]
    return "".join(out)


# --- whole guest pages ------------------------------------------------------------------


@dataclass(frozen=True)
class _GuestPage:
    body: bytes
    mimetype: str
    etag: str
    caching: str
    versions: dict[str, int]
    bucket: int


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and "guest_cache" in current_app.extensions
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def _personal(response) -> bool:
    """The page holds something of this visitor's: a session change, a cookie, a CSRF token."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return session.modified or "Set-Cookie" in response.headers or field in g


def reads_without_transaction(guest: bool = False) -> None:
    """On PostgreSQL, a page that only reads runs without BEGIN and ROLLBACK: a signed-in
    member's from the start (the sign-in statement too), a guest's once the guest cache
    has missed (`guest=True`: a kept guest page still takes no connection at all).

    These views only read, and under PostgreSQL's READ COMMITTED each statement
    sees the latest committed data inside a transaction too. (The sign-in query's
    occasional last-active update is a single statement.) Besides two round trips,
    this keeps the worker's prepared statements: psycopg drops every one of them
    (DEALLOCATE ALL) at the ROLLBACK of an open transaction, so the statements of a
    guest's page were parsed and planned anew on every page (planning the benchmark
    pages' statements takes 0.3-1 ms each, often more than running them).
    """
    if (
        (guest or "_user_id" in session)
        and db.engine.dialect.name == "postgresql"
        and not db.session().in_transaction()  # (a test's session may have begun already)
    ):
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        if guest:
            after_this_request(_end_guest_read)


def _end_guest_read(response):
    """A guest's AUTOCOMMIT read ends with its response: the connection goes back to the pool
    (its isolation level reset) even where the session outlives the request, as in the
    tests, so no later request of that session writes in AUTOCOMMIT. (No ROLLBACK is sent:
    an AUTOCOMMIT connection has no transaction to end.)"""
    db.session.rollback()
    return response


def reads_only(view):
    """A member's page that only reads (the notifications list, the bell's count): on
    PostgreSQL, without BEGIN and ROLLBACK around it (reads_without_transaction).
    Outside login_required, so the sign-in query is the first to run that way."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        reads_without_transaction()
        return view(*args, **kwargs)

    return wrapper


def _respond(page: _GuestPage):
    response = current_app.response_class(page.body, mimetype=page.mimetype)
    response.set_etag(page.etag)
    response.headers["Cache-Control"] = page.caching
    return response.make_conditional(request)


def guest_page(view=None, *, scopes: tuple[str, ...] = ()):
    """Keep this view's guest page while the versions it was rendered at hold.

    `scopes`: what a page that does not use render_page depends on besides
    "site" (e.g. "content" for search, tags and feeds).
    """
    if view is None:
        return lambda v: guest_page(v, scopes=scopes)

    @wraps(view)
    def wrapper(*args, **kwargs):
        reads_without_transaction()
        if not _cacheable_request():
            reads_without_transaction(guest=True)  # (a member's began above: no-op)
            return view(*args, **kwargs)
        cache = current_app.extensions["guest_cache"]
        memo = current_app.extensions["guest_versions"]
        key = request.full_path
        kept = cache.get(key)
        if kept is not None and kept.bucket == _blocks._bucket(key):
            seen = memo.known(kept.versions)
            if seen is None:  # the database's turn (once a second per worker)
                reads_without_transaction(guest=True)
                seen = memo.read(kept.versions)
            if seen == kept.versions:
                return _respond(kept)
        reads_without_transaction(guest=True)
        before = memo.read(scopes)
        if before is None:  # no version row: nothing can tell when a page goes stale
            return view(*args, **kwargs)
        g.page_versions = dict(before)
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or _personal(response):
            return response
        response.add_etag()
        # Browsers keep the page but ask again each time (a 304 costs no rendering),
        # unless the view says otherwise (feeds: readers may wait a few minutes).
        caching = response.headers.get("Cache-Control", "no-cache")
        page = _GuestPage(response.get_data(), response.mimetype, response.get_etag()[0],
                          caching, dict(g.page_versions), _blocks._bucket(key))
        cache.put(key, page)
        return _respond(page)

    return wrapper
