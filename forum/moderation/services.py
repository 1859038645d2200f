"""Moderation use cases for members: flags, crisis alerts, private notices; the audit helper.

Moderator actions live in forum.moderation.actions and .authors, site settings
and held posts in .settings; all write the audit log through `record()`.
"""

from __future__ import annotations

from datetime import timedelta

from blinker import Namespace
from flask import current_app, render_template
from sqlalchemy import distinct, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum.accounts.models import Role, User
from forum.extensions import db, now_utc
from forum.mail import MailError, send_email
from forum.moderation.models import (
    AuditAction,
    AuditEntry,
    Flag,
    FlagReason,
    MemberNotice,
    NoticeKind,
)
from forum.services import ForumError, NotAllowed, NotFound
from forum.text import plain_text
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Post, PostStatus
from forum.threads.services import can_see_post, ensure_can_write

_signals = Namespace()
# Sent before the commit that gives a member a private notice (sender: the MemberNotice,
# not yet flushed) or resolves the flags on a post (sender: the post; flagger_ids=, resolution=).
# Receivers (notifications) add rows and never commit; moderation imports none of them.
notice_added = _signals.signal("notice-added")
flags_resolved = _signals.signal("flags-resolved")

NOTE_MAX = 500
REASON_MAX = 500
# Only accounts older than this count towards hiding a post automatically.
FLAGGER_MIN_AGE = timedelta(days=1)


def record(
    actor: User | None,
    action: AuditAction,
    *,
    post: Post | None = None,
    thread_id: int | None = None,
    user: User | None = None,
    reason: str = "",
    detail: str = "",
) -> AuditEntry:
    """Add one audit entry to the session; the calling use case commits it."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        post_id=post.id if post is not None else None,
        thread_id=thread_id if thread_id is not None else (post.thread_id if post else None),
        user_id=user.id if user is not None else None,
        reason=(reason or "").strip()[:2000],
        detail=detail[:200],
    )
    db.session.add(entry)
    return entry


def clean_reason(reason: str | None, *, required: str | None = None) -> str:
    """A moderator's reason, trimmed; `required` is the message when one must be given."""
    reason = (reason or "").strip()
    if required and not reason:
        raise ForumError(required)
    if len(reason) > REASON_MAX:
        raise ForumError(f"Please keep the reason under {REASON_MAX} characters.")
    return reason


# --- flags -------------------------------------------------------------------------


def flag_post(member: User, post: Post, reason: str, note: str = "") -> Flag:
    """A member flags a post once; enough flags hide it, a crisis flag alerts moderators."""
    if not member.is_authenticated:
        raise NotAllowed("Please sign in to flag a post.")
    ensure_can_write(member)
    if post.author_id == member.id:
        raise NotAllowed("You can't flag your own post.")
    if not can_see_post(member, post):
        raise NotFound("No such post.")
    if post.status != PostStatus.VISIBLE:
        raise ForumError("Moderators are already looking at this post.")
    try:
        reason = FlagReason(reason)
    except ValueError as exc:
        raise ForumError("Please choose what's wrong with this post.") from exc
    note = (note or "").strip()
    if reason == FlagReason.OTHER and not note:
        raise ForumError("Please say in a few words what's wrong.")
    if len(note) > NOTE_MAX:
        raise ForumError(f"Please keep the note under {NOTE_MAX} characters.")
    if _has_flagged(member, post):
        raise ForumError("You've already flagged this post. Moderators will look at it.")
    flag = Flag(post_id=post.id, flagger_id=member.id, reason=reason, note=note)
    db.session.add(flag)
    alert = False
    try:
        db.session.flush()
        if reason == FlagReason.CRISIS:
            alert = _open_crisis_flags(post) == 1
            _offer_support(post)
        else:
            _hide_if_flagged_enough(post)
        db.session.commit()
    except IntegrityError as exc:  # the same member, twice at once
        db.session.rollback()
        raise ForumError("You've already flagged this post. Moderators will look at it.") from exc
    if alert:
        email_moderators_about_crisis(post, note)
    return flag


def _has_flagged(member: User, post: Post) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).where(Flag.post_id == post.id, Flag.flagger_id == member.id)
        )
    )


def _open_crisis_flags(post: Post) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Flag.post_id == post.id, Flag.resolved_at.is_(None), Flag.reason == FlagReason.CRISIS
        )
    )


