"""Quotes, filled in when a post is shown: they follow the quoted post.

A quote is stored as a reference (forum.text: `[quote=post:123]` becomes an
empty placeholder), never as a copy of a name or of words. Each time a post
is shown, every quote in it gets the quoted post's author through
display_author and its words as they are now. So switching the quoted post
between named and anonymous, editing it, deleting the account behind it, or a
moderator hiding it reaches every quote of it at once.

The rule, the same for every viewer: a quote shows its post only when that
post is visible and in the same thread as the quoting post; otherwise (hidden,
deleted, held, flagged out of sight, in another thread, or no such post) it
shows "[removed]" and nothing else, not even whether the post exists. The
quoted words are the post's own: quotes inside it are left out, so quotes
never nest. Excerpts (search, feeds, emails, profiles) read the stored HTML,
where a quote is empty: they show only what a member wrote themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.text import fill_quotes, quote_ids
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Post, PostStatus

REMOVED = "[removed]"
REMOVED_HTML = Markup(
    f'<figure class="quote quote--removed"><figcaption>{REMOVED}</figcaption></figure>\n'
)


class QuoteBook:
    """The posts quoted by a set of posts, loaded at once, and their rendering.

    `aliases` must cover the quoting posts' threads (AliasBook.for_threads):
    a quote only ever shows a post of the same thread.
    """

    def __init__(self, sources: dict[int, Post], aliases: AliasBook, viewer):
        self._sources = sources
        self._aliases = aliases
        self._viewer = viewer

    @classmethod
    def for_posts(
        cls, posts: Iterable[Post], aliases: AliasBook, viewer, loaded: Iterable[Post] = ()
    ) -> QuoteBook:
        """The quoted posts of `posts`: those already in `loaded` (a page's posts) cost
        nothing, the others one query, and none at all when nothing is quoted."""
        wanted = {ref for post in posts for ref in quote_ids(post.body_html)}
        sources = {p.id: p for p in loaded if p.id in wanted}
        missing = wanted - sources.keys()
        if missing:
            sources.update(
                (p.id, p)
                for p in db.session.scalars(
                    select(Post).where(Post.id.in_(missing)).options(joinedload(Post.author))
                )
            )
        return cls(sources, aliases, viewer)

    def html(self, post: Post) -> Markup:
        """The post's stored HTML with its quotes filled in."""
        return fill_quotes(post.body_html, lambda ref: self.quote(ref, post.thread_id, post.id))

    def quote(self, ref: int, thread_id: int, quoting_id: int | None = None) -> Markup:
        """How a quote of post `ref` looks in a post (`quoting_id`) of thread `thread_id`."""
        source = self._sources.get(ref)
        if (
            source is None
            or source.id == quoting_id
            or source.thread_id != thread_id
            or source.status != PostStatus.VISIBLE
        ):
            return REMOVED_HTML
        # No thread given: a quote names the author without "(original poster)".
        label = display_author(source, self._viewer, self._aliases).label
        words = fill_quotes(source.body_html, lambda _ref: "")  # its own words: no nesting
        href = url_for("threads.permalink", post_id=source.id)
        return Markup(
            '<figure class="quote"><figcaption><a href="{href}">{label} wrote:</a></figcaption>'
            "<blockquote>\n{words}</blockquote></figure>\n"
        ).format(href=href, label=escape(label), words=words)
