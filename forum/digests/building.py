"""Building digests: load what is new once per run, then choose per member in Python.

`Candidates` loads everything new in a window in a fixed number of queries
(categories, new threads with first posts and authors, new replies, aliases,
tags, follows), whatever the number of members. `build_digest` is then a pure
filter over those lists for one member; a category's list is built once for all
members who see the same one (most do). Sending re-checks the chosen items
(forum.digests.recheck, one query per batch of messages), so something hidden
during a long run is still left out.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.digests.models import DeliveryKind, ThreadFollow
from forum.digests.tags import TagInfo, matches_tags, tags_for_threads
from forum.extensions import db
from forum.text import plain_text
from forum.threads.authors import AliasBook, AuthorView, display_author
from forum.threads.models import Category, Post, PostStatus, Thread
from forum.threads.services import can_read_category
from forum.threads.titles import display_title

EXCERPT_CHARS = 200
PERIODS = {DeliveryKind.DAILY: timedelta(days=1), DeliveryKind.WEEKLY: timedelta(days=7)}
REPLIES_SHOWN = 5
SETTLE = timedelta(minutes=2)  # per thread in a notification; the rest are counted


def window_end(kind: DeliveryKind, now: datetime) -> datetime:
    """The end of the window a run at `now` sends: a fixed boundary, the same for every run.

    Digests end at the start of today (daily) or of this ISO week, Monday 00:00
    UTC (weekly); notifications at the last quarter hour (DIGEST_NOTIFY_MINUTES).
    Every run in the same day, week or quarter hour computes the same value, which
    is what the unique (member, kind, window_end) claim relies on. A window counts
    as over only SETTLE after its end, so a post whose transaction was still
    committing at the boundary is not missed.
    """
    now = now - SETTLE
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == DeliveryKind.DAILY:
        return day
    if kind == DeliveryKind.WEEKLY:
        return day - timedelta(days=day.weekday())
    step = int(current_app.config["DIGEST_NOTIFY_MINUTES"])
    minutes = (now.hour * 60 + now.minute) // step * step
    return day + timedelta(minutes=minutes)


def external_url(endpoint: str, **values) -> str:
    """An absolute link on the site's public address (FORUM_BASE_URL)."""
    base = urlsplit(current_app.config["BASE_URL"])
    return f"{base.scheme}://{base.netloc}{url_for(endpoint, **values)}"


@dataclass
class Recipient:
    """A member who may get this message, with their choices."""

    user: User
    since: datetime  # the window starts here (previous message, or subscribing)
    titles_in_subject: bool = False
    choices: dict[int, bool] = field(default_factory=dict)  # category id -> included
    tags: frozenset[str] = frozenset()
    follows: dict[int, bool] = field(default_factory=dict)  # thread id -> following

    def includes(self, category: Category) -> bool:
        """Default: every category, except sensitive ones (opt-in)."""
        return self.choices.get(category.id, not category.sensitive)


@dataclass(frozen=True)
class Entry:
    """A new thread as one member sees it in a digest."""

    thread_id: int
    title: str
    url: str
    author: AuthorView
    excerpt: str
    reply_count: int
    tags: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class ReplyItem:
    post_id: int
    author: AuthorView
    excerpt: str
    url: str
    created_at: datetime


@dataclass(frozen=True)
class ReplyGroup:
    """New replies in one followed thread."""

    thread_id: int
    title: str
    url: str  # the first new reply
    category: str
    items: tuple[ReplyItem, ...]  # all new replies, oldest first

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def shown(self) -> tuple[ReplyItem, ...]:
        return self.items[-REPLIES_SHOWN:]

    @property
    def latest(self) -> ReplyItem:
        return self.items[-1]


# eq=False: compared and hashed by identity. Members who see the same list share one
# Section (Candidates.new_threads_for), and messages.Fragments renders each one once.
@dataclass(frozen=True, eq=False)
class Section:
    category: str
    url: str
    entries: tuple[Entry, ...]
    more: int = 0  # further new threads in this category, not listed (see the cap)


@dataclass
class Digest:
    recipient: Recipient
    kind: DeliveryKind
    window_start: datetime
    window_end: datetime
    sections: list[Section]
    replies: list[ReplyGroup]
    more_replies: int = 0  # further threads with new replies, not listed

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.entries]

    @property
    def item_count(self) -> int:
        return len(self.entries) + sum(g.count for g in self.replies)

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.replies


@dataclass
class _NewThread:
    thread: Thread
    excerpt: str
    tags: list[TagInfo]


