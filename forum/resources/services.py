"""Tags, story details, the "how did it turn out?" invitation and links between threads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.extensions import db, now_utc, per_thread
from forum.resources.models import (
    MAX_THREAD_TAGS,
    US_STATES,
    Outcome,
    SchoolStage,
    Tag,
    ThreadLink,
    ThreadTag,
)
from forum.resources.related import forget_related
from forum.services import ForumError, NotAllowed, NotFound
from forum.threads.models import Category, Post, PostStatus, Thread, Visibility
from forum.threads.paging import OpenEndedPage
from forum.threads.services import can_see_thread, ensure_can_write, visible_threads_query

OUTCOME_INVITE_AFTER = timedelta(days=30)
INVITES_SHOWN = 3  # on the front page, at most


# --- tags ----------------------------------------------------------------------


def all_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.retired, Tag.position, Tag.label)))


def active_tags() -> list[Tag]:
    return list(
        db.session.scalars(
            select(Tag).where(Tag.retired.is_(False)).order_by(Tag.position, Tag.label)
        )
    )


def get_tag(slug: str) -> Tag:
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise NotFound("No such tag.")
    return tag


def save_tag(
    tag: Tag | None, *, slug: str, label: str, description: str = "", legal: bool = False
) -> Tag:
    """Create or edit a tag (moderators and admins)."""
    slug = slug.strip().lower()
    if not re.fullmatch(r"[a-z0-9-]{2,60}", slug):
        raise ForumError("Use 2-60 lower-case letters, digits and dashes for the slug.")
    if tag is None:
        position = db.session.scalar(select(func.coalesce(func.max(Tag.position), 0))) + 1
        tag = Tag(position=position)
        db.session.add(tag)
    tag.slug, tag.label, tag.description, tag.legal = (
        slug,
        label.strip(),
        description.strip(),
        legal,
    )
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ForumError("Another tag already uses that slug.") from exc
    return tag


def set_tag_retired(tag: Tag, retired: bool) -> None:
    tag.retired = retired
    db.session.commit()


def tag_threads(viewer, tag: Tag, page: int) -> OpenEndedPage:
    """A page of the tag's threads, latest activity first: newer/older, no COUNT(*)."""
    stmt = (
        visible_threads_query(viewer)
        .join(ThreadTag, ThreadTag.thread_id == Thread.id)
        .where(ThreadTag.tag_id == tag.id)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
    )
    return OpenEndedPage(stmt, page, current_app.config["THREADS_PER_PAGE"])


def thread_tags(thread: Thread) -> list[Tag]:
    return list(
        db.session.scalars(
            select(Tag)
            .join(ThreadTag, ThreadTag.tag_id == Tag.id)
            .where(ThreadTag.thread_id == thread.id)
            .order_by(Tag.position, Tag.label)
        )
    )


# --- story details ---------------------------------------------------------------


@dataclass
class StoryDetails:
    tag_ids: list[int]
    state: str | None = None
    school_stage: str | None = None
    outcome: str | None = None


def can_edit_story(user, thread: Thread) -> bool:
    """Tags and details: the thread's author and moderators."""
    if not user.is_authenticated or not can_see_thread(user, thread):
        return False
    return user.is_moderator or (thread.author_id is not None and user.id == thread.author_id)


def is_author(user, thread: Thread) -> bool:
    return bool(
        user.is_authenticated and thread.author_id is not None and user.id == thread.author_id
    )


def _check_details(details: StoryDetails) -> None:
    if details.state is not None and details.state not in US_STATES:
        raise ForumError("Please choose a state from the list, or “Prefer not to say”.")
    if details.school_stage is not None and details.school_stage not in set(SchoolStage):
        raise ForumError("Please choose a school stage from the list, or “Prefer not to say”.")
    if details.outcome is not None and details.outcome not in set(Outcome):
        raise ForumError("Please choose an outcome from the list, or “Prefer not to say”.")