def _hide_if_flagged_enough(post: Post) -> None:
    """Hide a post pending review once enough established members flagged it."""
    established = now_utc() - FLAGGER_MIN_AGE
    count = db.session.scalar(
        select(func.count())
        .select_from(Flag)
        .join(User, User.id == Flag.flagger_id)
        .where(
            Flag.post_id == post.id,
            Flag.resolved_at.is_(None),
            Flag.reason != FlagReason.CRISIS,
            User.created_at <= established,
        )
    )
    if count >= current_app.config["FLAG_HIDE_THRESHOLD"] and post.status == PostStatus.VISIBLE:
        post.status = PostStatus.FLAG_HIDDEN
        record(None, AuditAction.AUTO_HIDE, post=post, detail=f"{count} flags")


def _offer_support(post: Post) -> None:
    """Show the author, privately, a calm banner with support resources (once per post)."""
    if post.author_id is None:
        return
    already = db.session.scalar(
        select(func.count()).where(
            MemberNotice.user_id == post.author_id,
            MemberNotice.post_id == post.id,
            MemberNotice.kind == NoticeKind.CRISIS,
            MemberNotice.acknowledged_at.is_(None),
        )
    )
    if not already:
        add_notice(post.author_id, NoticeKind.CRISIS, post.id)


def email_moderators_about_crisis(post: Post, note: str) -> int:
    """Email every moderator and admin with an address; return how many were sent."""
    staff = db.session.scalars(
        select(User).where(
            User.role.in_([Role.MODERATOR, Role.ADMIN]),
            User.email.is_not(None),
            User.banned_at.is_(None),
        )
    ).all()
    post = db.session.get(Post, post.id, options=[selectinload(Post.thread)])
    aliases = AliasBook.for_threads([post.thread_id])
    base = current_app.config["BASE_URL"].rstrip("/")
    # Built from the URL map, so alerts also go out outside a request (CLI, jobs).
    link = base + current_app.url_map.bind("").build("moderation.post", {"post_id": post.id})
    sent = 0
    for moderator in staff:
        context = {
            "moderator": moderator,
            "thread_title": post.thread.title,
            # The author as this moderator may see them: an alias for an anonymous post.
            "author": display_author(post, moderator, aliases, post.thread),
            "note": note,
            "link": link,
            "site_name": current_app.config["SITE_NAME"],
        }
        try:
            send_email(
                moderator.email,
                f"[{context['site_name']}] A member may be in crisis: please look now",
                render_template("email/crisis_flag.txt", **context),
                render_template("email/crisis_flag.html", **context),
            )
            sent += 1
        except MailError:
            current_app.logger.warning("crisis alert mail failed for moderator %s", moderator.id)
    return sent


# --- private notices -----------------------------------------------------------------


def add_notice(user_id: int, kind: NoticeKind, post_id: int | None,
               message: str = "") -> MemberNotice:
    """Add a private notice to the session (the calling use case commits) and tell
    whoever listens (notice_added)."""
    notice = MemberNotice(user_id=user_id, kind=kind, post_id=post_id, message=message)
    db.session.add(notice)
    notice_added.send(notice)
    return notice


def open_notices(user: User) -> list[MemberNotice]:
    """Notices the member has not acknowledged yet, oldest first."""
    return list(
        db.session.scalars(
            select(MemberNotice)
            .where(MemberNotice.user_id == user.id, MemberNotice.acknowledged_at.is_(None))
            .order_by(MemberNotice.created_at, MemberNotice.id)
            .options(selectinload(MemberNotice.post).selectinload(Post.thread))
        )
    )


def acknowledge_notice(user: User, notice_id: int) -> None:
    notice = db.session.get(MemberNotice, notice_id)
    if notice is None or notice.user_id != user.id:
        raise NotFound("No such notice.")
    if notice.acknowledged_at is None:
        notice.acknowledged_at = now_utc()
        db.session.commit()


def open_item_counts() -> tuple[int, int]:
    """(posts with open flags, held posts), in one query, for the nav link."""
    flagged = select(func.count(distinct(Flag.post_id))).where(Flag.resolved_at.is_(None))
    held = select(func.count(Post.id)).where(Post.status == PostStatus.HELD)
    row = db.session.execute(select(flagged.scalar_subquery(), held.scalar_subquery())).one()
    return int(row[0]), int(row[1])


def excerpt(post: Post, limit: int = 300) -> str:
    return plain_text(post.body_html, limit)


def resolve_open_flags(actor: User | None, post: Post, resolution: str) -> int:
    """Close every open flag on a post; return how many were open."""
    flaggers = list(db.session.scalars(
        update(Flag)
        .where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(
            resolved_at=now_utc(),
            resolved_by_id=actor.id if actor is not None else None,
            resolution=resolution,
        )
        .returning(Flag.flagger_id)
        .execution_options(synchronize_session=False)
    ))
    if flaggers:
        flags_resolved.send(post, flagger_ids=flaggers, resolution=resolution)
    return len(flaggers)
