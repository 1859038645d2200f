"""The bar under each post (the "reactions" slot of threads/_posts.html): counts for
everyone, the viewer's own pressed reactions and saved state, and the helpful marker.

What is the same for a kept posts block's whole audience (the counts, whether its
members may react, the helpful marker) is loaded when the block is rendered and
kept in the slot's argument (`prepare_reactions`); a reaction changes the
thread's version, so the block is rendered again. Per request there is only the
viewer's own part: one small statement for a member (`fill_reactions`), none for
a guest. Either way one statement for all the posts of a page: no N+1. It names
no member: only counts, and the viewer's own choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app, g, get_template_attribute, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import String, and_, bindparam, case, cast, func, null, select, union_all
from sqlalchemy.orm import aliased

from forum.engage.models import REACTION_LABELS, Reaction, SavedItem, ThreadHelpful
from forum.extensions import db
from forum.security import csrf_token
from forum.threads.models import Post, PostStatus, Thread


@dataclass
class Bar:
    post_id: int
    can_react: bool
    counts: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    saved: bool = False
    helpful: bool = False


def _helpful_columns():
    """The thread's most helpful reply, if it is visible: its id and number (two scalar
    subqueries, so the panel costs no statement of its own)."""
    shown, best = aliased(Post), aliased(ThreadHelpful)

    def column(col):
        return (select(col).select_from(best).join(shown, shown.id == best.post_id)
                .where(best.thread_id == bindparam("thread_id"),
                       shown.status == PostStatus.VISIBLE)
                .correlate(None).scalar_subquery())

    return column(shown.id).label("helpful_id"), column(shown.number).label("helpful_number")


def _build(posts: bool, thread: bool):
    """Per post and kind: the count, whether the viewer reacted; per post: whether the
    viewer saved it and whether it is its thread's most helpful reply; and the thread's
    most helpful reply for the panel. Bound parameters: ids, viewer_id, thread_id."""
    viewer_id = bindparam("viewer_id")
    mine = func.max(case((Reaction.user_id == viewer_id, 1), else_=0))
    helpful = _helpful_columns() if thread else (null(), null())
    if not posts:
        return select(*helpful)
    return (
        select(Post.id, Post.author_id, Post.status, Reaction.kind, func.count(Reaction.id), mine,
               SavedItem.id, ThreadHelpful.post_id, *helpful)
        .outerjoin(Reaction, Reaction.post_id == Post.id)
        .outerjoin(SavedItem, and_(SavedItem.post_id == Post.id,
                                   SavedItem.user_id == viewer_id))
        .outerjoin(ThreadHelpful, ThreadHelpful.post_id == Post.id)
        .where(Post.id.in_(bindparam("ids", expanding=True)))
        .group_by(Post.id, Post.author_id, Post.status, Reaction.kind, SavedItem.id,
                  ThreadHelpful.post_id)
    )


def _statement(posts: bool, thread: bool):
    """Built once per app and shape: composing it cost more than running it."""
    key = f"engage_bar_statement_{posts}_{thread}"
    if key not in current_app.extensions:
        current_app.extensions[key] = _build(posts, thread)
    return current_app.extensions[key]


def load_bars(viewer, ids: list[int], thread_id: int | None = None):
    """The bars of these posts, and the thread's most helpful reply as (id, number)."""
    member = viewer is not None and viewer.is_authenticated
    viewer_id = viewer.id if member else 0
    may_write = member and not viewer.is_suspended
    bars: dict[int, Bar] = {}
    params = {"viewer_id": viewer_id, "thread_id": thread_id or 0}
    if ids:
        params["ids"] = ids
    # On the connection: the ORM session adds a third to a Core statement that loads no
    # objects.
    rows = db.session.connection().execute(_statement(bool(ids), bool(thread_id)), params).all()
    helpful_reply = None
    if rows and rows[0][-2] is not None:
        helpful_reply = (rows[0][-2], rows[0][-1])
    if not ids:
        return bars, helpful_reply
    for post_id, author_id, status, kind, count, mine, saved, helpful, *_ in rows:
        bar = bars.get(post_id)
        if bar is None:
            can_react = bool(may_write and status == PostStatus.VISIBLE
                             and author_id != viewer_id)
            bar = bars[post_id] = Bar(post_id, can_react, saved=saved is not None,
                                      helpful=helpful is not None)
        if kind is not None:
            bar.counts[kind] = count
            if mine:
                bar.mine.add(kind)
    return bars, helpful_reply


# The bar's markup, filled with ints, constant labels, a URL from the url memo and the CSRF
# token: no member's text. Strings joined in Python, not a Jinja macro: a page has twenty
# bars and the macro cost more than everything else the slot does (about 1.5 ms against
# 0.1 ms a page).
_HELPFUL = ('<p class="helpful-marker"><span class="badge badge--helpful">'
            "Parents found this reply helpful</span></p>")
