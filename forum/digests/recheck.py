"""Re-checking digests at send time: a run loads its candidates once, and anything hidden,
held or deleted while it goes on must still be left out (one query per batch: how many
are still visible; the items themselves only when some are not)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from sqlalchemy import Integer, any_, bindparam, case, func, literal_column, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY

from forum.digests.building import Digest
from forum.extensions import db
from forum.threads.models import Post, PostStatus, Thread


@cache
def _recheck_statement(dialect: str):
    """Which of these threads (and their first posts) and replies are still visible.

    Built once: compiling it for every batch cost more than running it. On PostgreSQL
    the ids go as two arrays (= ANY): the same SQL text for every batch, prepared once,
    where IN lists of each batch's length were a new statement each time.
    """
    if dialect == "postgresql":
        ids = ARRAY(Integer)
        thread_ok = Thread.id == any_(bindparam("threads", type_=ids))
        post_ok = Post.id == any_(bindparam("posts", type_=ids))
    else:
        thread_ok = Thread.id.in_(bindparam("threads", expanding=True))
        post_ok = Post.id.in_(bindparam("posts", expanding=True))
    first = Post.__table__.alias("first_post")
    threads_ok = (
        select(literal_column("'t'").label("kind"), Thread.id.label("id"))
        .join(first, (first.c.thread_id == Thread.id) & (first.c.number == 1))
        .where(
            thread_ok,
            Thread.status == PostStatus.VISIBLE,
            first.c.status == PostStatus.VISIBLE,
        )
    )
    posts_ok = select(literal_column("'p'"), Post.id).where(
        post_ok, Post.status == PostStatus.VISIBLE
    )
    return union_all(threads_ok, posts_ok)


@cache
def _count_statement(dialect: str):
    """How many of them are still visible: one row, where the items are hundreds."""
    visible = _recheck_statement(dialect).subquery()
    return select(
        func.count(case((visible.c.kind == "t", 1))), func.count(case((visible.c.kind == "p", 1)))
    )


def _items(digest: Digest) -> tuple[set[int], set[int]]:
    thread_ids = {e.thread_id for e in digest.entries} | {g.thread_id for g in digest.replies}
    return thread_ids, {i.post_id for g in digest.replies for i in g.items}


def recheck(digests: list[Digest]) -> list[Digest]:
    """Drop whatever was hidden, held or deleted since the run loaded it (one query)."""
    thread_ids: set[int] = set()
    post_ids: set[int] = set()
    for digest in digests:
        threads, posts = _items(digest)
        thread_ids |= threads
        post_ids |= posts
    if not thread_ids:
        return digests
    dialect = db.session.get_bind().dialect.name
    ids = {"threads": sorted(thread_ids), "posts": sorted(post_ids)}
    if tuple(db.session.execute(_count_statement(dialect), ids).one()) == (
        len(thread_ids),
        len(post_ids),
    ):
        return digests  # the usual case: nothing changed since the run loaded it
    rows = db.session.execute(_recheck_statement(dialect), ids).all()
    ok_threads = {i for k, i in rows if k == "t"}
    ok_posts = {i for k, i in rows if k == "p"}
    return [_without(d, ok_threads, ok_posts) for d in digests]


def _without(digest: Digest, ok_threads: set[int], ok_posts: set[int]) -> Digest:
    threads, posts = _items(digest)
    if threads <= ok_threads and posts <= ok_posts:
        return digest
    sections = []
    for s in digest.sections:
        entries = tuple(e for e in s.entries if e.thread_id in ok_threads)
        if entries:
            sections.append(replace(s, entries=entries))
    replies = []
    for g in digest.replies:
        items = tuple(i for i in g.items if i.post_id in ok_posts)
        if g.thread_id in ok_threads and items:
            replies.append(replace(g, items=items, url=items[0].url))
    return replace(digest, sections=sections, replies=replies)
