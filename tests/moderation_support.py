"""Helpers shared by the moderation tests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.extensions import db, now_utc
from forum.moderation.models import AuditEntry, Flag
from tests import factories as f


def old_user(username: str | None = None, **fields):
    """An account older than a day: its flags count towards hiding a post."""
    return f.make_user(username, created_at=now_utc() - timedelta(days=2), **fields)


def fresh() -> None:
    """Forget what this test's session holds, so reads show only what requests committed.

    (A rollback ends the session's transaction and expires every loaded object,
    which stay usable: unlike session.remove(), fixtures' objects reload on access.)
    """
    db.session.rollback()


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    fresh()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def open_flag_count(post_id: int) -> int:
    return count(Flag, Flag.post_id == post_id, Flag.resolved_at.is_(None))


def flag(post, reason: str = "child", note: str = "", flagger=None) -> Flag:
    """A flag through the service (as a day-old member unless one is given)."""
    from forum.moderation.services import flag_post

    return flag_post(flagger or old_user(), post, reason, note)
