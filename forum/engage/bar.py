"""The bar under each post (the "reactions" slot of threads/_posts.html): counts for
everyone, the viewer's own pressed reactions and saved state, and the helpful marker.

One statement for all the posts of a page, whoever is looking: no N+1. It names no
member: only counts, and the viewer's own choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import get_template_attribute
from markupsafe import Markup
from sqlalchemy import and_, case, func, literal, select

from forum.engage.models import REACTION_LABELS, Reaction, SavedItem, ThreadHelpful
from forum.extensions import db
from forum.threads.models import Post, PostStatus


@dataclass
class Bar:
    post_id: int
    can_react: bool
    counts: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    saved: bool = False
    helpful: bool = False


def _statement(ids: list[int], viewer_id: int):
    """Per post and kind: the count, whether the viewer reacted; per post: whether the
    viewer saved it and whether it is its thread's most helpful reply."""
    mine = func.max(case((Reaction.user_id == viewer_id, 1), else_=0))
    return (
        select(Post.id, Post.author_id, Post.status, Reaction.kind, func.count(Reaction.id), mine,
               SavedItem.id, ThreadHelpful.post_id)
        .outerjoin(Reaction, Reaction.post_id == Post.id)
        .outerjoin(SavedItem, and_(SavedItem.post_id == Post.id,
                                   SavedItem.user_id == literal(viewer_id)))
        .outerjoin(ThreadHelpful, ThreadHelpful.post_id == Post.id)
        .where(Post.id.in_(ids))
        .group_by(Post.id, Post.author_id, Post.status, Reaction.kind, SavedItem.id,
                  ThreadHelpful.post_id)
    )


def load_bars(viewer, ids: list[int]) -> dict[int, Bar]:
    member = viewer.is_authenticated
    viewer_id = viewer.id if member else 0
    may_write = member and not viewer.is_suspended
    bars: dict[int, Bar] = {}
    for post_id, author_id, status, kind, count, mine, saved, helpful in db.session.execute(
        _statement(ids, viewer_id)
    ):
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
    return bars


def fill_reactions(viewer, args: list[str]) -> dict[str, Markup]:
    """The "reactions" slot's filler (forum.assembly.add_slot)."""
    ids = sorted({int(a) for a in args if a.isdigit()})
    if not ids:
        return {}
    bars = load_bars(viewer, ids)
    render = get_template_attribute("engage/_bar.html", "bar")
    return {str(pid): Markup(render(bar, REACTION_LABELS, viewer)) for pid, bar in bars.items()}
