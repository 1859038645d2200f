"""What a notification says to its recipient: others only as the recipient may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from forum.notifications.models import Kind, Notification
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import PostStatus
from forum.threads.titles import display_title


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    text: str
    when: datetime
    unread: bool


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _actor(n: Notification, viewer, aliases: AliasBook) -> str:
    """Whoever acted, as the recipient would see them on the thread page: the alias of an
    anonymous post, "someone" for a post that is no longer shown."""
    post, thread = n.actor_post, n.thread
    if post is None or thread is None:
        return "Someone"
    if post.status != PostStatus.VISIBLE or thread.status != PostStatus.VISIBLE:
        return "Someone"
    return display_author(post, viewer, aliases, thread).label


def describe(n: Notification, viewer, aliases: AliasBook) -> str:
    title = f"“{display_title(n.thread, viewer)}”" if n.thread is not None else "a thread"
    match n.kind:
        case Kind.REPLY if n.count > 1:
            return (f"{_plural(n.count, 'new reply', 'new replies')} in {title}, "
                    f"the latest from {_actor(n, viewer, aliases)}")
        case Kind.REPLY:
            return f"{_actor(n, viewer, aliases)} replied in {title}"
        case Kind.QUOTE:
            return f"{_actor(n, viewer, aliases)} quoted your post in {title}"
        case Kind.MENTION:
            return f"{_actor(n, viewer, aliases)} mentioned you in {title}"
        case Kind.REACTION:
            # A count of reactions, not of parents: one parent may give several kinds,
            # and who reacted is never stored here.
            return (f"Parents reacted to your post in {title} "
                    f"({_plural(n.count, 'reaction', 'reactions')})")
        case Kind.NOTE:
            return f"A moderator sent you a note about your post in {title}"
        case Kind.FLAG:
            return f"A moderator reviewed the post you flagged in {title}"
        case Kind.REVEAL:
            return f"An admin looked up who wrote your anonymous post in {title}"
    return f"Something new in {title}"


def build(items: list[Notification], viewer) -> list[NotificationView]:
    """Views of a page of notifications: one query for every alias they need."""
    aliases = AliasBook.for_posts([n.actor_post for n in items if n.actor_post is not None])
    return [
        NotificationView(n.id, str(n.kind), describe(n, viewer, aliases), n.updated_at,
                         n.read_at is None)
        for n in items
    ]


def target_url(n: Notification) -> str:
    """Where opening a notification goes: the post it is about; notes and reveals to the
    front page, where the notice itself waits."""
    if n.kind in (Kind.NOTE, Kind.REVEAL) or n.post_id is None:
        return url_for("threads.index")
    return url_for("threads.permalink", post_id=n.post_id)
