"""A moderator's redaction: an edit that also removes what it removed from the history.

An ordinary moderator edit keeps the old text as a revision, which the author and
moderators can read and the author's data export holds. When the removed text is
what must not be kept (a child's full name, a school, an address), the moderator
ticks "redact", and the rule is:

    after a redacting edit, no stored revision of the post holds text that the new
    version doesn't.

Which earlier text "contains" the removed words is not decidable in general (the
words may be split across versions, paraphrased, or in a title), so every earlier
version goes: all the post's revisions are deleted and replaced by one marker
revision (`redacted=True`, empty body and title) that says a moderator redacted
the earlier versions, and when. The audit entry says that a redaction happened,
never what was removed. What other members quoted in their own posts is theirs:
a moderator redacts those posts one by one.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.actions import ensure_moderator
from forum.moderation.models import AuditAction
from forum.moderation.services import clean_reason, record, resolve_open_flags
from forum.services import ForumError
from forum.text import render_markdown
from forum.threads.models import Post, PostRevision
from forum.threads.services import check_body, clean_title


def redact_post(
    actor: User, post: Post, body: str, reason: str = "", title: str | None = None,
    close_flags: bool = False,
) -> None:
    """Save the moderator's version and erase every earlier one, in one transaction.

    The text may be unchanged: the words to remove may be only in the history (the
    author already took them out); then only the history is erased.
    """
    ensure_moderator(actor)
    reason = clean_reason(reason)
    body = check_body(body)
    thread = post.thread
    title = clean_title(title) if (title is not None and post.number == 1) else None
    unchanged = body == post.body and (title is None or title == thread.title)
    if unchanged and not _has_history(post):
        raise ForumError("The text is unchanged and it has no earlier versions to redact.")
    db.session.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
    db.session.add(
        PostRevision(post_id=post.id, editor_id=actor.id, by_moderator=True, redacted=True, body="")
    )
    if not unchanged:
        post.body = body
        post.body_html = str(render_markdown(body))
        if title is not None:
            thread.title = title
    post.edited_at = now_utc()
    record(
        actor,
        AuditAction.REDACT,
        post=post,
        reason=reason,
        detail="text changed, earlier versions removed"
        if not unchanged
        else "earlier versions removed",
    )
    if close_flags:
        resolve_open_flags(actor, post, "actioned")
    db.session.commit()


def _has_history(post: Post) -> bool:
    """Whether the post has revisions other than a redaction marker."""
    return bool(
        db.session.scalar(
            select(func.count()).where(
                PostRevision.post_id == post.id, PostRevision.redacted.is_(False)
            )
        )
    )
