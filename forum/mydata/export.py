"""Everything a member wrote or chose, as one JSON document for them to download.

Only the member's own data: no other member's name, and for threads other
people started, a link but not their title.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.accounts.services import list_sessions
from forum.conversations.export import conversations_export
from forum.digests.models import ThreadFollow
from forum.digests.services import digest_categories, get_preferences
from forum.digests.tags import all_tags
from forum.engage.memberdata import engagement_export
from forum.extensions import db, now_utc
from forum.moderation.models import Flag, MemberNotice
from forum.notebook.export import notebooks_export
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Post, PostRevision, Thread

FORMAT = "iep-forum-export/1"
# The header forum.text.quote_markdown writes above a quote: "<author> wrote:" then "> ...".
QUOTE_HEADER = re.compile(r"^(?P<label>[A-Za-z0-9_.-]{3,30}) wrote:$(?=\n>)", re.MULTILINE)
OTHER_MEMBER = "A member"


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _own_words(text: str, user: User) -> str:
    """The member's text with other members' usernames taken out of quote headers."""
    return QUOTE_HEADER.sub(
        lambda m: m.group(0) if m["label"] == user.username else f"{OTHER_MEMBER} wrote:", text)


def export_data(user: User) -> dict[str, Any]:
    """The member's profile, settings, sessions, posts, revisions, flags, digest choices,
    follows and private notices (a constant number of queries)."""
    posts = list(db.session.scalars(
        select(Post).where(Post.author_id == user.id)
        .options(selectinload(Post.thread)).order_by(Post.created_at, Post.id)
    ))
    aliases = AliasBook.for_threads({p.thread_id for p in posts if p.hide_author})
    revisions = db.session.scalars(
        select(PostRevision).join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == user.id).order_by(PostRevision.created_at, PostRevision.id)
    )
    return {
        "format": FORMAT,
        "site": current_app.config["SITE_NAME"],
        "exported_at": _iso(now_utc()),
        "profile": {
            "username": user.username,
            "member_since": _iso(user.created_at),
            "role": str(user.role),
            "profile_url": _url("threads.profile", username=user.username),
        },
        "settings": {
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "post_anonymously_by_default": user.post_anonymously,
        },
        "account_status": {
            "suspended_until": _iso(user.suspended_until),
            "suspension_reason": user.suspension_reason,
            "banned_at": _iso(user.banned_at),
            "ban_reason": user.ban_reason,
        },
        "sign_in_sessions": [
            {"device": s.device, "signed_in_at": _iso(s.created_at),
             "last_active_at": _iso(s.last_active_at)}
            for s in list_sessions(user)
        ],
        "posts": [_post(p, user, aliases) for p in posts],
        "revisions": [_revision(r, user) for r in revisions],
        "flags": flags_of(user),
        "email_digests": digest_settings(user),
        "followed_threads": follows_of(user),
        "notices": notices_of(user),
        "iep_notebooks": notebooks_export(user),
        "private_conversations": conversations_export(user),
        **engagement_export(user),  # reactions, saved, drafts (issue 18)
    }


def _revision(revision: PostRevision, user: User) -> dict[str, Any]:
    if revision.redacted:  # a moderator erased the earlier versions: only the fact remains
        return {"post_id": revision.post_id, "saved_at": _iso(revision.created_at),
                "redacted": True, "title": None, "body": None, "edited_by": "a moderator",
                "note": "A moderator redacted the earlier versions of this post."}
    return {"post_id": revision.post_id, "saved_at": _iso(revision.created_at),
            "redacted": False, "title": revision.title, "body": _own_words(revision.body, user),
            "edited_by": "a moderator" if revision.by_moderator else "you"}


def _post(post: Post, user: User, aliases: AliasBook) -> dict[str, Any]:
    thread = post.thread
    shown_as = (display_author(post, user, aliases, thread).label if post.hide_author
                else user.username)
    return {
        "id": post.id,
        "url": _url("threads.permalink", post_id=post.id),
        "thread": _thread(thread, user),
        "number_in_thread": post.number,
        "anonymous": post.hide_author,
        "shown_as": shown_as,
        "status": str(post.status),
        "created_at": _iso(post.created_at),
        "edited_at": _iso(post.edited_at),
        "body": _own_words(post.body, user),
    }


def _thread(thread: Thread, user: User) -> dict[str, Any]:
    started = thread.author_id == user.id
    return {
        "id": thread.id,
        "url": _url("threads.show", thread_id=thread.id),
        # Titles of threads other members started are theirs, not the member's.
        "title": thread.title if started else None,
        "started_by_you": started,
    }


def flags_of(user: User) -> list[dict[str, Any]]:
    """The flags this member raised: which post, why, and whether moderators resolved it.

    Never says who wrote the flagged post or which moderator resolved the flag.
    """
    flags = db.session.scalars(
        select(Flag).where(Flag.flagger_id == user.id).order_by(Flag.created_at, Flag.id)
    )
    return [
        {"post_url": _url("threads.permalink", post_id=flag.post_id),
         "reason": str(flag.reason), "note": flag.note, "created_at": _iso(flag.created_at),
         "resolved_at": _iso(flag.resolved_at), "resolution": flag.resolution}
        for flag in flags
    ]


def digest_settings(user: User) -> dict[str, Any]:
    """What the member chose for email digests and reply notifications (or the defaults)."""
    prefs = get_preferences(user)
    tags = {t.slug: t.label for t in all_tags()}
    return {
        "address_verified": user.email_verified_at is not None,
        "address_verified_at": _iso(user.email_verified_at),
        "frequency": str(prefs.frequency),
        "using_defaults": not prefs.saved,
        "categories": [c.name for c in digest_categories(user) if c.id in prefs.category_ids],
        "tags": sorted(tags.get(slug, slug) for slug in prefs.tag_slugs),
        "thread_titles_in_subject": prefs.titles_in_subject,
        "reply_notifications": prefs.notify_replies,
    }


def follows_of(user: User) -> list[dict[str, Any]]:
    """Threads the member follows, or stopped following (starters follow their own threads)."""
    rows = db.session.execute(
        select(ThreadFollow, Thread)
        .join(Thread, Thread.id == ThreadFollow.thread_id)
        .where(ThreadFollow.user_id == user.id)
        .order_by(ThreadFollow.created_at, ThreadFollow.thread_id)
    )
    return [
        {"thread": _thread(thread, user), "following": follow.following,
         "since": _iso(follow.created_at)}
        for follow, thread in rows
    ]


def notices_of(user: User) -> list[dict[str, Any]]:
    """Private notices moderators sent the member (warnings, a held post not approved...)."""
    notices = db.session.scalars(
        select(MemberNotice)
        .where(MemberNotice.user_id == user.id)
        .order_by(MemberNotice.created_at, MemberNotice.id)
    )
    return [
        {"kind": str(n.kind), "message": n.message or None,
         "post_url": _url("threads.permalink", post_id=n.post_id) if n.post_id else None,
         "created_at": _iso(n.created_at), "acknowledged_at": _iso(n.acknowledged_at)}
        for n in notices
    ]