_BUTTON = ('<button type="submit" name="kind" value="{kind}" data-label="{label}" '
           'class="reaction{mine}" aria-pressed="{pressed}">{label}{count}</button>')
_SAVE = ('<button type="submit" class="link-button action">{text}'
         '<span class="visually-hidden"> this post</span></button>')
_SIGN_IN = '<a class="action" href="{url}">Sign in to react</a>'
_LABELS = [(str(escape(kind)), str(escape(label))) for kind, label in REACTION_LABELS.items()]


# Each button's markup up to its count, for both pressed states, made once: a bar is
# joined from these (str.format per button and form was a tenth of a signed-in thread
# page under load; this is about a fifth of that).
_HEADS = {(kind, mine): _BUTTON.format(kind=kind, label=label, pressed="true" if mine else "false",
                                       mine=" reaction--mine" if mine else "",
                                       count="\0").partition("\0")[0]
          for kind, label in _LABELS for mine in (False, True)}
_SAVE_TEXT = {saved: _SAVE.format(text="Saved (remove)" if saved else "Save for later")
              for saved in (False, True)}


def _form(action: str, extra: str, token: str, inner: str) -> str:
    return (f'<form method="post" action="{action}" class="inline-form{extra}">'
            f'<input type="hidden" name="csrf_token" value="{token}">{inner}</form>')


def render_bar(bar: Bar, token: str, sign_in: str, urls: dict[str, str]) -> str:
    """One bar as HTML. `token`: the viewer's CSRF token ("" for a guest, with `sign_in`,
    the escaped sign-in URL); `urls`: the escaped react and save URLs, "{post_id}" left in."""
    counts, post_id = bar.counts, str(bar.post_id)
    if bar.can_react:
        buttons = "".join(
            _HEADS[kind, kind in bar.mine]
            + (f' <span class="reaction__count">{counts[kind]}</span></button>'
               if counts.get(kind) else "</button>")
            for kind, _label in _LABELS)
        body = _form(urls["react"].replace("{post_id}", post_id), " reactions__form", token,
                     buttons)
    else:
        body = "".join(f'<span class="reaction reaction--count">{label} '
                       f'<span class="reaction__count">{counts[kind]}</span></span>'
                       for kind, label in _LABELS if counts.get(kind))
    if token:
        save = _form(urls["save"].replace("{post_id}", post_id), "", token,
                     _SAVE_TEXT[bar.saved])
    else:
        save = sign_in
    return ('<div class="reactions" role="group" aria-label="Reactions">'
            f'{_HELPFUL if bar.helpful else ""}{body}{save}</div>')


def prepare_reactions(viewer, args: list[str]) -> dict[str, str]:
    """The slot's argument in a posts block, before it is kept: "<post id>.<flags>.<counts>",
    flags "r" (the block's audience may react: members who may write, on a visible post
    that is not theirs; its authors get their own rendering) and "h" (the thread's most
    helpful reply), counts "me_too2-helped5"; the helpful-reply panel's place "t<thread id>"
    becomes "t<thread id>.<post id>.<number>" ("t<thread id>.." when there is none). One
    statement for the block's posts and the panel."""
    ids = sorted({int(a) for a in args if a.isdigit()})
    thread = next((a for a in args if _THREAD_ARG.fullmatch(a)), None)
    bars, helpful = load_bars(viewer, ids, int(thread[1:]) if thread else None)
    prepared = {str(pid): _encode(bar) for pid, bar in bars.items()}
    if thread:
        prepared[thread] = f"{thread}.{helpful[0]}.{helpful[1]}" if helpful else f"{thread}.."
    return prepared


_THREAD_ARG = re.compile(r"t\d+")


def _encode(bar: Bar) -> str:
    flags = ("r" if bar.can_react else "") + ("h" if bar.helpful else "")
    counts = "-".join(f"{kind}{n}" for kind, n in sorted(bar.counts.items()))
    return f"{bar.post_id}.{flags}.{counts}"


_COUNTED = re.compile(r"([a-z_]+)(\d+)")


def _decode(arg: str) -> Bar | None:
    post_id, flags, counts = (arg.split(".", 2) + ["", ""])[:3]
    if not post_id.isdigit():
        return None
    bar = Bar(int(post_id), "r" in flags, helpful="h" in flags)
    bar.counts = {kind: int(n) for kind, n in _COUNTED.findall(counts)}
    return bar