class Candidates:
    """Everything new in [start, end) that any member might be sent."""

    def __init__(
        self,
        start: datetime,
        end: datetime,
        *,
        new_threads: bool = True,
        shard: tuple[int, int] | None = None,
    ):
        """`shard=(i, n)`: only the follows of members whose id is i modulo n are loaded
        (the run's members: forum.digests.parallel)."""
        self.start, self.end = start, end
        self.shard = shard
        self.categories = {
            c.id: c
            for c in db.session.scalars(select(Category).order_by(Category.position, Category.id))
        }
        self.threads_by_category: dict[int, list[_NewThread]] = defaultdict(list)
        self._created: dict[int, list[datetime]] = {}
        self._starters: dict[int, set[int]] = {}  # category id -> who started its new threads
        if new_threads:
            self._load_threads()
        self._load_replies()
        ids = {t.thread.id for items in self.threads_by_category.values() for t in items}
        self.aliases = AliasBook.for_threads(ids | set(self.replies_by_thread))
        self._load_follows()
        self.per_category = current_app.config["DIGEST_MAX_PER_CATEGORY"]
        self.reply_threads_max = current_app.config["DIGEST_MAX_REPLY_THREADS"]
        self._authors: dict[tuple, AuthorView] = {}
        self._entries: dict[tuple, Entry] = {}
        self._replies: dict[tuple, ReplyItem] = {}
        self._thread_urls: dict[int, str] = {}
        self._category_urls: dict[str, str] = {}
        self._sections: dict[tuple, Section | None] = {}

    def _load_threads(self) -> None:
        rows = db.session.execute(
            select(Thread, Post.body_html)
            .join(Post, (Post.thread_id == Thread.id) & (Post.number == 1))
            .where(
                Thread.created_at >= self.start,
                Thread.created_at < self.end,
                Thread.status == PostStatus.VISIBLE,
                Post.status == PostStatus.VISIBLE,
            )
            .options(selectinload(Thread.author))
            .order_by(Thread.created_at.desc(), Thread.id.desc())
        ).all()
        tags = tags_for_threads(t.id for t, _ in rows)
        for thread, body_html in rows:
            self.threads_by_category[thread.category_id].append(
                _NewThread(thread, plain_text(body_html, EXCERPT_CHARS), tags.get(thread.id, []))
            )
        # Oldest first per category, so a member's window is one bisect away.
        self._created = {
            cid: [t.thread.created_at for t in reversed(items)]
            for cid, items in self.threads_by_category.items()
        }
        self._starters = {
            cid: {t.thread.author_id for t in items}
            for cid, items in self.threads_by_category.items()
        }

    def _load_replies(self) -> None:
        posts = db.session.scalars(
            select(Post)
            .join(Thread, Thread.id == Post.thread_id)
            .where(
                Post.number > 1,
                Post.created_at >= self.start,
                Post.created_at < self.end,
                Post.status == PostStatus.VISIBLE,
                Thread.status == PostStatus.VISIBLE,
            )
            .options(selectinload(Post.author), selectinload(Post.thread))
            .order_by(Post.created_at, Post.id)
        ).all()
        self.replies_by_thread: dict[int, list[Post]] = defaultdict(list)
        self.reply_threads: dict[int, Thread] = {}
        self.started_by: dict[int, set[int]] = defaultdict(set)
        for post in posts:
            self.replies_by_thread[post.thread_id].append(post)
            self.reply_threads[post.thread_id] = post.thread
            if post.thread.author_id is not None:
                self.started_by[post.thread.author_id].add(post.thread_id)

    def _load_follows(self) -> None:
        self.follows_by_user: dict[int, dict[int, bool]] = defaultdict(dict)
        if not self.replies_by_thread:
            return
        with_replies = (
            select(Post.thread_id)
            .where(Post.number > 1, Post.created_at >= self.start, Post.created_at < self.end)
            .distinct()
        )
        follows = select(
            ThreadFollow.user_id, ThreadFollow.thread_id, ThreadFollow.following
        ).where(ThreadFollow.thread_id.in_(with_replies))
        if self.shard is not None:
            follows = follows.where(ThreadFollow.user_id % self.shard[1] == self.shard[0])
        rows = db.session.execute(follows).all()
        for user_id, thread_id, following in rows:
            self.follows_by_user[user_id][thread_id] = following

    # -- per-member views, memoised: most members see the same items the same way --

    def author(self, item: Thread | Post, viewer: User) -> AuthorView:
        """display_author, cached by what it depends on besides the item: whether the
        viewer wrote it (a private marker) and the viewer's role."""
        key = (type(item).__name__, item.id, viewer.id == item.author_id, viewer.is_moderator)
        view = self._authors.get(key)
        if view is None:
            thread = self.reply_threads.get(item.thread_id) if isinstance(item, Post) else None
            view = self._authors[key] = display_author(item, viewer, self.aliases, thread)
        return view

    def category_url(self, category: Category) -> str:
        if category.slug not in self._category_urls:
            self._category_urls[category.slug] = external_url(
                "threads.category", slug=category.slug
            )
        return self._category_urls[category.slug]

    def thread_url(self, thread_id: int) -> str:
        if thread_id not in self._thread_urls:
            self._thread_urls[thread_id] = external_url("threads.show", thread_id=thread_id)
        return self._thread_urls[thread_id]

    def entry(self, item: _NewThread, viewer: User) -> Entry:
        thread = item.thread
        author = self.author(thread, viewer)
        entry = self._entries.get((thread.id, author))
        if entry is None:
            entry = self._entries[(thread.id, author)] = Entry(
                thread_id=thread.id,
                title=thread.title,
                url=self.thread_url(thread.id),
                author=author,
                excerpt=item.excerpt,
                reply_count=thread.reply_count,
                tags=tuple(t.label for t in item.tags),
                created_at=thread.created_at,
            )
        return entry

    def reply_item(self, post: Post, viewer: User) -> ReplyItem:
        author = self.author(post, viewer)
        item = self._replies.get((post.id, author))
        if item is None:
            item = self._replies[(post.id, author)] = ReplyItem(
                post_id=post.id,
                author=author,
                excerpt=plain_text(post.body_html, EXCERPT_CHARS),
                url=external_url("threads.permalink", post_id=post.id),
                created_at=post.created_at,
            )
        return item

    def new_threads_for(self, r: Recipient) -> list[Section]:
        user, sections = r.user, []
        for category_id, items in self.threads_by_category.items():
            category = self.categories[category_id]
            if not can_read_category(user, category):
                continue
            included = r.includes(category)
            if not included and (category.sensitive or not r.tags):
                continue  # sensitive categories come only by choosing them, never by tag
            # items are newest first: keep those created at or after r.since.
            created = self._created[category_id]
            count = len(created) - bisect_left(created, r.since)
            tags = None if included else r.tags
            if user.id in self._starters[category_id]:  # leave out their own threads
                section = self._section(category, items[:count], tags, user)
            else:  # the same list for everyone with this window and filter: build it once
                key = (category_id, count, tags)
                if key not in self._sections:
                    self._sections[key] = self._section(category, items[:count], tags, user)
                section = self._sections[key]
            if section is not None:
                sections.append((category.position, category.id, section))
        return [s for *_, s in sorted(sections, key=lambda s: (s[0], s[1]))]

    def _section(
        self, category: Category, items: list[_NewThread], tags: frozenset[str] | None, viewer
    ) -> Section | None:
        """A category's new threads for one viewer; over the cap, the least answered ones.

        A busy week must not bury the thread that most needs answers (a parent's
        question posted on Monday) under "and N more": the cap keeps the threads
        with the fewest replies (ties: the newer), shown newest first.
        """
        eligible = [
            item
            for item in items
            if item.thread.author_id != viewer.id
            and (tags is None or matches_tags(tags, item.tags))
        ]
        if not eligible:
            return None
        # sorted() is stable and `eligible` is newest first: ties keep the newer.
        ranked = sorted(range(len(eligible)), key=lambda n: eligible[n].thread.reply_count)
        chosen = sorted(ranked[: self.per_category])  # back to newest first
        entries = tuple(self.entry(eligible[n], viewer) for n in chosen)
        more = len(eligible) - len(entries)
        return Section(category.name, self.category_url(category), entries, more)

    def replies_for(self, r: Recipient, skip: set[int] = frozenset()) -> list[ReplyGroup]:
        """New replies by others in threads the member follows (starters follow their own)."""
        user = r.user
        followed = {tid for tid, on in r.follows.items() if on and tid in self.replies_by_thread}
        followed |= {tid for tid in self.started_by.get(user.id, ()) if r.follows.get(tid, True)}
        groups = []
        for thread_id in followed - set(skip):
            thread = self.reply_threads[thread_id]
            if not can_read_category(user, thread.category):
                continue
            posts = [
                p
                for p in self.replies_by_thread[thread_id]
                if p.created_at >= r.since and p.author_id != user.id
            ]
            if not posts:
                continue
            items = tuple(self.reply_item(p, user) for p in posts)
            groups.append(
                # The title as this member may see it: "[removed]" with the opening post.
                ReplyGroup(thread_id, display_title(thread, user), items[0].url,
                           thread.category.name, items)
            )
        groups.sort(key=lambda g: (g.latest.created_at, g.thread_id), reverse=True)
        return groups


def build_digest(r: Recipient, candidates: Candidates, kind: DeliveryKind) -> Digest:
    """One member's digest (or reply notification) from the run's candidates."""
    sections = candidates.new_threads_for(r) if kind != DeliveryKind.REPLIES else []
    listed = {e.thread_id for s in sections for e in s.entries}
    replies = candidates.replies_for(r, skip=listed)
    cap = candidates.reply_threads_max
    more = max(len(replies) - cap, 0)
    return Digest(r, kind, r.since, candidates.end, sections, replies[:cap], more)
