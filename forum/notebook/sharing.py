"""Read-only share links: a random token in the address, only its hash in the database.

A link shows one notebook (nickname, timeline, service summary) and nothing else
of the member; it expires (7 days unless the member picks otherwise) and can be
revoked at any time. A wrong, expired or revoked token all get the same "not
found", and guessing is rate-limited by the view.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.notebook.models import Notebook, ShareLink
from forum.services import ForumError, NotFound

DEFAULT_DAYS = 7
DAY_CHOICES = (1, 7, 30)
MAX_ACTIVE = 10
TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share(notebook: Notebook, days: int = DEFAULT_DAYS) -> tuple[ShareLink, str]:
    """A new link; the token is returned once and never stored."""
    if days not in DAY_CHOICES:
        raise ForumError("Choose how long the link works: 1, 7 or 30 days.")
    now = now_utc()
    active = db.session.scalar(select(func.count()).where(
        ShareLink.notebook_id == notebook.id, ShareLink.revoked_at.is_(None),
        ShareLink.expires_at > now))
    if active >= MAX_ACTIVE:
        raise ForumError(f"Up to {MAX_ACTIVE} links can work at once. Revoke one first.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink(notebook_id=notebook.id, token_hash=hash_token(token), created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(link)
    db.session.commit()
    return link, token


def shares_of(notebook: Notebook) -> list[ShareLink]:
    return list(db.session.scalars(
        select(ShareLink).where(ShareLink.notebook_id == notebook.id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())))


def revoke_share(notebook: Notebook, share_id: int) -> None:
    result = db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == share_id, ShareLink.notebook_id == notebook.id,
               ShareLink.revoked_at.is_(None))
        .values(revoked_at=now_utc()))
    if result.rowcount != 1:
        db.session.rollback()
        raise NotFound("No such link, or it was revoked already.")
    db.session.commit()


def owner_of(notebook: Notebook) -> User:
    """The owner, for their time zone only: a shared page shows nothing else of them."""
    return db.session.get(User, notebook.owner_id)


def shared_notebook(token: str) -> Notebook:
    """The notebook behind a working link; NotFound for anything else."""
    if not token or len(token) > 100:
        raise NotFound("No such link.")
    row = db.session.execute(
        select(ShareLink, Notebook).join(Notebook, Notebook.id == ShareLink.notebook_id)
        .where(ShareLink.token_hash == hash_token(token))).first()
    if row is None or not row[0].is_active(now_utc()):
        raise NotFound("No such link.")
    return row[1]