def _set_tags(thread: Thread, tag_ids: Iterable[int]) -> None:
    wanted = list(dict.fromkeys(int(t) for t in tag_ids))
    if len(wanted) > MAX_THREAD_TAGS:
        raise ForumError(f"Choose up to {MAX_THREAD_TAGS} topics.")
    current = set(
        db.session.scalars(select(ThreadTag.tag_id).where(ThreadTag.thread_id == thread.id))
    )
    added = [t for t in wanted if t not in current]
    if added:
        # Retired tags stay where they are but can't be newly chosen.
        usable = set(
            db.session.scalars(select(Tag.id).where(Tag.id.in_(added), Tag.retired.is_(False)))
        )
        if usable != set(added):
            raise ForumError("One of those topics is no longer available.")
    removed = current - set(wanted)
    if removed:
        db.session.execute(
            delete(ThreadTag).where(ThreadTag.thread_id == thread.id, ThreadTag.tag_id.in_(removed))
        )
    db.session.add_all(ThreadTag(thread_id=thread.id, tag_id=t) for t in added)


def save_story(
    editor: User, thread: Thread, details: StoryDetails, *, new_thread: bool = False
) -> None:
    """Set a thread's tags and optional details; only its author sets the outcome."""
    if not can_edit_story(editor, thread):
        raise NotAllowed("Only the thread's author and moderators can change its topics.")
    if not editor.is_moderator or is_author(editor, thread):
        ensure_can_write(editor)
    _check_details(details)
    _set_tags(thread, details.tag_ids)
    thread.state, thread.school_stage = details.state, details.school_stage
    if is_author(editor, thread) and not new_thread:
        if details.outcome != thread.outcome:
            thread.outcome = details.outcome
        thread.outcome_checked_at = now_utc()
    db.session.commit()
    forget_related(thread.id)


def outcome_due(thread: Thread, now=None) -> bool:
    """Thirty days on, and thirty days after each "still ongoing" or "not now"."""
    now = now or now_utc()
    if thread.status != PostStatus.VISIBLE or now - thread.created_at < OUTCOME_INVITE_AFTER:
        return False
    if thread.outcome_checked_at is None:
        return True
    if thread.outcome not in (None, Outcome.ONGOING):
        return False
    return now - thread.outcome_checked_at >= OUTCOME_INVITE_AFTER


@cache
def _invitations_statement():
    """Built once: the front page asks it for every signed-in member. Columns, not
    objects: the panel shows the member's own titles, which they always see."""
    cutoff = bindparam("cutoff")
    return (
        select(Thread.id, Thread.title)
        .where(
            Thread.author_id == bindparam("user_id"),
            Thread.status == PostStatus.VISIBLE,
            Thread.created_at <= cutoff,
            or_(
                Thread.outcome_checked_at.is_(None),
                (Thread.outcome_checked_at <= cutoff)
                & or_(Thread.outcome.is_(None), Thread.outcome == Outcome.ONGOING),
            ),
        )
        .order_by(Thread.created_at.desc())
        .limit(INVITES_SHOWN)
    )


def outcome_invitations(user) -> list:
    """The member's own threads that are due a "how did it turn out?", as (id, title)
    rows (one query, on the connection: it loads no objects)."""
    if not user.is_authenticated:
        return []
    cutoff = now_utc() - OUTCOME_INVITE_AFTER
    params = {"user_id": user.id, "cutoff": cutoff}
    return db.session.connection().execute(_invitations_statement(), params).all()


def put_off_outcome(user, thread: Thread) -> None:
    """ "Not now": ask again in thirty days."""
    if not is_author(user, thread):
        raise NotAllowed("Only the thread's author can answer this.")
    thread.outcome_checked_at = now_utc()
    db.session.commit()


# --- links between threads ---------------------------------------------------------

_THREAD_PATH = re.compile(r"^/threads/(\d{1,12})(?:/|$)")
_POST_PATH = re.compile(r"^/posts/(\d{1,12})(?:/|$)")


def thread_from_url(url: str) -> Thread:
    """The thread a pasted forum address points to (/threads/N or /posts/N, any host)."""
    raw = (url or "").strip()
    if not raw or len(raw) > 2000 or "\x00" in raw:
        raise ForumError("Paste the address of a thread on this forum.")
    path = urlsplit(raw if "://" in raw or raw.startswith("/") else "/" + raw).path
    if (match := _THREAD_PATH.match(path)) is not None:
        thread = db.session.get(Thread, int(match.group(1)))
    elif (match := _POST_PATH.match(path)) is not None:
        post = db.session.get(Post, int(match.group(1)))
        thread = db.session.get(Thread, post.thread_id) if post is not None else None
    else:
        raise ForumError("That doesn't look like the address of a thread on this forum.")
    if thread is None:
        raise ForumError("There is no thread at that address.")
    return thread


