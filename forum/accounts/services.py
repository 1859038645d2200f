"""Account use cases: register, sign in and out, reset passwords, settings."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.credentials import change_email, notify_change
from forum.accounts.models import LoginSession, Role, User, hash_token
from forum.alias_words import looks_like_alias
from forum.extensions import attach, columns_of, db, now_utc
from forum.fixed import FixedStatement
from forum.mail import MailError, build_message, in_background, send_email
from forum.services import ForumError

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
# "Anonymous parent ..." and "Former member" are how the forum labels hidden authors.
RESERVED_PREFIXES = ("anonymous", "former")
RESERVED_NAMES = {"admin", "administrator", "moderator", "mod", "staff", "system", "support"}
MIN_PASSWORD = 10


class RegistrationError(ForumError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    """A password hash with the configured method (werkzeug's default when unset)."""
    return _generate(password, current_app.config.get("PASSWORD_HASH_METHOD"))


def _generate(password: str, method: str | None) -> str:
    if method:
        return generate_password_hash(password, method=method)
    return generate_password_hash(password)


@cache
def _dummy_hash(method: str | None) -> str:
    """A hash made like real ones, to check unknown names against."""
    return _generate("not-a-real-password-at-all", method)


def username_key(username: str) -> str:
    return username.strip().casefold()


def find_user(username: str, *, include_deleted: bool = False) -> User | None:
    """The account with this name; a deleted account's tombstone only if asked for."""
    stmt = select(User).where(User.username_key == username_key(username))
    if not include_deleted:
        stmt = stmt.where(User.deleted_at.is_(None))
    return db.session.scalar(stmt)


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() or None


def register_user(
    username: str, password: str, email: str | None = None, role: Role = Role.MEMBER
) -> User:
    """Create an account; raise RegistrationError naming the field at fault."""
    user = _new_user(username, password, email, role)
    _commit_new_user()
    return user


def join(username: str, password: str, email: str | None, user_agent: str = "") -> User:
    """Create a member account and sign it in, in one transaction (never one without the other)."""
    user = _new_user(username, password, email, Role.MEMBER)
    try:
        db.session.flush()
    except IntegrityError:
        _name_taken_meanwhile()
    token = _add_session(user, user_agent)
    _commit_new_user()
    user.session_token = token
    return user


NAME_TAKEN_MEANWHILE = (
    "That name was taken a moment ago. If you sent this form twice, the account is "
    "yours: sign in with it. Otherwise, please pick another name."
)


def _commit_new_user() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        _name_taken_meanwhile()


def _name_taken_meanwhile():
    """The unique username rule refused the row: the same name was registered between our
    check and our write (two identical registrations at once)."""
    db.session.rollback()
    raise RegistrationError("username", NAME_TAKEN_MEANWHILE)


def _new_user(username: str, password: str, email: str | None, role: Role) -> User:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise RegistrationError(
            "username", "Use 3-30 letters, digits, dots, dashes or underscores."
        )
    key = username_key(username)
    if key.startswith(RESERVED_PREFIXES) or key in RESERVED_NAMES:
        raise RegistrationError("username", "That name is reserved. Please pick another.")
    if looks_like_alias(key):  # "gentle_heron" would pass for an anonymous parent's alias
        raise RegistrationError(
            "username", "That name is reserved: it reads like an anonymous alias. Pick another."
        )
    if len(password) < MIN_PASSWORD:
        raise RegistrationError("password", f"Use at least {MIN_PASSWORD} characters.")
    # A deleted account's name stays reserved for a while (see purge_deleted_usernames).
    if find_user(username, include_deleted=True) is not None:
        raise RegistrationError("username", "That name is taken. Please pick another.")
    # A taken address is accepted like any other: refusing it would reveal that it is registered.
    email = normalise_email(email)
    user = User(
        username=username,
        username_key=username_key(username),
        email=email,
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The user if the password matches, else None (same work either way)."""
    user = find_user(username) if username else None
    if user is None:
        # As slow as checking a real password, so timing doesn't tell which names exist.
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD")), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def device_label(user_agent: str) -> str:
    """A coarse device description for the sessions page (never the full string)."""
    ua = user_agent or ""
    kind = "Phone" if ("Mobile" in ua or "Android" in ua or "iPhone" in ua) else "Computer"
    for name in ("Firefox", "Edg", "Chrome", "Safari"):
        if name in ua:
            browser = {"Edg": "Edge"}.get(name, name)
            return f"{kind} · {browser}"
    return kind


def start_session(user: User, user_agent: str = "") -> str:
    """Record a new sign-in and return its secret token."""
    token = _add_session(user, user_agent)
    db.session.commit()
    user.session_token = token
    return token


def _add_session(user: User, user_agent: str) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(user_id=user.id, token_hash=hash_token(token), device=device_label(user_agent))
    )
    return token


def add_session_fact(app, name: str, expression) -> None:
    """A fact about the member that every signed-in page asks for, loaded by the sign-in
    query itself: `expression()` gives a SQL expression correlated with User (moderation
    adds whether private notices wait). It becomes an attribute of the loaded user."""
    app.extensions.setdefault("session_facts", {})[name] = expression
    app.extensions.pop("session_statement", None)


def _session_user_statement() -> FixedStatement:
    """The member, their sign-in session and the registered facts: one query on every
    signed-in page, read with Core (forum.extensions.attach) on the driver's cursor
    (forum.fixed). Built once per app."""
    stmt = current_app.extensions.get("session_statement")
    if stmt is None:
        facts = current_app.extensions.get("session_facts", {})
        stmt = FixedStatement(
            select(*columns_of(User), LoginSession.id.label("login_id"),
                   LoginSession.last_active_at.label("session_active_at"),
                   *(expr().label(name) for name, expr in facts.items()))
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(User.id == bindparam("uid"), LoginSession.token_hash == bindparam("token_hash")),
            ("uid", "token_hash"),
        )
        current_app.extensions["session_statement"] = stmt
    return stmt


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user only while their sign-in session exists."""
    uid, _, token = user_id.partition(":")
    if not uid.isdigit() or not token:
        return None
    values = _session_user_statement().first(
        db.session.connection(), {"uid": int(uid), "token_hash": hash_token(token)})
    if values is None or values["banned_at"] is not None or values["deleted_at"] is not None:
        return None
    user = attach(User, values)
    for name in current_app.extensions.get("session_facts", {}):
        setattr(user, name, values[name])
    if values["session_active_at"] < now_utc() - timedelta(minutes=10):
        db.session.execute(
            update(LoginSession).where(LoginSession.id == values["login_id"])
            .values(last_active_at=now_utc())
        )
        db.session.commit()
    user.session_token = token
    return user


def end_session(user: User) -> None:
    if user.session_token:
        token_hash = hash_token(user.session_token)
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash))
        db.session.commit()


