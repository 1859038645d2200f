"""View models: the per-viewer shape of threads and posts that templates render."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from forum.threads.authors import AliasBook, AuthorView, display_author
from forum.threads.models import Post, PostStatus, Thread
from forum.threads.quotes import QuoteBook
from forum.threads.services import can_see_post
from forum.threads.titles import display_title


@dataclass
class ThreadRow:
    thread: Thread
    author: AuthorView
    title: str  # forum.threads.titles: "[removed]" when the opening post is out of sight


@dataclass
class PostView:
    post: Post
    author: AuthorView
    readable: bool  # the viewer may see the text (else a placeholder)
    notice: str | None  # "removed", "hidden by moderators", ...
    html: Markup | None  # the text with its quotes filled in (None when not readable)
    can_flag: bool = False  # a member who may flag it (not its author)
    can_moderate: bool = False


NOTICES = {
    PostStatus.DELETED: "This post was removed.",
    PostStatus.HIDDEN: "This post was hidden by moderators.",
    PostStatus.FLAG_HIDDEN: "Hidden while moderators review it.",
    PostStatus.HELD: "Waiting for a moderator to approve it.",
}


def thread_rows(threads: list[Thread], viewer) -> list[ThreadRow]:
    aliases = AliasBook.for_starters(threads)
    return [
        ThreadRow(t, display_author(t, viewer, aliases), display_title(t, viewer)) for t in threads
    ]


def post_views(posts: list[Post], thread: Thread, viewer, aliases: AliasBook) -> list[PostView]:
    """A page of a thread's posts as `viewer` sees them; `aliases` covers the thread."""
    shown = []
    for post in posts:
        readable = post.status != PostStatus.DELETED and can_see_post(viewer, post)
        if post.status == PostStatus.HELD and not readable:
            continue  # a post waiting for approval is shown to its author and moderators only
        shown.append((post, readable))
    quotes = QuoteBook.for_posts((p for p, readable in shown if readable), aliases, viewer, posts)
    views = []
    for post, readable in shown:
        views.append(
            PostView(
                post=post,
                author=display_author(post, viewer, aliases, thread),
                readable=readable,
                notice=NOTICES.get(post.status),
                html=quotes.html(post) if readable else None,
                can_flag=bool(
                    viewer.is_authenticated
                    and post.author_id != viewer.id
                    and post.status == PostStatus.VISIBLE
                    and not viewer.is_suspended
                ),
                can_moderate=viewer.is_moderator,
            )
        )
    return views
