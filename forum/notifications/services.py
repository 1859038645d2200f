"""Making notifications (from other features' signals) and reading them.

Receivers run inside the transaction of what caused them (a reply, a reaction, a
moderator's action) and never commit. Nobody is told about their own action.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.accounts.services import username_key
from forum.digests.models import ThreadFollow
from forum.extensions import db, now_utc
from forum.notifications.models import Kind, Notification, NotificationSetting
from forum.services import NotFound
from forum.text import mentioned_usernames, quote_ids
from forum.threads.models import Post, Thread

# Kinds whose unread lines grow instead of multiplying, and what they group by.
GROUPED = {Kind.REPLY: "thread", Kind.REACTION: "post", Kind.FLAG: "post"}
MAX_MENTIONS = 20
BELL_CAP = 99  # per post: a list of fifty names is not a conversation


def _group_key(kind: Kind, thread_id: int | None, post_id: int | None) -> str | None:
    by = GROUPED.get(kind)
    if by is None:
        return None
    return f"{kind}:{thread_id if by == 'thread' else post_id}"


def notify(
    recipients: Iterable[int], kind: Kind, *, thread_id: int | None = None,
    post_id: int | None = None, actor_post_id: int | None = None,
) -> None:
    """Add (or, for grouped kinds, grow) one notification per recipient; no commit.

    Two statements whatever the number of recipients: grow the unread groups,
    then insert lines for the others.
    """
    ids = sorted(set(recipients))
    if not ids:
        return
    now = now_utc()
    key = _group_key(kind, thread_id, post_id)
    grown: set[int] = set()
    if key is not None:
        values = {"count": Notification.count + 1, "updated_at": now}
        if actor_post_id is not None:
            values["actor_post_id"] = actor_post_id
        grown = set(db.session.scalars(
            update(Notification)
            .where(Notification.recipient_id.in_(ids), Notification.group_key == key,
                   Notification.read_at.is_(None))
            .values(**values)
            .returning(Notification.recipient_id)
            .execution_options(synchronize_session=False)
        ))
    rows = [
        {"recipient_id": rid, "kind": kind, "thread_id": thread_id, "post_id": post_id,
         "actor_post_id": actor_post_id, "group_key": key, "count": 1, "created_at": now,
         "updated_at": now}
        for rid in ids if rid not in grown
    ]
    if rows:
        db.session.execute(Notification.__table__.insert(), rows)


# --- what a new post causes ----------------------------------------------------------


def _thread_audience(thread: Thread) -> set[int]:
    """The starter (unless they stopped following) and the thread's followers."""
    rows = db.session.execute(
        select(ThreadFollow.user_id, ThreadFollow.following)
        .where(ThreadFollow.thread_id == thread.id)
    ).all()
    choices = dict(rows)
    audience = {uid for uid, following in choices.items() if following}
    if thread.author_id is not None and choices.get(thread.author_id, True):
        audience.add(thread.author_id)
    return audience


def _quoted_authors(post: Post) -> set[int]:
    ids = quote_ids(post.body_html)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(Post.author_id).where(Post.id.in_(ids[:MAX_MENTIONS]),
                                     Post.author_id.is_not(None))
    ))


def _mentioned(post: Post) -> set[int]:
    """Members named with @, who have not turned mention notifications off."""
    keys = [username_key(name) for name in mentioned_usernames(post.body)][:MAX_MENTIONS]
    if not keys:
        return set()
    return set(db.session.scalars(
        select(User.id)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(User.username_key.in_(keys), User.deleted_at.is_(None),
               func.coalesce(NotificationSetting.mentions, True).is_(True))
    ))


def on_post_published(post: Post, **_) -> None:
    """Replies, quotes and mentions; one line per member and post (the most specific)."""
    thread = db.session.get(Thread, post.thread_id)
    kinds: dict[int, Kind] = {}
    if post.number > 1:
        kinds.update(dict.fromkeys(_thread_audience(thread), Kind.REPLY))
    kinds.update(dict.fromkeys(_quoted_authors(post), Kind.QUOTE))
    kinds.update(dict.fromkeys(_mentioned(post), Kind.MENTION))
    kinds.pop(post.author_id, None)
    for kind in (Kind.REPLY, Kind.QUOTE, Kind.MENTION):
        notify([uid for uid, k in kinds.items() if k == kind], kind, thread_id=thread.id,
               post_id=post.id, actor_post_id=post.id)


def note_reaction(post: Post, member_id: int, kind: str = "", **_) -> None:
    """Tell a post's author that someone reacted: counts only, never who."""
    if post.author_id is None or post.author_id == member_id:
        return
    notify([post.author_id], Kind.REACTION, thread_id=post.thread_id, post_id=post.id)


def on_notice(notice, **_) -> None:
    """A moderator's warning, a held post not approved, an admin's reveal."""
    from forum.moderation.models import NoticeKind

    kind = {NoticeKind.WARNING: Kind.NOTE, NoticeKind.REJECTED: Kind.NOTE,
            NoticeKind.REVEAL: Kind.REVEAL}.get(notice.kind)
    if kind is None:  # crisis support shows as its own calm banner
        return
    post = db.session.get(Post, notice.post_id) if notice.post_id else None
    notify([notice.user_id], kind, thread_id=post.thread_id if post else None,
           post_id=post.id if post else None)


def on_flags_resolved(post: Post, flagger_ids: Iterable[int] = (), **_) -> None:
    """"A moderator reviewed the post you flagged": never what they decided."""
    notify(flagger_ids, Kind.FLAG, thread_id=post.thread_id, post_id=post.id)


# --- reading ---------------------------------------------------------------------------


def unread_count_expression():
    """For the sign-in query (a session fact): the member's unread lines, counted up to
    BELL_CAP (the bell shows "99+"), so it costs the same however many wait.

    Reactions are quiet: listed (unread) on the notifications page, but the bell
    counts only what someone wrote or decided for you (issue 18: after a reaction
    and a reply, the bell says 1 and opening it jumps to the reply)."""
    unread = (
        select(Notification.id)
        .where(Notification.recipient_id == User.id, Notification.read_at.is_(None),
               Notification.kind != Kind.REACTION)
        .limit(BELL_CAP + 1)
        .correlate(User)
        .subquery()
    )
    return select(func.count()).select_from(unread).scalar_subquery()


def notifications_query(user: User):
    return (
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.updated_at.desc(), Notification.id.desc())
        .options(
            joinedload(Notification.thread),
            joinedload(Notification.actor_post).joinedload(Post.author),
        )
    )


def get_own(user: User, notification_id: int) -> Notification:
    found = db.session.get(Notification, notification_id)
    if found is None or found.recipient_id != user.id:
        raise NotFound("No such notification.")
    return found


def open_notification(user: User, notification_id: int) -> Notification:
    """Mark one line read (opening it); the caller jumps to what it is about."""
    found = get_own(user, notification_id)
    if found.read_at is None:
        found.read_at = now_utc()
    db.session.commit()
    return found


def mark_all_read(user: User) -> int:
    count = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now_utc())
    ).rowcount
    db.session.commit()
    return count


def get_settings(user: User) -> NotificationSetting:
    return db.session.get(NotificationSetting, user.id) or NotificationSetting(
        user_id=user.id, mentions=True
    )


def save_settings(user: User, *, mentions: bool) -> None:
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        setting = NotificationSetting(user_id=user.id)
        db.session.add(setting)
    setting.mentions = mentions
    db.session.commit()
