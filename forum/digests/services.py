"""Digest use cases: preferences, address verification, following threads, unsubscribing,
pruning the delivery records.

Building and sending live in building.py and sending.py (`flask digests send`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.digests.building import PERIODS, external_url
from forum.digests.models import (
    DEFAULT_FREQUENCY,
    Delivery,
    DeliveryStatus,
    DigestCategoryChoice,
    DigestPreference,
    DigestTagChoice,
    Frequency,
    ThreadFollow,
)
from forum.digests.tags import all_tags
from forum.digests.tokens import (
    Scope,
    email_matches,
    make_verify_token,
    read_unsubscribe_token,
    read_verify_token,
)
from forum.extensions import db, now_utc
from forum.mail import MailError, send_email
from forum.services import ForumError, NotFound
from forum.threads.models import Category, Thread
from forum.threads.services import can_read_category, can_see_thread

BAD_LINK = "This link isn't valid or has expired."


@dataclass
class Preferences:
    """What a member gets, with the defaults filled in."""

    frequency: Frequency
    category_ids: set[int]
    tag_slugs: set[str]
    titles_in_subject: bool
    notify_replies: bool
    saved: bool  # False: nothing chosen yet, these are the defaults


def digest_categories(user: User) -> list[Category]:
    """Categories the member can read, in site order."""
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id))
    return [c for c in categories if can_read_category(user, c)]


def get_preferences(user: User) -> Preferences:
    pref = db.session.get(DigestPreference, user.id)
    choices = dict(
        db.session.execute(
            select(DigestCategoryChoice.category_id, DigestCategoryChoice.included).where(
                DigestCategoryChoice.user_id == user.id
            )
        ).all()
    )
    tags = set(
        db.session.scalars(
            select(DigestTagChoice.tag_slug).where(DigestTagChoice.user_id == user.id)
        )
    )
    return Preferences(
        frequency=Frequency(pref.frequency) if pref else DEFAULT_FREQUENCY,
        category_ids={c.id for c in digest_categories(user) if choices.get(c.id, not c.sensitive)},
        tag_slugs=tags,
        titles_in_subject=bool(pref and pref.titles_in_subject),
        notify_replies=bool(pref and pref.notify_replies),
        saved=pref is not None,
    )


def _preference_row(user: User) -> DigestPreference:
    """The member's row, created with the defaults if missing (safe against a double submit)."""
    pref = db.session.get(DigestPreference, user.id)
    if pref is not None:
        return pref
    try:
        # Its own short transaction: a concurrent request inserting the same row first
        # must not cost this one its session.
        with db.engine.begin() as conn:
            conn.execute(
                insert(DigestPreference).values(
                    user_id=user.id,
                    frequency=DEFAULT_FREQUENCY,
                    subscribed_at=user.email_verified_at or now_utc(),
                    titles_in_subject=False,
                    notify_replies=False,
                    updated_at=now_utc(),
                )
            )
    except IntegrityError:
        pass  # created meanwhile: use that one
    return db.session.get(DigestPreference, user.id, populate_existing=True)


def _set_frequency(pref: DigestPreference, frequency: Frequency) -> None:
    if pref.frequency == Frequency.OFF and frequency != Frequency.OFF:
        pref.subscribed_at = now_utc()  # the first digest covers threads from now on
    pref.frequency = frequency


def _set_notify(pref: DigestPreference, on: bool) -> None:
    if on and not pref.notify_replies:
        pref.notify_since = now_utc()
    pref.notify_replies = on


def save_preferences(
    user: User,
    *,
    frequency: str,
    category_ids: set[int],
    tag_slugs: set[str],
    titles_in_subject: bool,
    notify_replies: bool,
) -> None:
    """Store the member's choices; categories only as departures from the default."""
    try:
        frequency = Frequency(frequency)
    except ValueError as exc:
        raise ForumError("Choose daily, weekly or off.") from exc
    pref = _preference_row(user)
    _set_frequency(pref, frequency)
    _set_notify(pref, notify_replies)
    pref.titles_in_subject = titles_in_subject
    db.session.execute(delete(DigestCategoryChoice).where(DigestCategoryChoice.user_id == user.id))
    for category in digest_categories(user):
        chosen = category.id in category_ids
        if chosen != (not category.sensitive):
            db.session.add(
                DigestCategoryChoice(user_id=user.id, category_id=category.id, included=chosen)
            )
    known = {t.slug for t in all_tags()}
    db.session.execute(delete(DigestTagChoice).where(DigestTagChoice.user_id == user.id))
    for slug in sorted(tag_slugs & known):
        db.session.add(DigestTagChoice(user_id=user.id, tag_slug=slug))
    db.session.commit()


# --- verifying the address ------------------------------------------------------


