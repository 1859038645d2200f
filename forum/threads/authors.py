"""What a viewer sees as a post's author: the one place that decides.

An anonymous (hide_author) post shows a per-thread alias such as
"Anonymous parent · Gentle Heron": an adjective and an animal from
forum.alias_words (over 10,000 pairs), picked by a keyed hash of (thread,
member). The same member keeps one alias inside a thread and gets an unrelated
one in every other thread (where the same words may well belong to someone
else). Nothing stored or shown lets another member compute it.

Two members of one thread never share an alias: on a collision the later
member probes on to the next candidate. "Later" is the order in which members
first posted in the thread at all -- named or anonymous, visible, held or
removed. Posts are never erased (removal is a status), so that order only grows
at its end, and switching a post between named and anonymous moves nobody in
it: once a member has posted in a thread, their alias there never changes,
whatever anyone else does.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from flask import current_app, url_for
from sqlalchemy import bindparam, func, select

from forum.alias_words import ADJECTIVES, ANIMALS
from forum.extensions import db

ALIAS_PREFIX = "Anonymous parent"
FORMER_MEMBER = "Former member"
# Probing gives up (and numbers the alias) only when a thread has used nearly every pair.
MAX_PROBES = 64
AVATAR_HUES = 8


@dataclass(frozen=True)
class AuthorView:
    """An author as one viewer may see them; templates only ever get this."""

    label: str  # full text: "Anonymous parent · Heron" or the username
    initial: str
    hue: int  # 0..AVATAR_HUES-1, a CSS class, never derived from the account alone
    hidden: bool = False  # shown under an alias
    original_poster: bool = False
    is_viewer: bool = False  # the viewer wrote this (private "you posted anonymously" marker)
    profile_url: str | None = None

    def __str__(self) -> str:
        return self.label


def _alias_key() -> bytes:
    secret = current_app.config.get("ALIAS_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(str(secret).encode(), b"forum-anonymous-alias", hashlib.sha256).digest()


def _candidate(key: bytes, thread_id: int, user_id: int, attempt: int) -> str:
    digest = hmac.new(key, f"{thread_id}:{user_id}:{attempt}".encode(), hashlib.sha256).digest()
    adjective = ADJECTIVES[int.from_bytes(digest[:8], "big") % len(ADJECTIVES)]
    animal = ANIMALS[int.from_bytes(digest[8:16], "big") % len(ANIMALS)]
    return f"{adjective} {animal}"


def _alias_words(thread_id: int, user_ids: Iterable[int], key: bytes) -> Iterator[tuple[int, str]]:
    """(member, alias) in the order members first posted in the thread, each alias
    computed only when asked for.

    A member's alias depends on the aliases of those who posted before them
    (collision probing), never on those after: a reader can stop once it has
    the members it needs.
    """
    taken: set[str] = set()
    for user_id in user_ids:
        attempt = 0
        word = _candidate(key, thread_id, user_id, attempt)
        while word in taken and attempt < MAX_PROBES:
            attempt += 1
            word = _candidate(key, thread_id, user_id, attempt)
        if word in taken:  # a thread that used up nearly every pair: number them
            word = f"{word} {len(taken) + 1}"
        taken.add(word)
        yield user_id, word


def assign_aliases(
    thread_id: int, user_ids: Iterable[int], key: bytes | None = None
) -> dict[int, str]:
    """Aliases for members in the order they first posted in a thread (named or not)."""
    return dict(_alias_words(thread_id, user_ids, key or _alias_key()))


@cache
def _members_statement(up_to: bool):
    """Built once per shape: composing it anew cost a large share of a thread page."""
    from forum.threads.models import Post

    stmt = (
        select(Post.thread_id, Post.author_id, func.min(Post.id).label("first"))
        .where(Post.thread_id.in_(bindparam("thread_ids", expanding=True)),
               Post.author_id.is_not(None))
        .group_by(Post.thread_id, Post.author_id)
        .order_by(Post.thread_id, func.min(Post.id))
    )
    return stmt.where(Post.id <= bindparam("up_to")) if up_to else stmt


def _thread_members(thread_ids: list[int], up_to_post: int | None = None) -> dict[int, list[int]]:
    """Each thread's members in the order of their first post there, whatever its
    status or anonymity; with `up_to_post`, those whose first post is at or before
    that post id."""
    params = {"thread_ids": thread_ids, "up_to": up_to_post}
    ordered: dict[int, list[int]] = defaultdict(list)
    for thread_id, author_id, _first in db.session.execute(
        _members_statement(up_to_post is not None), params
    ):
        ordered[thread_id].append(author_id)
    return dict(ordered)


class AliasBook:
    """Aliases of the members of a set of threads, computed on first lookup.

    Holds each thread's members in first-post order (one query) and computes a
    thread's aliases only as far as the members a page looks up: a search
    result page needs one author in each of twenty threads, not the hundreds
    of keyed hashes for everyone who ever posted there.
    """

    def __init__(self, order: dict[int, list[int]]):
        self._order = order  # thread id -> members in first-post order
        self._words: dict[int, dict[int, str]] = {}  # computed so far
        self._pending: dict[int, Iterator[tuple[int, str]]] = {}
        self._key: bytes | None = None

    @classmethod
    def for_threads(cls, thread_ids: Iterable[int]) -> AliasBook:
        """Aliases for any member of these threads (one query)."""
        ids = sorted(set(thread_ids))
        return cls(_thread_members(ids) if ids else {})

    @classmethod
    def for_posts(cls, posts: list) -> AliasBook:
        """Aliases for the authors of these posts, from any threads (one query).

        Only threads where one of the posts is anonymous are read, and only up
        to the newest such post (a member's alias depends only on those who
        first posted there before them). The query runs even when no post is
        anonymous, so a page's query count does not depend on who wrote it.
        """
        if not posts:
            return cls({})
        anonymous = [p for p in posts if p.hide_author and p.author_id is not None]
        ids = sorted({p.thread_id for p in anonymous})
        return cls(_thread_members(ids, up_to_post=max((p.id for p in anonymous), default=0)))

    @classmethod
    def for_starters(cls, threads: Iterable) -> AliasBook:
        """Aliases of the anonymous starters of these threads, with no query.

        A starter wrote post 1, which has the thread's lowest post id, so they
        come first in the thread's member order: their alias depends on no one
        else's. (Thread lists show only starters; thread pages use for_threads.)
        """
        return cls(
            {t.id: [t.author_id] for t in threads if t.hide_author and t.author_id is not None}
        )

    def alias(self, thread_id: int, user_id: int) -> str:
        words = self._words.setdefault(thread_id, {})
        if user_id not in words and thread_id in self._order:
            self._compute_until(thread_id, user_id, words)
        word = words.get(user_id)
        if word is None:  # not loaded (e.g. a post being previewed): compute alone
            word = assign_aliases(thread_id, [user_id], self._secret())[user_id]
        return word

    def _compute_until(self, thread_id: int, user_id: int, words: dict[int, str]) -> None:
        """Advance the thread's aliases in first-post order until `user_id` has one."""
        pending = self._pending.get(thread_id)
        if pending is None:
            pending = _alias_words(thread_id, self._order[thread_id], self._secret())
            self._pending[thread_id] = pending
        for member, word in pending:
            words[member] = word
            if member == user_id:
                return

    def _secret(self) -> bytes:
        """The alias key, derived once per book (a page looks up many aliases)."""
        if self._key is None:
            self._key = _alias_key()
        return self._key


