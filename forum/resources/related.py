""" "Stories like this": threads ranked by shared tags, school stage, state and text.

The ranking looks only at what a thread says about itself (its tags, details,
title and opening post), never at who wrote it, and returns only threads the
viewer may list. One SQL statement per list.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from functools import cache

from flask import current_app
from sqlalchemy import Float, Select, bindparam, case, cast, func, literal, select, union
from sqlalchemy.orm import contains_eager

from forum.extensions import db
from forum.resources.models import ThreadTag
from forum.resources.search import STOPWORDS, any_of, backend
from forum.threads.models import Category, Post, PostStatus, Thread, Visibility
from forum.threads.titles import title_removed, title_shown

LIMIT = 5
TEXT_CANDIDATES = 50
TAG_CANDIDATES = 200
# A shared topic counts, but what the title says is the most specific signal.
TAG_WEIGHT = 1.5
TEXT_WEIGHT = 3.0
STAGE_WEIGHT = 1.0
STATE_WEIGHT = 0.5
_WORD = re.compile(r"[^\W\d_]{3,40}")


def key_words(title: str, body: str = "", *, body_words: int = 3) -> list[str]:
    """The words that say what a story is about: the title's, then words the body repeats."""
    title_words = [w.casefold() for w in _WORD.findall(title or "")]
    words = [w for w in title_words if w not in STOPWORDS]
    counts = Counter(w.casefold() for w in _WORD.findall((body or "")[:4000]))
    repeated = [
        w
        for w, n in counts.most_common()
        if n >= 3 and len(w) >= 4 and w not in STOPWORDS and w not in words
    ]
    return words + repeated[:body_words]


