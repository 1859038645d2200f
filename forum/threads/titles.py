"""What a viewer sees as a thread's title: the one place that decides.

A thread's title belongs to its opening post. When that post is out of sight
-- its author deleted it, a moderator hid it, flags hid it, or it waits for
approval again after an edit -- the title goes with it: lists, search, feeds,
digests and emails show "[removed]" to whoever can still read the replies,
and "stories like this" and similar-thread suggestions leave the thread out
(SQL: `title_shown()`). Its author and moderators still see the title, and
the author can still edit it.
"""

from __future__ import annotations

from forum.threads.models import PostStatus, Thread

REMOVED_TITLE = "[removed]"


def title_removed(thread: Thread) -> bool:
    """Whether the thread's opening post is out of sight (its title with it)."""
    return thread.opening_status != PostStatus.VISIBLE


def display_title(thread: Thread, viewer=None) -> str:
    """The title as `viewer` may see it; without a viewer, as every member sees it
    (for parts of pages that are the same for everyone)."""
    if not title_removed(thread):
        return thread.title
    if viewer is not None and viewer.is_authenticated and (
        viewer.is_moderator or viewer.id == thread.author_id
    ):
        return thread.title
    return REMOVED_TITLE


def title_shown():
    """SQL condition: threads whose title everyone may see (opening post visible)."""
    return Thread.opening_status == PostStatus.VISIBLE