def _hue(text: str) -> int:
    return hashlib.sha256(text.encode()).digest()[0] % AVATAR_HUES


def display_author(item, viewer, aliases: AliasBook, thread=None) -> AuthorView:
    """The author of a post or thread as `viewer` may see them.

    `item` is a Post or a Thread (its starter). For a Post, pass its thread to
    mark an anonymous starter's replies "(original poster)".
    """
    thread_id = getattr(item, "thread_id", None) or item.id
    is_viewer = bool(viewer.is_authenticated and item.author_id is not None
                     and viewer.id == item.author_id)
    if item.author_id is None:
        return AuthorView(label=FORMER_MEMBER, initial="?", hue=0)
    if item.hide_author:
        word = aliases.alias(thread_id, item.author_id)
        is_op = bool(
            thread is not None
            and thread.hide_author
            and thread.author_id == item.author_id
            and getattr(item, "number", 1) != 1
        )
        label = f"{ALIAS_PREFIX} · {word}" + (" (original poster)" if is_op else "")
        return AuthorView(
            label=label,
            initial=word[0],
            hue=_hue(f"{thread_id}:{word}"),
            hidden=True,
            original_poster=is_op,
            is_viewer=is_viewer,
        )
    user = item.author
    if user.deleted_at is not None:  # a deleted account's named posts: no name, no profile
        return AuthorView(label=FORMER_MEMBER, initial="?", hue=0)
    return AuthorView(
        label=user.username,
        initial=user.username[0].upper(),
        hue=_hue(user.username),
        is_viewer=is_viewer,
        profile_url=url_for("threads.profile", username=user.username),
    )
