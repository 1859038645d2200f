"""Who gets a message in a run, with their windows and choices (a few queries in all)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from forum.accounts.models import User
from forum.digests.building import PERIODS, Recipient
from forum.digests.models import (
    DEFAULT_FREQUENCY,
    Delivery,
    DeliveryKind,
    DigestCategoryChoice,
    DigestPreference,
    DigestTagChoice,
    Frequency,
)
from forum.extensions import db

DIGEST_KINDS = (DeliveryKind.DAILY, DeliveryKind.WEEKLY)
REPLIES_CATCHUP = timedelta(days=1)


def _eligible(now: datetime):
    """Verified address, not banned, not suspended."""
    return and_(
        User.email.is_not(None),
        User.email_verified_at.is_not(None),
        User.banned_at.is_(None),
        or_(User.suspended_until.is_(None), User.suspended_until <= now),
    )


def load_recipients(
    kind: DeliveryKind, end: datetime, now: datetime, shard: tuple[int, int] | None = None
) -> list[Recipient]:
    """Members who get this kind of message, with their windows, in three queries.

    `shard=(i, n)`: only members whose id is i modulo n (see forum.digests.parallel).
    """
    own_kinds = DIGEST_KINDS if kind in DIGEST_KINDS else (DeliveryKind.REPLIES,)
    # The previous message of this kind (other windows): the new window starts where it ended.
    last = (
        select(Delivery.user_id, func.max(Delivery.window_end).label("last_end"))
        .where(
            Delivery.kind.in_(own_kinds), ~and_(Delivery.kind == kind, Delivery.window_end == end)
        )
        .group_by(Delivery.user_id)
        .subquery()
    )
    stmt = (
        select(User, DigestPreference, last.c.last_end)
        .outerjoin(DigestPreference, DigestPreference.user_id == User.id)
        .outerjoin(last, last.c.user_id == User.id)
        .where(_eligible(now))
        .order_by(User.id)
    )
    if shard is not None:
        stmt = stmt.where(User.id % shard[1] == shard[0])
    if kind == DeliveryKind.REPLIES:
        stmt = stmt.where(DigestPreference.notify_replies.is_(True))
        earliest = end - REPLIES_CATCHUP
    else:
        wanted = DigestPreference.frequency == kind
        if Frequency(kind) == DEFAULT_FREQUENCY:
            wanted = or_(DigestPreference.user_id.is_(None), wanted)
        stmt = stmt.where(wanted)
        earliest = end - PERIODS[kind] * current_app.config["DIGEST_MAX_CATCHUP_PERIODS"]
    rows = db.session.execute(stmt).all()
    choices: dict[int, dict[int, bool]] = defaultdict(dict)
    tags: dict[int, set[str]] = defaultdict(set)
    if kind != DeliveryKind.REPLIES and rows:
        category_choices = select(
            DigestCategoryChoice.user_id,
            DigestCategoryChoice.category_id,
            DigestCategoryChoice.included,
        )
        tag_choices = select(DigestTagChoice.user_id, DigestTagChoice.tag_slug)
        if shard is not None:  # the shard's members' choices only
            category_choices = category_choices.where(
                DigestCategoryChoice.user_id % shard[1] == shard[0]
            )
            tag_choices = tag_choices.where(DigestTagChoice.user_id % shard[1] == shard[0])
        for user_id, category_id, included in db.session.execute(category_choices):
            choices[user_id][category_id] = included
        for user_id, slug in db.session.execute(tag_choices):
            tags[user_id].add(slug)
    recipients = []
    for user, pref, last_end in rows:
        if kind == DeliveryKind.REPLIES:
            started = pref.notify_since
        else:
            started = (pref.subscribed_at if pref else None) or user.email_verified_at
        since = max(d for d in (last_end, started, earliest) if d is not None)
        recipients.append(
            Recipient(
                user=user,
                since=since,
                titles_in_subject=bool(pref and pref.titles_in_subject),
                choices=choices.get(user.id, {}),
                tags=frozenset(tags.get(user.id, ())),
            )
        )
    return recipients