def end_all_sessions(user: User, keep_current: bool = False) -> int:
    stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_current and user.session_token:
        stmt = stmt.where(LoginSession.token_hash != hash_token(user.session_token))
    count = db.session.execute(stmt).rowcount
    db.session.commit()
    return count


def list_sessions(user: User) -> list[LoginSession]:
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id)
            .order_by(LoginSession.last_active_at.desc())
        )
    )


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    # The hash fragment makes the token single-use: it dies when the password changes.
    return _reset_serializer().dumps({"uid": user.id, "ph": user.password_hash[-16:]})


def request_password_reset(email: str) -> None:
    """Email a reset link to each account with this address; say nothing either way."""
    email = normalise_email(email)
    if not email:
        return
    # Only a verified address: an unverified one may be a stranger's (a typo, or typed by
    # whoever had the signed-in browser), and a reset link hands over the account.
    user_ids = db.session.scalars(
        select(User.id)
        .where(
            User.email == email,
            User.email_verified_at.is_not(None),
            User.banned_at.is_(None),
            User.deleted_at.is_(None),
        )
        .order_by(User.id)
    ).all()
    # Off the request, and the same work for an unknown address (a stand-in message is built
    # and dropped): neither the page's timing nor the server's load tells the two apart.
    in_background(_send_reset_links, list(user_ids))


def _send_reset_links(user_ids: list[int]) -> None:
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all()
    stand_in = User(id=0, username="someone", email="x@example.invalid", password_hash="-" * 16)
    base = current_app.config["BASE_URL"].rstrip("/")
    for user in users or [stand_in]:
        link = f"{base}/password/reset/{make_reset_token(user)}"
        context = {"user": user, "link": link, "site_name": current_app.config["SITE_NAME"]}
        message = (
            user.email,
            f"Reset your password on {current_app.config['SITE_NAME']}",
            render_template("email/password_reset.txt", **context),
            render_template("email/password_reset.html", **context),
        )
        if user is stand_in:
            build_message(*message)
            continue
        try:
            send_email(*message)
        except MailError:
            current_app.logger.warning("password reset mail failed for user %s", user.id)


def user_for_reset_token(token: str) -> User | None:
    try:
        max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
        data = _reset_serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_hash[-16:] != data.get("ph"):
        return None
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise ForumError("This reset link has expired or was already used. Ask for a new one.")
    set_password(user, password)
    notify_change(user, "password")
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise RegistrationError("password", f"Use at least {MIN_PASSWORD} characters.")
    user.password_hash = hash_password(password)
    # A new password signs every browser out (someone else may have had the old one).
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()


def update_settings(
    user: User, *, post_anonymously: bool, email: str | None, current_password: str | None = None
) -> None:
    """Save the settings form; a new email address needs the current password."""
    # The old address hears of the change, if it was verified (see notify_change).
    old_address = change_email(user, normalise_email(email), current_password)
    user.post_anonymously = post_anonymously
    db.session.commit()
    if old_address:
        notify_change(user, "email", [old_address])


# --- deleted accounts ------------------------------------------------------------------

DELETED_PREFIX = "Former member"
UNUSABLE_PASSWORD = "!"  # not a werkzeug hash: check_password_hash is always False


def pseudonym(user_id: int) -> str:
    """A stable name for a deleted account in moderation records, unlinkable to the old one."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"deleted-account:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"{DELETED_PREFIX} {digest[:6]}"


def erase_identity(user: User) -> None:
    """Make the account a tombstone: no name shown, no email, no password, no sessions.

    Part of a larger use case (forum.mydata deletes or keeps the posts): the caller
    commits. The old name stays in `username_key` only, to keep it reserved until
    purge_deleted_usernames frees it; no page shows that column.
    """
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.username = pseudonym(user.id)
    user.email = None
    user.email_verified_at = None
    user.password_hash = UNUSABLE_PASSWORD
    user.post_anonymously = False
    user.role = Role.MEMBER
    user.deleted_at = now_utc()


def purge_deleted_usernames(days: int) -> int:
    """Free the names of accounts deleted more than `days` ago; return how many."""
    cutoff = now_utc() - timedelta(days=days)
    users = list(db.session.scalars(
        select(User).where(User.deleted_at.is_not(None), User.deleted_at <= cutoff,
                           User.username_key.not_like("~%"))
    ))
    for user in users:
        # "~" never passes USERNAME_RE, so the placeholder can't collide with a real name.
        user.username_key = f"~deleted-{user.id}"
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id.in_(select(User.id).where(User.deleted_at.is_not(None))))
    )
    db.session.commit()
    return len(users)
