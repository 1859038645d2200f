"""Unread state: how far each member has read each thread, and their last visit.

A thread page moves the member's mark forward with one upsert (only when the page
shows posts past it; the mark came with the thread as a thread fact). Thread lists
show an unread marker through the "unread" slot: one query for the page's threads.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from flask import after_this_request, current_app, request
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import bindparam, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from forum.accounts.models import User
from forum.assembly import render_part
from forum.extensions import db, now_utc
from forum.notifications.models import NotificationSetting, ThreadRead
from forum.threads.models import Post, PostStatus, Thread

# A visit ends after this long away; "new since your last visit" counts from its start.
VISIT_GAP = timedelta(minutes=30)
NEW_SINCE_CAP = 99


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def last_read_fact(user_id):
    """Thread fact: the member's mark in the thread page's thread (NULL: never read)."""
    return (select(ThreadRead.last_number)
            .where(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user_id)
            .scalar_subquery())


def _after_page(write) -> None:
    """Run `write` (one statement) and commit once the page is rendered: a commit mid-page
    would expire what the page already loaded, and load it again."""

    def run(response):
        try:
            write()
            # A member's page on PostgreSQL reads in AUTOCOMMIT (assembly.pages): the one
            # statement is committed already, and the page keeps its connection as it was.
            options = db.session.connection().get_execution_options()
            if options.get("isolation_level") != "AUTOCOMMIT":
                db.session.commit()
        except SQLAlchemyError:  # a read mark is not worth an error page
            db.session.rollback()
            current_app.logger.warning("notifications: a read mark was not saved",
                                       exc_info=True)
        return response

    after_this_request(run)


def mark_read(user_id: int, thread_id: int, number: int) -> None:
    """Move the member's mark forward to `number` (never back); one statement."""
    stmt = _insert(ThreadRead).values(
        user_id=user_id, thread_id=thread_id, last_number=number, read_at=now_utc()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "thread_id"],
        set_={"last_number": case((ThreadRead.last_number > stmt.excluded.last_number,
                                   ThreadRead.last_number), else_=stmt.excluded.last_number),
              "read_at": stmt.excluded.read_at},
    )
    db.session.execute(stmt)


def thread_viewed(thread: Thread, facts: dict, **_) -> None:
    """A thread.tools panel that shows nothing: a member's view of a page of the thread
    moves their mark to the last post number it shows."""
    if not current_user.is_authenticated:
        return None
    per_page = current_app.config["POSTS_PER_PAGE"]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    shown = min(page * per_page, thread.post_count)
    if shown > (facts.get("last_read") or 0):
        user_id, thread_id = current_user.id, thread.id
        _after_page(lambda: mark_read(user_id, thread_id, shown))
    return None


@cache
def _unread_statement():
    """Built once: every thread list a member opens asks it."""
    return (
        select(Thread.id, Thread.post_count, ThreadRead.last_number)
        .join(ThreadRead, (ThreadRead.thread_id == Thread.id)
              & (ThreadRead.user_id == bindparam("viewer_id")))
        .where(Thread.id.in_(bindparam("ids", expanding=True)),
               Thread.post_count > ThreadRead.last_number)
    )


# Filled with ints and a URL from the url memo: a format string, not a template per mark.
_MARK = '<a class="unread-mark" href="{url}">{unread} unread</a>'


def unread_slot(viewer, args: list[str]) -> dict[str, Markup]:
    """The "unread" slot of thread lists: threads the member has read with posts since."""
    if not viewer.is_authenticated:
        return {}
    ids = sorted({int(a) for a in args if a.isdigit()})
    if not ids:
        return {}
    rows = db.session.connection().execute(_unread_statement(),
                                           {"viewer_id": viewer.id, "ids": ids}).all()
    urls = current_app.jinja_env.globals["url_for"]
    return {
        str(tid): Markup(_MARK.format(
            url=escape(urls("notifications.first_unread", thread_id=tid)), unread=count - last))
        for tid, count, last in rows
    }


def first_unread_post(user_id: int, thread_id: int) -> int | None:
    """The first visible post past the member's mark (None: nothing unread)."""
    last = db.session.scalar(
        select(ThreadRead.last_number)
        .where(ThreadRead.user_id == user_id, ThreadRead.thread_id == thread_id)
    ) or 0
    return db.session.scalar(
        select(Post.id)
        .where(Post.thread_id == thread_id, Post.number > last,
               Post.status == PostStatus.VISIBLE)
        .order_by(Post.number)
        .limit(1)
    )


# --- "new since your last visit" -----------------------------------------------------------


def visit_fact(column):
    """Session facts: when the member's visits began (known with the sign-in query)."""
    return lambda: (select(column).where(NotificationSetting.user_id == User.id)
                    .scalar_subquery())


def _visit_start(user) -> datetime | None:
    """The start of the member's previous visit. A page more than VISIT_GAP after the
    start of the last visit begins a new one: one upsert then, nothing on other pages
    (both starts came with the sign-in query)."""
    now = now_utc()
    started = getattr(user, "visit_started_at", None)
    if started is not None and now - started < VISIT_GAP:
        return getattr(user, "previous_visit_at", None)
    stmt = _insert(NotificationSetting).values(
        user_id=user.id, mentions=True, visit_started_at=now, previous_visit_at=None
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id"],
        set_={"previous_visit_at": NotificationSetting.visit_started_at,
              "visit_started_at": stmt.excluded.visit_started_at},
    )
    _after_page(lambda: db.session.execute(stmt))
    return started


def new_since_panel(**_) -> str | None:
    """Home page, for members: how many threads moved since their previous visit."""
    if not current_user.is_authenticated:
        return None
    since = _visit_start(current_user)
    if since is None:
        return None
    moved = select(Thread.id).where(Thread.status == PostStatus.VISIBLE,
                                    Thread.last_activity_at > since).limit(NEW_SINCE_CAP + 1)
    count = db.session.scalar(select(func.count()).select_from(moved.subquery()))
    return render_part("notifications/_new_since.html", count=count, cap=NEW_SINCE_CAP,
                           since=since)
