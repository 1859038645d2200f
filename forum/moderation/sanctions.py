"""Suspensions and bans, each given through one post and lifted there (or from its audit entry).

What a moderator learns from acting on a post's author must not depend on who the
author is, or the answer links an anonymous post to the account's named ones. So:

- Giving a suspension or a ban through a post is always accepted (with a reason),
  whatever the account already has: a suspension while banned, or a second one from
  another post, is recorded and runs alongside (the account is suspended until the
  last one ends, banned until every ban is lifted).
- Every state a moderator sees or is refused on is the post's own: "suspended through
  this post", "no suspension given through this post is running". None is the account's.
- A sanction given again through the same post replaces the one it gave before.

Each use case writes one audit entry and commits once (the caller, forum.moderation.authors,
adds the entry; these functions never commit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.moderation.models import AuditEntry, Sanction, SanctionKind
from forum.services import ForumError


def _running(kind: SanctionKind, now: datetime):
    """Sanctions of this kind still in force at `now`."""
    clause = (Sanction.kind == kind) & Sanction.lifted_at.is_(None)
    if kind == SanctionKind.SUSPENSION:
        clause &= Sanction.until > now
    return clause


def running_through(post_id: int, kind: SanctionKind | None = None) -> list[Sanction]:
    """Sanctions given through this post that are still in force."""
    now = now_utc()
    kinds = [kind] if kind else list(SanctionKind)
    return list(
        db.session.scalars(
            select(Sanction)
            .where(Sanction.post_id == post_id, or_(*(_running(k, now) for k in kinds)))
            .order_by(Sanction.id)
        )
    )


def running_entry_ids(entry_ids: list[int]) -> set[int]:
    """Which of these audit entries gave a sanction still in force (for the log's buttons)."""
    if not entry_ids:
        return set()
    now = now_utc()
    return set(
        db.session.scalars(
            select(Sanction.entry_id).where(
                Sanction.entry_id.in_(entry_ids),
                or_(_running(SanctionKind.SUSPENSION, now), _running(SanctionKind.BAN, now)),
            )
        )
    )


def give(
    author: User,
    post_id: int | None,
    entry: AuditEntry,
    kind: SanctionKind,
    reason: str,
    until: datetime | None = None,
) -> Sanction:
    """Add a sanction (replacing the one of the same kind this post gave), then resync."""
    if post_id is not None:
        for old in running_through(post_id, kind):
            old.lifted_at = now_utc()
    db.session.flush()  # the entry's id, for the log's lift button
    sanction = Sanction(
        user_id=author.id,
        post_id=post_id,
        entry_id=entry.id,
        kind=kind,
        until=until,
        reason=reason,
    )
    db.session.add(sanction)
    sync_account(author)
    return sanction


def lift(author: User | None, sanctions: list[Sanction], kind: SanctionKind) -> None:
    """Lift these sanctions (all the author's); ForumError when none of them is in force."""
    if not sanctions or author is None:
        what = "suspension" if kind == SanctionKind.SUSPENSION else "ban"
        raise ForumError(f"No {what} given through this post is in force.")
    for sanction in sanctions:
        sanction.lifted_at = now_utc()
    sync_account(author)


def sync_account(user: User) -> None:
    """Set the account's summary columns from its sanctions in force (in the session)."""
    db.session.flush()
    now = now_utc()
    suspension = db.session.scalar(
        select(Sanction)
        .where(Sanction.user_id == user.id, _running(SanctionKind.SUSPENSION, now))
        .order_by(Sanction.until.desc(), Sanction.id.desc())
        .limit(1)
    )
    ban = db.session.scalar(
        select(Sanction)
        .where(Sanction.user_id == user.id, _running(SanctionKind.BAN, now))
        .order_by(Sanction.created_at, Sanction.id)
        .limit(1)
    )
    user.suspended_until = suspension.until if suspension else None
    user.suspension_reason = suspension.reason if suspension else None
    user.banned_at = ban.created_at if ban else None
    user.ban_reason = ban.reason if ban else None