def request_verification(user: User) -> None:
    """Email a signed link that proves the member reads this address."""
    if not user.email:
        raise ForumError("Add an email address first, then verify it.")
    if user.email_verified_at is not None:
        raise ForumError("Your address is already verified.")
    site = current_app.config["SITE_NAME"]
    context = {
        "site_name": site,
        "link": external_url("digests.verify_email", token=make_verify_token(user.id, user.email)),
        "hours": current_app.config["DIGEST_VERIFY_MAX_AGE"] // 3600,
    }
    try:
        send_email(
            user.email,
            f"Confirm your email address for {site}",
            render_template("email/verify_email.txt", **context),
            render_template("email/verify_email.html", **context),
        )
    except MailError as exc:
        current_app.logger.warning("verification mail for member %s failed: %s", user.id, exc)
        raise ForumError("We couldn't send the message just now. Please try again later.") from exc


def user_for_verify_token(token: str) -> User:
    data = read_verify_token(token)
    user = db.session.get(User, data[0]) if data else None
    if user is None or not email_matches(data[1], user.email):
        raise ForumError(BAD_LINK + " Ask for a new one on your settings page.")
    return user


def verify_email(token: str, *, notify_replies: bool = False) -> User:
    """Mark the address verified if the link is genuine, fresh and for the current address;
    with `notify_replies`, reply emails start too (one commit)."""
    user = user_for_verify_token(token)
    if notify_replies:
        _set_notify(_preference_row(user), True)
    if user.email_verified_at is None:
        user.email_verified_at = now_utc()
    db.session.commit()
    return user


# --- following threads ------------------------------------------------------------


def is_following(user, thread: Thread) -> bool:
    """Starters follow their own threads unless they stopped."""
    if not user.is_authenticated:
        return False
    row = db.session.get(ThreadFollow, (user.id, thread.id))
    return row.following if row is not None else thread.author_id == user.id


def set_following(user: User, thread: Thread, following: bool) -> None:
    if not can_see_thread(user, thread):
        raise NotFound("No such thread.")
    for _attempt in range(2):  # a concurrent first click may insert the row first
        row = db.session.get(ThreadFollow, (user.id, thread.id), populate_existing=True)
        if row is None:
            db.session.add(ThreadFollow(user_id=user.id, thread_id=thread.id, following=following))
        else:
            row.following = following
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise ForumError("That didn't work. Please try again.")


# --- unsubscribing from a link in a message -----------------------------------------


def user_for_unsubscribe_token(token: str) -> tuple[User, Scope]:
    data = read_unsubscribe_token(token)
    user = db.session.get(User, data[0]) if data else None
    if user is None:
        raise ForumError(BAD_LINK + " Sign in to change what we send you.")
    return user, data[1]


def unsubscribe(token: str) -> tuple[User, Scope]:
    """Stop what the message came with: the digest, or reply notifications."""
    user, scope = user_for_unsubscribe_token(token)
    pref = _preference_row(user)
    if scope == Scope.DIGEST:
        _set_frequency(pref, Frequency.OFF)
    else:
        _set_notify(pref, False)
    db.session.commit()
    return user, scope


def change_frequency(token: str, frequency: str) -> User:
    """From the unsubscribe page: keep the digest, but daily or weekly instead."""
    user, _scope = user_for_unsubscribe_token(token)
    try:
        frequency = Frequency(frequency)
    except ValueError as exc:
        raise ForumError("Choose daily, weekly or off.") from exc
    _set_frequency(_preference_row(user), frequency)
    db.session.commit()
    return user


# --- the delivery records ---------------------------------------------------------------


def min_prune_days() -> int:
    """Records younger than this still decide something: the current window's records keep
    a rerun from sending again, and a member's next digest starts where their last one
    ended, looking back at most DIGEST_MAX_CATCHUP_PERIODS weeks."""
    span = max(PERIODS.values()) * current_app.config["DIGEST_MAX_CATCHUP_PERIODS"]
    return span.days + 1


def prune_deliveries(days: int, *, now: datetime | None = None) -> int:
    """Delete the records of messages whose window ended more than `days` days ago, except
    any a run is still sending (claimed within the lease); returns how many went."""
    if days < min_prune_days():
        raise ForumError(f"Keep at least {min_prune_days()} days of delivery records.")
    now = now or now_utc()
    lease = timedelta(seconds=current_app.config["DIGEST_CLAIM_LEASE_SECONDS"])
    being_sent = and_(Delivery.status == DeliveryStatus.CLAIMED, Delivery.claimed_at >= now - lease)
    result = db.session.execute(
        delete(Delivery).where(Delivery.window_end < now - timedelta(days=days), ~being_sent)
    )
    db.session.commit()
    return result.rowcount
