"""Reactions made for support: toggled by members, counted for everyone, never listed.

Nobody (the post's author included) can learn who reacted: pages show counts and the
viewer's own pressed buttons only. Writes touch per-member tables (NOT_CONTENT), so a
reaction never clears kept blocks; the counts come in through the "reactions" slot.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.assembly import changed, thread_scope
from forum.engage.models import Reaction, ReactionKind, ThreadHelpful
from forum.extensions import db
from forum.services import ForumError, NotAllowed, NotFound
from forum.threads.models import Post, PostStatus
from forum.threads.services import (
    can_see_post,
    can_see_thread,
    ensure_can_write,
    reaction_added,
)


def parse_kind(value: str | None) -> ReactionKind:
    try:
        return ReactionKind(value or "")
    except ValueError:
        raise ForumError("Choose a reaction.") from None


def check_can_react(member: User, post: Post) -> None:
    """Refuse what a member may not react to: their own post, one out of sight, or any post
    while they are suspended. Every refusal of a post one can't see is the same 404."""
    if not (post.status == PostStatus.VISIBLE and can_see_thread(member, post.thread)
            and can_see_post(member, post)):
        raise NotFound("No such post.")
    ensure_can_write(member)
    if post.author_id == member.id:
        raise NotAllowed("Reactions are for other parents' posts.")


def toggle_reaction(member: User, post: Post, kind: ReactionKind) -> bool:
    """Add the member's reaction of this kind, or take it back; True when it was added."""
    check_can_react(member, post)
    mine = (Reaction.post_id == post.id, Reaction.user_id == member.id, Reaction.kind == kind)
    removed = db.session.execute(delete(Reaction).where(*mine)).rowcount
    added = not removed
    if added:
        db.session.add(Reaction(post_id=post.id, user_id=member.id, kind=kind))
        try:
            db.session.flush()
        except IntegrityError:  # the same click twice at once: the first one counts
            db.session.rollback()
            return True
        reaction_added.send(post, member_id=member.id, kind=str(kind))
    if kind == ReactionKind.HELPED:
        _update_helpful(post.thread_id)
    changed(thread_scope(post.thread_id))  # its kept posts block holds the counts
    try:
        db.session.commit()
    except IntegrityError:  # the same click twice at once: the first one counts
        db.session.rollback()
    return added


def helpful_min() -> int:
    return max(int(current_app.config.get("HELPFUL_MIN_MARKS", 2)), 1)


def _update_helpful(thread_id: int) -> None:
    """Recompute the thread's most helpful reply (ties: the earliest reply)."""
    marks = func.count(Reaction.id)
    best = db.session.execute(
        select(Reaction.post_id, marks)
        .join(Post, Post.id == Reaction.post_id)
        .where(Post.thread_id == thread_id, Post.number > 1, Post.status == PostStatus.VISIBLE,
               Reaction.kind == ReactionKind.HELPED)
        .group_by(Reaction.post_id)
        .having(marks >= helpful_min())
        .order_by(marks.desc(), Reaction.post_id)
        .limit(1)
    ).first()
    if best is None:
        db.session.execute(delete(ThreadHelpful).where(ThreadHelpful.thread_id == thread_id))
        return
    db.session.execute(
        text("INSERT INTO thread_helpful (thread_id, post_id, marks) VALUES (:t, :p, :m) "
             "ON CONFLICT (thread_id) DO UPDATE SET post_id = excluded.post_id, "
             "marks = excluded.marks"),
        {"t": thread_id, "p": best[0], "m": best[1]},
    )
