"""Changing what signs a member in (email address, password), and telling them it changed.

A signed-in browser left open, or a stolen session cookie, is enough to read the
forum as the member; it must not be enough to take the account over, and with it
the list of their anonymous posts. So a new email address or password needs the
current password, and the member hears about every change at a verified address.
"""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash

from forum.accounts.models import LoginSession, User, hash_token
from forum.extensions import db, now_utc
from forum.mail import MailError, in_background, send_email
from forum.services import ForumError

WRONG_PASSWORD = "That isn't your current password."


class CredentialError(ForumError):
    """A refused change, with the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def password_matches(user: User, password: str | None) -> bool:
    return bool(password) and check_password_hash(user.password_hash, password)


def require_password(user: User, password: str | None, field: str = "current_password") -> None:
    if not password:
        raise CredentialError(field, "Type your current password to make this change.")
    if not password_matches(user, password):
        raise CredentialError(field, WRONG_PASSWORD)


def change_email(user: User, email: str | None, current_password: str | None) -> str | None:
    """Put a new address on the account (unverified) if the password is right.

    Returns the old address when it was verified and should be told, else None; the
    caller commits, then calls notify_change.
    """
    if email == user.email:
        return None
    require_password(user, current_password)
    told = user.email if user.email_verified_at is not None else None
    user.email = email
    user.email_verified_at = None
    return told


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A new password, from the old one; every other browser is signed out, this one stays."""
    from forum.accounts.services import MIN_PASSWORD, hash_password

    require_password(user, current_password)
    if len(new_password or "") < MIN_PASSWORD:
        raise CredentialError("password", f"Use at least {MIN_PASSWORD} characters.")
    if password_matches(user, new_password):
        raise CredentialError("password", "That is your current password. Choose a new one.")
    user.password_hash = hash_password(new_password)
    others = delete(LoginSession).where(LoginSession.user_id == user.id)
    if user.session_token:
        others = others.where(LoginSession.token_hash != hash_token(user.session_token))
    db.session.execute(others)
    db.session.commit()
    notify_change(user, "password")


def notify_change(user: User, change: str, addresses: list[str | None] | None = None) -> None:
    """Mail the member that their `change` ("email" or "password") happened.

    Only verified addresses are written to: an unverified one may belong to someone
    else (a typo), and a message from a forum for parents of children with an IEP
    says something about its reader. `addresses` defaults to the account's own.
    """
    if addresses is None:
        addresses = [user.email if user.email_verified_at is not None else None]
    recipients = sorted({a for a in addresses if a})
    if recipients:
        in_background(_send_notices, user.id, change, recipients)


def _send_notices(user_id: int, change: str, recipients: list[str]) -> None:
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        return
    base = current_app.config["BASE_URL"].rstrip("/")
    context = {
        "user": user,
        "change": change,
        "when": now_utc(),
        "site_name": current_app.config["SITE_NAME"],
        "sessions_link": f"{base}/settings/sessions",
        "reset_link": f"{base}/password/forgot",
    }
    subject = (
        f"Your email address on {context['site_name']} was changed"
        if change == "email"
        else f"Your password on {context['site_name']} was changed"
    )
    text = render_template("email/account_changed.txt", **context)
    html = render_template("email/account_changed.html", **context)
    for address in recipients:
        try:
            send_email(address, subject, text, html)
        except MailError:
            current_app.logger.warning("account change notice failed for user %s", user_id)