def rank_stories(
    viewer,
    *,
    words: list[str],
    tag_ids: Iterable[int] | Select | None = None,
    school_stage: str | None = None,
    state: str | None = None,
    exclude_thread_id: int | None = None,
    limit: int = LIMIT,
) -> list[Thread]:
    """Up to `limit` visible threads most like the given words, tags and details."""
    sources = []
    score = literal(0.0, Float)
    if tag_ids is not None:
        # The threads sharing the most topics (newest first): a bounded candidate list.
        by_tags = (
            select(ThreadTag.thread_id)
            .where(ThreadTag.tag_id.in_(tag_ids))
            .group_by(ThreadTag.thread_id)
            .order_by(func.count().desc(), ThreadTag.thread_id.desc())
            .limit(TAG_CANDIDATES)
            .subquery("by_tags")
        )
        sources.append(select(by_tags.c.thread_id))
        # Per candidate, an index lookup on thread_tags' primary key.
        shared = (
            select(func.count())
            .where(ThreadTag.thread_id == Thread.id, ThreadTag.tag_id.in_(tag_ids))
            .scalar_subquery()
        )
        score = score + TAG_WEIGHT * shared
    text_hits = None
    query = any_of(words)
    if query:
        text_hits = backend().similar_titles(query, TEXT_CANDIDATES)
        sources.append(select(text_hits.c.thread_id))
        best = func.max(text_hits.c.score).over()
        score = score + TEXT_WEIGHT * func.coalesce(
            cast(text_hits.c.score, Float) / func.nullif(best, 0), 0.0
        )
    if not sources:
        return []
    candidates = (union(*sources) if len(sources) > 1 else sources[0]).subquery("candidates")
    if school_stage:
        score = score + case((Thread.school_stage == school_stage, STAGE_WEIGHT), else_=0.0)
    if state:
        score = score + case((Thread.state == state, STATE_WEIGHT), else_=0.0)
    score = score.label("score")

    stmt = (
        select(Thread, score)
        .join(candidates, candidates.c.thread_id == Thread.id)
        .join(Thread.category)
        .options(contains_eager(Thread.category))
        # A thread whose opening post is removed lost its title: never suggested.
        .where(Thread.status == PostStatus.VISIBLE, title_shown())
    )
    if text_hits is not None:
        stmt = stmt.outerjoin(text_hits, text_hits.c.thread_id == Thread.id)
    if exclude_thread_id is not None:
        stmt = stmt.where(Thread.id != exclude_thread_id)
    if not viewer.is_authenticated:
        stmt = stmt.where(Category.visibility == Visibility.PUBLIC)
    stmt = stmt.order_by(score.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    stmt = stmt.limit(limit)
    return [row[0] for row in db.session.execute(stmt)]


def related_threads(
    viewer, thread: Thread, opening: Post | None, limit: int = LIMIT
) -> list[Thread]:
    """ "Stories like this" for a thread page.

    `opening` is the thread's first post when the page already has it (page 1);
    later pages load its text with one small query. When the opening post is out
    of sight, neither its words nor the title (removed with it) are used.
    """
    if title_removed(thread):
        title = body = ""
    elif opening is None:
        title = thread.title
        body = db.session.scalar(
            select(Post.body).where(Post.thread_id == thread.id, Post.number == 1)
        ) or ""
    else:
        title, body = thread.title, opening.body
    return rank_stories(
        viewer,
        words=key_words(title, body),
        tag_ids=select(ThreadTag.tag_id).where(ThreadTag.thread_id == thread.id),
        school_stage=thread.school_stage,
        state=thread.state,
        exclude_thread_id=thread.id,
        limit=limit,
    )


def similar_to_draft(
    viewer, title: str, body: str = "", tag_ids: Iterable[int] = (), limit: int = LIMIT
) -> list[Thread]:
    """ "Parents have written about this": threads like a thread still being written."""
    tag_ids = [int(t) for t in tag_ids]
    return rank_stories(viewer, words=key_words(title, body), tag_ids=tag_ids or None, limit=limit)


class _RecentLists:
    """A small per-process memory of recent "stories like this" lists (thread ids only)."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._items: OrderedDict[tuple, tuple[float, list[int]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, max_age: float) -> list[int] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > max_age:
                return None
            self._items.move_to_end(key)
            return item[1]

    def forget(self, key: tuple) -> None:
        with self._lock:
            self._items.pop(key, None)

    def put(self, key: tuple, ids: list[int]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), ids)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@cache
def _visible_statement(guest: bool):
    """Built once per kind of viewer: composing it cost more than running it."""
    stmt = (
        select(Thread)
        .join(Thread.category)
        .options(contains_eager(Thread.category))
        .where(Thread.id.in_(bindparam("ids", expanding=True)),
               Thread.status == PostStatus.VISIBLE, title_shown())
    )
    return stmt.where(Category.visibility == Visibility.PUBLIC) if guest else stmt


def _visible_in_order(viewer, ids: list[int]) -> list[Thread]:
    """The listed threads the viewer may still see, in the listed order (one query)."""
    if not ids:
        return []
    stmt = _visible_statement(not viewer.is_authenticated)
    found = {t.id: t for t in db.session.scalars(stmt, {"ids": list(ids)})}
    return [found[i] for i in ids if i in found]


class _AnyMember:
    """Who a remembered ranking is made for: a member, who may read every category."""

    is_authenticated = True


def related_for_page(viewer, thread: Thread, opening: Post | None) -> list[Thread]:
    """related_threads, remembered for RELATED_CACHE_SECONDS per thread.

    One ranking serves guests and members: it is made as for a member, twice as long as
    shown, and what each viewer may see of it is checked on every page view
    (`_visible_in_order`), so hidden or members-only threads never leak; a guest sees the
    public ones among them. (One ranking per thread and worker, not two: ranking was a
    third of a thread page's time on a busy server whose rankings had not been made yet.)
    """
    max_age = current_app.config.get("RELATED_CACHE_SECONDS", 300)
    if not max_age:
        return related_threads(viewer, thread, opening)
    lists = current_app.extensions.setdefault("related_stories", _RecentLists())
    # A removed opening post takes the title out of the ranking: a list of its own.
    key = (thread.id, title_removed(thread))
    ids = lists.get(key, max_age)
    if ids is None:
        found = related_threads(_AnyMember(), thread, opening, limit=2 * LIMIT)
        lists.put(key, [t.id for t in found])
        # Just ranked: all visible; a guest, the public ones (as _visible_in_order checks).
        return [t for t in found if viewer.is_authenticated or t.category.is_public][:LIMIT]
    return _visible_in_order(viewer, ids)[:LIMIT]


def forget_related(thread_id: int) -> None:
    """Drop this process's remembered lists for a thread (after its topics change)."""
    lists = current_app.extensions.get("related_stories")
    if lists is not None:
        for removed in (False, True):
            lists.forget((thread_id, removed))
