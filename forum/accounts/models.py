"""User accounts and their sign-in sessions."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db, now_utc

# suspended_until for "until a moderator lifts it".
SUSPENDED_INDEFINITELY = datetime(9999, 12, 31)


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # Case-folded copy: "Heron" and "heron" are the same name.
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    # Not unique on purpose: refusing a taken address would tell anyone whether it is
    # registered here. Sign-in is by username; a reset mails every account at the address.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    email_verified_at: Mapped[datetime | None]
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(20), default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    post_anonymously: Mapped[bool] = mapped_column(default=False)
    # IANA name ("America/Chicago") for times in emails and, through a cookie, on pages;
    # None: not chosen, times in UTC (forum/accounts/timezones.py).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    banned_at: Mapped[datetime | None]
    ban_reason: Mapped[str | None] = mapped_column(String(500))
    # Set when the member deletes their account: the row stays as a tombstone (posts keep
    # their author_id, so anonymous aliases stay stable), with no name, email or password.
    deleted_at: Mapped[datetime | None]

    # Set by the user loader: which sign-in session this request belongs to, and whether
    # private notices wait (unknown, so True, when the user was loaded another way).
    session_token = None
    has_open_notices = True

    def get_id(self) -> str:
        """Flask-Login id: user id plus the sign-in session, so logout can revoke it."""
        return f"{self.id}:{self.session_token or ''}"

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.is_banned or (
            self.suspended_until is not None and self.suspended_until > now_utc()
        )

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Guest(AnonymousUserMixin):
    """A visitor who is not signed in: same attributes as User, all False."""

    id = None
    role = None
    username = None
    is_moderator = False
    is_admin = False
    is_suspended = False
    is_banned = False
    is_deleted = False
    post_anonymously = False
    time_zone = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(db.Model):
    """One signed-in browser; deleting the row signs that browser out for good."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_active_at: Mapped[datetime] = mapped_column(default=now_utc)
    device: Mapped[str] = mapped_column(String(80), default="Unknown device")
