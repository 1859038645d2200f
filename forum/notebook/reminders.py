"""Email reminders for dates that matter: one per date, sent by a cron job.

A reminder says only what kind of date it is and when ("annual review due on
March 3, 2025"): email is read on shared screens and work phones, so no nickname,
no note, nothing else of the notebook. Each date is claimed in the database before
it is sent, so two runs at once, or a rerun, never send it twice; a message the
mail server refused is released for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for
from sqlalchemy import select, update

from forum.accounts.models import User
from forum.extensions import db, now_utc
from forum.mail import MailError, send_email
from forum.notebook.minutes import local_today, member_zone
from forum.notebook.models import DATE_KIND_LABELS, KeyDate, Notebook
from forum.notebook.timeline import day

SUBJECT = "A date in your notebook is coming up"
MAX_DAYS_BEFORE = 60


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0


def _candidates(now: datetime) -> list[tuple[KeyDate, User]]:
    """Dates with a reminder wanted and not yet sent, due within the widest window
    (time zones differ by at most a day either side of UTC's date)."""
    today = now.date()
    rows = db.session.execute(
        select(KeyDate, User)
        .join(Notebook, Notebook.id == KeyDate.notebook_id)
        .join(User, User.id == Notebook.owner_id)
        .where(KeyDate.remind.is_(True), KeyDate.reminded_at.is_(None),
               KeyDate.due_on >= today - timedelta(days=1),
               KeyDate.due_on <= today + timedelta(days=MAX_DAYS_BEFORE + 1),
               User.email.is_not(None), User.email_verified_at.is_not(None),
               User.deleted_at.is_(None), User.banned_at.is_(None))
        .order_by(KeyDate.due_on, KeyDate.id))
    found = []
    for key_date, user in rows:
        today_there = local_today(member_zone(user), now)
        if today_there <= key_date.due_on <= today_there + timedelta(days=key_date.remind_days):
            found.append((key_date, user))
    return found


def _claim(key_date_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(KeyDate).where(KeyDate.id == key_date_id, KeyDate.reminded_at.is_(None))
        .values(reminded_at=now))
    db.session.commit()
    return result.rowcount == 1


def _release(key_date_id: int) -> None:
    db.session.execute(update(KeyDate).where(KeyDate.id == key_date_id).values(reminded_at=None))
    db.session.commit()


def _notebook_link() -> str:
    """The notebook's address on FORUM_BASE_URL (never a request's Host header)."""
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        return url_for("notebook.index", _external=True)


def send_reminders(now: datetime | None = None) -> Summary:
    """Send every reminder that is due now (naive UTC); each date at most once."""
    now = now or now_utc()
    summary = Summary()
    for key_date, user in _candidates(now):
        what = f"{DATE_KIND_LABELS[key_date.kind]} on {day(key_date.due_on)}"
        key_date_id, address = key_date.id, user.email
        if not _claim(key_date_id, now):
            continue  # another run sent it
        context = {"what": what, "site_name": current_app.config["SITE_NAME"],
                   "link": _notebook_link()}
        try:
            send_email(address, SUBJECT, render_template("email/notebook_reminder.txt", **context),
                       render_template("email/notebook_reminder.html", **context))
        except MailError:
            current_app.logger.warning("notebook reminder %s not sent", key_date_id)
            _release(key_date_id)
            summary.failed += 1
        else:
            summary.sent += 1
    return summary