def _own_statement():
    """The viewer's reactions to and saved marks on these posts (bound: viewer_id, ids)."""
    if "engage_own_statement" not in current_app.extensions:
        ids, viewer_id = bindparam("ids", expanding=True), bindparam("viewer_id")
        current_app.extensions["engage_own_statement"] = union_all(
            select(Reaction.post_id, Reaction.kind)
            .where(Reaction.user_id == viewer_id, Reaction.post_id.in_(ids)),
            select(SavedItem.post_id, null())
            .where(SavedItem.user_id == viewer_id, SavedItem.post_id.in_(ids)),
        )
    return current_app.extensions["engage_own_statement"]


def page_marks_facts() -> dict:
    """Thread facts (forum.threads.services.add_thread_fact): the viewer's reactions to and
    saved marks on the posts of the page being shown, as text ("12:me_too,12:helped" and
    "12,15"), so the thread page's bars need no statement of their own."""
    def on_page(model):
        return (select().select_from(model).join(Post, Post.id == model.post_id)
                .where(Post.thread_id == Thread.id,
                       Post.number.between(bindparam("first"), bindparam("last"))))

    def reactions(user_id):
        text = cast(Reaction.post_id, String) + ":" + Reaction.kind
        return (on_page(Reaction).add_columns(func.aggregate_strings(text, ","))
                .where(Reaction.user_id == user_id).scalar_subquery())

    def saved(user_id):
        return (on_page(SavedItem)
                .add_columns(func.aggregate_strings(cast(SavedItem.post_id, String), ","))
                .where(SavedItem.user_id == user_id).scalar_subquery())

    return {"page_reactions": reactions, "page_saved": saved}


PAGE_MARKS = "engage_page_marks"  # in flask.g: the facts above, for the filler


def keep_page_marks(facts: dict) -> None:
    """Hand the page's marks, loaded with the thread, to this request's bars."""
    if "page_reactions" in facts:
        g.setdefault(PAGE_MARKS, (facts["page_reactions"] or "", facts["page_saved"] or ""))


def _mark_own(viewer, bars: dict[int, Bar]) -> None:
    known = g.get(PAGE_MARKS)
    if known is not None:  # the thread page: they came with the thread
        reactions, saved = known
        rows = [(int(post_id), kind) for post_id, _, kind in
                (item.partition(":") for item in reactions.split(",") if item)]
        rows += [(int(post_id), None) for post_id in saved.split(",") if post_id]
    else:
        rows = db.session.connection().execute(
            _own_statement(), {"viewer_id": viewer.id, "ids": sorted(bars)}).all()
    for post_id, kind in rows:
        bar = bars.get(post_id)
        if bar is None:
            continue
        if kind is None:
            bar.saved = True
        else:
            bar.mine.add(kind)


def fill_reactions(viewer, args: list[str]) -> dict[str, Markup]:
    """The "reactions" slot's filler (forum.assembly.add_slot): a prepared argument
    (prepare_reactions) gives its bar with the viewer's own marks, or the helpful-reply
    panel; a plain post or thread id, outside any block, loads what it shows for this
    request."""
    filled = _helpful_panels(args)
    bars: dict[str, Bar] = {}
    for arg in args:
        if "." in arg and not arg.startswith("t") and (bar := _decode(arg)) is not None:
            bars[arg] = bar
    if bars and viewer.is_authenticated:
        if viewer.is_suspended:  # a kept copy is shared by role; be sure all the same
            for bar in bars.values():
                bar.can_react = False
        _mark_own(viewer, {bar.post_id: bar for bar in bars.values()})
    plain = sorted({int(a) for a in args if a.isdigit()})
    if plain:
        loaded, _ = load_bars(viewer, plain)
        bars.update((str(pid), bar) for pid, bar in loaded.items())
    if not bars:
        return filled
    memo = current_app.jinja_env.globals["url_for"]
    urls = {name: str(escape(memo.pattern(endpoint, post_id=0)))
            for name, endpoint in (("react", "engage.react"), ("save", "engage.save_post"))}
    token = str(escape(csrf_token())) if viewer.is_authenticated else ""
    sign_in = "" if token else _SIGN_IN.format(
        url=escape(url_for("accounts.login", next=request.path)))
    return filled | {arg: Markup(render_bar(bar, token, sign_in, urls))
                     for arg, bar in bars.items()}


def _helpful_panels(args: list[str]) -> dict[str, Markup]:
    """The helpful-reply panel for each "t..." place: from its prepared argument, or (a
    plain "t<thread id>") loaded for this request."""
    filled = {}
    for arg in args:
        if not arg.startswith("t"):
            continue
        if _THREAD_ARG.fullmatch(arg):
            _, helpful = load_bars(None, [], int(arg[1:]))
        else:
            _, post_id, number = (arg.split(".") + ["", ""])[:3]
            helpful = (int(post_id), int(number)) if post_id.isdigit() and number.isdigit() \
                else None
        if helpful:
            panel = get_template_attribute("engage/_helpful_panel.html", "panel")
            filled[arg] = Markup(panel(*helpful))
    return filled