def link_threads(user: User, thread: Thread, url: str) -> ThreadLink:
    """Link a member's own thread (or any, for moderators) to another they can read."""
    if not user.is_authenticated or not (is_author(user, thread) or user.is_moderator):
        raise NotAllowed("You can link stories to your own threads.")
    ensure_can_write(user)
    target = thread_from_url(url)
    if target.id == thread.id:
        raise ForumError("That is this thread's own address.")
    if not can_see_thread(user, target) or target.status != PostStatus.VISIBLE:
        raise ForumError("There is no thread at that address.")
    pair = or_(
        (ThreadLink.from_thread_id == thread.id) & (ThreadLink.to_thread_id == target.id),
        (ThreadLink.from_thread_id == target.id) & (ThreadLink.to_thread_id == thread.id),
    )
    if db.session.scalar(select(ThreadLink.id).where(pair)) is not None:
        raise ForumError("These two stories are already linked.")
    link = ThreadLink(from_thread_id=thread.id, to_thread_id=target.id, created_by_id=user.id)
    db.session.add(link)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ForumError("These two stories are already linked.") from exc
    return link


def get_link(link_id: int) -> ThreadLink:
    link = db.session.get(ThreadLink, link_id)
    if link is None:
        raise NotFound("No such link.")
    return link


def can_remove_link(user, link: ThreadLink, threads: dict[int, Thread]) -> bool:
    """Authors of either thread, and moderators."""
    if not user.is_authenticated:
        return False
    if user.is_moderator:
        return True
    return any(
        (t := threads.get(tid)) is not None and t.author_id == user.id
        for tid in (link.from_thread_id, link.to_thread_id)
    )


def remove_link(user: User, link: ThreadLink) -> None:
    threads = {
        t.id: t
        for t in db.session.scalars(
            select(Thread).where(Thread.id.in_([link.from_thread_id, link.to_thread_id]))
        )
    }
    if not can_remove_link(user, link, threads):
        raise NotAllowed("Only the authors of the two threads and moderators can remove this link.")
    db.session.delete(link)
    db.session.commit()


@dataclass
class LinkView:
    link: ThreadLink
    other: Thread
    outgoing: bool  # True: "Related stories" (this thread links to other)
    removable: bool


@per_thread
def _links_statement(guest: bool):
    """Built once per server thread (forum.extensions.per_thread): its aliases must not be
    shared between threads. The kept links panel runs it only when the block is rebuilt."""
    other = aliased(Thread, name="other_thread")
    other_category = aliased(Category, name="other_category")
    this = bindparam("thread_id")
    other_id = case((ThreadLink.from_thread_id == this, ThreadLink.to_thread_id),
                    else_=ThreadLink.from_thread_id)
    stmt = (
        select(ThreadLink, other)
        .select_from(ThreadLink)
        # Both ends are indexed: find this thread's links first, then the other threads.
        .where(or_(ThreadLink.from_thread_id == this, ThreadLink.to_thread_id == this))
        .join(other, other.id == other_id)
        .join(other_category, other_category.id == other.category_id)
        .where(other.status == PostStatus.VISIBLE)
        .order_by(ThreadLink.created_at, ThreadLink.id)
    )
    return stmt.where(other_category.visibility == Visibility.PUBLIC) if guest else stmt


def thread_links(viewer, thread: Thread) -> list[LinkView]:
    """Links to and from a thread whose other end the viewer may list (one query)."""
    stmt = _links_statement(not viewer.is_authenticated)
    views = []
    for link, other_thread in db.session.execute(stmt, {"thread_id": thread.id}):
        ends = {thread.id: thread, other_thread.id: other_thread}
        views.append(
            LinkView(
                link,
                other_thread,
                link.from_thread_id == thread.id,
                can_remove_link(viewer, link, ends),
            )
        )
    return views
