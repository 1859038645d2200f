"""A member's engagement data for forum.mydata: in their export, and gone with their account."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import delete, select

from forum.accounts.models import User
from forum.engage.models import Draft, Reaction, SavedItem
from forum.extensions import db


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _post_url(post_id: int) -> str:
    return url_for("threads.permalink", post_id=post_id, _external=True)


def engagement_export(user: User) -> dict[str, Any]:
    """The member's own reactions, saved items and drafts (three queries)."""
    reactions = db.session.scalars(select(Reaction).where(Reaction.user_id == user.id)
                                   .order_by(Reaction.created_at, Reaction.id))
    saved = db.session.scalars(select(SavedItem).where(SavedItem.user_id == user.id)
                               .order_by(SavedItem.created_at, SavedItem.id))
    drafts = db.session.scalars(select(Draft).where(Draft.user_id == user.id)
                                .order_by(Draft.updated_at, Draft.id))
    return {
        "reactions": [{"post_url": _post_url(r.post_id), "reaction": str(r.kind),
                       "at": _iso(r.created_at)} for r in reactions],
        "saved": [{"url": _post_url(s.post_id) if s.post_id else
                   url_for("threads.show", thread_id=s.thread_id, _external=True),
                   "saved_at": _iso(s.created_at)} for s in saved],
        "drafts": [{"reply_to_thread_url": url_for("threads.show", thread_id=d.thread_id,
                                                   _external=True) if d.thread_id else None,
                    "title": d.title or None, "text": d.body,
                    "post_anonymously": d.hide_author, "saved_at": _iso(d.updated_at)}
                   for d in drafts],
    }


def delete_engagement_of(user_id: int) -> None:
    """With the account (no commit: part of the deletion's transaction): drafts and saved
    items go; reactions stay as counts that no longer belong to anyone who can be named."""
    db.session.execute(delete(Draft).where(Draft.user_id == user_id))
    db.session.execute(delete(SavedItem).where(SavedItem.user_id == user_id))
