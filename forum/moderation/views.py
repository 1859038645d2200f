"""Read side of moderation: the queue, held posts and the audit log, in constant queries.

Authors reach these pages only as AuthorView (forum.threads.authors.display_author):
an anonymous author is an alias here too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.extensions import db
from forum.moderation.models import (
    FLAG_REASONS,
    AuditAction,
    AuditEntry,
    Flag,
    FlagReason,
    Sanction,
    SanctionKind,
)
from forum.moderation.sanctions import running_entry_ids, running_through
from forum.moderation.services import excerpt
from forum.threads.authors import AliasBook, AuthorView, display_author
from forum.threads.models import Post, PostStatus
from forum.threads.quotes import QuoteBook

QUEUE_PER_PAGE = 25
LOG_PER_PAGE = 50


@dataclass
class PostItem:
    """A post as a moderator sees it in a list."""

    post: Post
    author: AuthorView
    excerpt: str
    html: Markup  # the text with its quotes filled in (forum.threads.quotes)
    flags: list[Flag] = field(default_factory=list)
    # Suspensions and bans given through this post and still in force (the post's page
    # only). Never the account's state: that would link the author's posts together.
    sanctions: list[Sanction] = field(default_factory=list)
    # (label, guidelines anchor or None, how many flags gave it)
    reasons: list[tuple[str, str | None, int]] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return any(f.reason == FlagReason.CRISIS for f in self.flags)

    @property
    def notes(self) -> list[str]:
        return [f.note for f in self.flags if f.note]


def post_items(posts: list[Post], viewer, flags: list[Flag] | None = None) -> list[PostItem]:
    """View models for posts (their thread and author loaded), with their open flags."""
    aliases = AliasBook.for_threads(p.thread_id for p in posts)
    quotes = QuoteBook.for_posts(posts, aliases, viewer, posts)
    by_post: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags or []:
        by_post[flag.post_id].append(flag)
    items = []
    for post in posts:
        post_flags = by_post.get(post.id, [])
        counts = Counter(FlagReason(f.reason) for f in post_flags)
        items.append(
            PostItem(
                post=post,
                author=display_author(post, viewer, aliases, post.thread),
                excerpt=excerpt(post),
                html=quotes.html(post),
                flags=post_flags,
                reasons=[(*FLAG_REASONS[reason], n) for reason, n in counts.most_common()],
            )
        )
    return items


def _with_context(stmt):
    return stmt.options(selectinload(Post.thread), selectinload(Post.author))


def open_flags(post_ids: list[int]) -> list[Flag]:
    if not post_ids:
        return []
    return list(
        db.session.scalars(
            select(Flag)
            .where(Flag.post_id.in_(post_ids), Flag.resolved_at.is_(None))
            .order_by(Flag.created_at, Flag.id)
        )
    )


def review_queue(viewer, page: int):
    """Posts with open flags: crisis first, then most flags, then longest waiting."""
    summary = (
        select(
            Flag.post_id,
            func.count().label("flag_count"),
            func.max(case((Flag.reason == FlagReason.CRISIS, 1), else_=0)).label("crisis"),
            func.min(Flag.created_at).label("first_flag"),
        )
        .where(Flag.resolved_at.is_(None))
        .group_by(Flag.post_id)
        .subquery()
    )
    stmt = _with_context(
        select(Post)
        .join(summary, summary.c.post_id == Post.id)
        .order_by(
            summary.c.crisis.desc(), summary.c.flag_count.desc(), summary.c.first_flag, Post.id
        )
    )
    pagination = db.paginate(stmt, page=page, per_page=QUEUE_PER_PAGE, error_out=False)
    posts = list(pagination.items)
    return pagination, post_items(posts, viewer, open_flags([p.id for p in posts]))


def held_posts(viewer, page: int):
    """Posts waiting for approval, oldest first."""
    stmt = _with_context(
        select(Post).where(Post.status == PostStatus.HELD).order_by(Post.created_at, Post.id)
    )
    pagination = db.paginate(stmt, page=page, per_page=QUEUE_PER_PAGE, error_out=False)
    return pagination, post_items(list(pagination.items), viewer)


def post_item(post: Post, viewer) -> PostItem:
    """One post with its open flags and the sanctions given through it."""
    item = post_items([post], viewer, open_flags([post.id]))[0]
    item.sanctions = running_through(post.id)
    return item


def suspension_through(item: PostItem) -> Sanction | None:
    return next((s for s in item.sanctions if s.kind == SanctionKind.SUSPENSION), None)


def ban_through(item: PostItem) -> Sanction | None:
    return next((s for s in item.sanctions if s.kind == SanctionKind.BAN), None)


@dataclass
class LogRow:
    entry: AuditEntry
    author: AuthorView | None  # the target post's author, as the viewer may see them
    liftable: bool = False  # a suspension or ban this entry gave is still in force


def audit_log(viewer, page: int, action: str | None = None, actor_id: int | None = None):
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    stmt = stmt.options(
        selectinload(AuditEntry.actor),
        selectinload(AuditEntry.user),
        selectinload(AuditEntry.thread),
        selectinload(AuditEntry.post).selectinload(Post.author),
    )
    pagination = db.paginate(stmt, page=page, per_page=LOG_PER_PAGE, error_out=False)
    entries = list(pagination.items)
    aliases = AliasBook.for_threads(e.post.thread_id for e in entries if e.post is not None)
    liftable = running_entry_ids(
        [e.id for e in entries if e.action in (AuditAction.SUSPEND, AuditAction.BAN)]
    )
    rows = [
        LogRow(
            e,
            display_author(e.post, viewer, aliases) if e.post is not None else None,
            e.id in liftable,
        )
        for e in entries
    ]
    return pagination, rows


def log_actors() -> list[User]:
    """Everyone who appears as the actor of an entry, for the filter."""
    ids = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.username)))
