"""Emails about unread messages: batched, one per member per run, no message text unless
the member asked for it (email is read on shared screens and work phones).

`flask conversations send-emails` from cron (every 15 minutes). A conversation is
mentioned once per new activity: its participant row is claimed (emailed_at) before
the email goes out, so two runs at once never send it twice; a refused email is
released for the next run. Parties are named as the member sees them on the site (an
alias stays an alias); the subject names nobody.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app, render_template, url_for
from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.conversations import bp, views
from forum.conversations.models import Conversation, Message, MessageSettings, Participant
from forum.conversations.services import last_messages
from forum.extensions import db, now_utc
from forum.mail import MailError, send_email
from forum.text import plain_text
from forum.threads.authors import AliasBook

SUBJECT = "You have unread private messages"
EXCERPT = 400


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0


def _not_yet_emailed():
    latest = aliased(Conversation)
    return or_(Participant.emailed_at.is_(None),
               Participant.emailed_at < select(latest.last_message_at)
               .where(latest.id == Participant.conversation_id)
               .correlate_except(latest).scalar_subquery())


def _due(now: datetime) -> dict[int, list[tuple[Participant, Conversation]]]:
    """Unread conversations quiet for a few minutes, by member (verified addresses only)."""
    quiet = now - timedelta(minutes=current_app.config["CONVERSATION_EMAIL_QUIET_MINUTES"])
    rows = db.session.execute(
        select(Participant, Conversation)
        .join(Conversation, Conversation.id == Participant.conversation_id)
        .join(User, User.id == Participant.user_id)
        .outerjoin(MessageSettings, MessageSettings.user_id == User.id)
        .where(Conversation.last_message_at > Participant.last_read_at,
               Conversation.last_message_at <= quiet, _not_yet_emailed(),
               User.email.is_not(None), User.email_verified_at.is_not(None),
               User.deleted_at.is_(None), User.banned_at.is_(None),
               or_(MessageSettings.email_notify.is_(None), MessageSettings.email_notify))
        .order_by(Participant.user_id, Conversation.last_message_at.desc()))
    found: dict[int, list] = defaultdict(list)
    for participant, conversation in rows:
        found[participant.user_id].append((participant, conversation))
    return found


def _claim(ids: list[int], now: datetime) -> list[int]:
    claimed = [pid for pid in ids if db.session.execute(
        update(Participant).where(Participant.id == pid, _not_yet_emailed())
        .values(emailed_at=now)).rowcount == 1]
    db.session.commit()
    return claimed


def _release(ids: list[int]) -> None:
    db.session.execute(update(Participant).where(Participant.id.in_(ids)).values(emailed_at=None))
    db.session.commit()


def _email(user: User, conversations: list[Conversation], with_text: bool) -> tuple[str, str]:
    aliases = AliasBook.for_threads(c.thread_id for c in conversations if c.thread_id)
    last = last_messages([c.id for c in conversations]) if with_text else {}
    items = []
    for c in conversations:
        message: Message | None = last.get(c.id)
        mine = views.own_participant(c, user)
        excerpt = (plain_text(message.body_html, EXCERPT)
                   if message and (mine is None or message.participant_id != mine.id) else None)
        items.append({"who": views.title(c, user, aliases), "excerpt": excerpt,
                      "link": url_for("conversations.show", conversation_id=c.id,
                                      _external=True)})
    context = {"items": items, "site_name": current_app.config["SITE_NAME"],
               "inbox": url_for("conversations.index", _external=True),
               "settings": url_for("conversations.settings", _external=True)}
    return (render_template("email/conversations_unread.txt", **context),
            render_template("email/conversations_unread.html", **context))


def send_emails(now: datetime | None = None) -> Summary:
    """One email per member with unread conversations not mentioned before."""
    now = now or now_utc()
    summary = Summary()
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        for user_id, pairs in _due(now).items():
            claimed = set(_claim([p.id for p, _ in pairs], now))
            conversations = [c for p, c in pairs if p.id in claimed]
            if not conversations:
                continue  # another run has it
            user = db.session.get(User, user_id)
            settings = db.session.get(MessageSettings, user_id)
            text, html = _email(user, conversations, bool(settings and settings.email_text))
            try:
                send_email(user.email, SUBJECT, text, html)
            except MailError:
                current_app.logger.warning("conversation email for a member not sent")
                _release(list(claimed))
                summary.failed += 1
            else:
                summary.sent += 1
    return summary


@bp.cli.command("send-emails")
def send_emails_command() -> None:
    """Email members about unread private messages (run every 15 minutes)."""
    summary = send_emails()
    click.echo(f"Sent {summary.sent} message email(s); {summary.failed} failed "
               "(tried again on the next run).")
    if summary.failed:
        raise SystemExit(1)
