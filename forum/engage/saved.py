"""Save for later: a member's private list of threads and posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.assembly import changed
from forum.engage.models import SavedItem
from forum.extensions import db
from forum.services import NotFound
from forum.threads.models import Post, PostStatus, Thread
from forum.threads.services import can_see_post, can_see_thread
from forum.threads.titles import display_title

SAVED_LIMIT = 200  # the saved page lists the newest this many


def saved_clause(user_id, thread_id_column):
    """SQL: the member saved this thread (a thread fact, loaded with the thread)."""
    return exists().where(SavedItem.user_id == user_id, SavedItem.thread_id == thread_id_column)


def _toggle(member: User, **target) -> bool:
    where = [SavedItem.user_id == member.id,
             *(getattr(SavedItem, k) == v for k, v in target.items())]
    if db.session.execute(delete(SavedItem).where(*where)).rowcount:
        saved = False
    else:
        db.session.add(SavedItem(user_id=member.id, **target))
        saved = True
    changed()
    try:
        db.session.commit()
    except IntegrityError:  # a double submit: already saved
        db.session.rollback()
    return saved


def toggle_thread(member: User, thread: Thread) -> bool:
    if not can_see_thread(member, thread):
        raise NotFound("No such thread.")
    return _toggle(member, thread_id=thread.id)


def toggle_post(member: User, post: Post) -> bool:
    if not (can_see_thread(member, post.thread) and can_see_post(member, post)
            and post.status != PostStatus.DELETED):
        raise NotFound("No such post.")
    return _toggle(member, post_id=post.id)


@dataclass
class SavedView:
    saved_at: datetime
    thread: Thread
    title: str
    post: Post | None = None


def saved_for(member: User) -> list[SavedView]:
    """The member's saved threads and posts, newest first, that they may still see."""
    rows = db.session.execute(
        select(SavedItem, Thread, Post)
        .outerjoin(Post, Post.id == SavedItem.post_id)
        .join(Thread, Thread.id == db.func.coalesce(SavedItem.thread_id, Post.thread_id))
        .where(SavedItem.user_id == member.id)
        .order_by(SavedItem.created_at.desc(), SavedItem.id.desc())
        .limit(SAVED_LIMIT)
        .options(joinedload(Thread.category))
    ).all()
    views = []
    for item, thread, post in rows:
        if not can_see_thread(member, thread):
            continue
        if post is not None and (post.status == PostStatus.DELETED
                                 or not can_see_post(member, post)):
            continue
        views.append(SavedView(item.created_at, thread, display_title(thread, member), post))
    return views
