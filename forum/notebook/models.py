"""Notebooks, their entries, the services an IEP promises, logged sessions, breaks,
dates that matter and share links. Every row hangs off a notebook, and every
notebook off its owner, with ON DELETE CASCADE."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db, now_utc


class EntryKind(StrEnum):
    MEETING = "meeting"
    NOTICE = "notice"
    REQUEST = "request"
    PHONE = "phone"
    EMAIL = "email"
    INCIDENT = "incident"
    SERVICE_MISSED = "service-missed"
    AIDE = "aide"
    PROGRESS = "progress"
    NOTE = "note"


ENTRY_KIND_LABELS = {
    EntryKind.MEETING: "Meeting",
    EntryKind.NOTICE: "Notice received (e.g. prior written notice)",
    EntryKind.REQUEST: "Request sent",
    EntryKind.PHONE: "Phone call",
    EntryKind.EMAIL: "Email",
    EntryKind.INCIDENT: "Incident (restraint, send-home, suspension)",
    EntryKind.SERVICE_MISSED: "Service missed",
    EntryKind.AIDE: "Aide absent or removed",
    EntryKind.PROGRESS: "Progress report",
    EntryKind.NOTE: "Note",
}


class Per(StrEnum):
    WEEK = "week"
    MONTH = "month"
    SCHOOL_DAY = "school-day"


PER_LABELS = {Per.WEEK: "per week", Per.MONTH: "per month", Per.SCHOOL_DAY: "per school day"}


class LogStatus(StrEnum):
    DELIVERED = "delivered"
    MISSED = "missed"


class DateKind(StrEnum):
    ANNUAL_REVIEW = "annual-review"
    REEVALUATION = "reevaluation"
    RESPONSE = "district-response"
    MEETING = "meeting"
    OTHER = "other"


# Also the only words a reminder email says about the date (with the date itself).
DATE_KIND_LABELS = {
    DateKind.ANNUAL_REVIEW: "annual review due",
    DateKind.REEVALUATION: "re-evaluation due",
    DateKind.RESPONSE: "a response the district promised",
    DateKind.MEETING: "a meeting",
    DateKind.OTHER: "a date you noted",
}

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _owner_fk() -> ForeignKey:
    return ForeignKey("users.id", ondelete="CASCADE")


def _notebook_fk() -> ForeignKey:
    return ForeignKey("notebooks.id", ondelete="CASCADE")


class Notebook(db.Model):
    """One child's record, known only by a nickname."""

    __tablename__ = "notebooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(_owner_fk(), index=True)
    nickname: Mapped[str] = mapped_column(String(40))
    # A "full day" promise (a 1:1 aide) is this many minutes per school day.
    school_day_minutes: Mapped[int] = mapped_column(default=360)
    # Weekday numbers (Monday 0) that are school days, e.g. "01234".
    school_weekdays: Mapped[str] = mapped_column(String(7), default="01234")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.school_weekdays if c.isdigit() and int(c) < 7)


class Service(db.Model):
    """A service the IEP promises: minutes per week, month or school day, from a date."""

    __tablename__ = "notebook_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    notebook_id: Mapped[int] = mapped_column(_notebook_fk(), index=True)
    name: Mapped[str] = mapped_column(String(80))
    minutes: Mapped[int]
    per: Mapped[Per] = mapped_column(String(20))
    # Per school day, the notebook's school-day length (the minutes column is then ignored).
    full_day: Mapped[bool] = mapped_column(default=False)
    # What one tap on "Delivered" or "Missed" logs; None: the whole promise of a day or week.
    session_minutes: Mapped[int | None]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class ServiceLog(db.Model):
    """A session delivered or missed on one day, or every school day of a period."""

    __tablename__ = "notebook_service_logs"
    __table_args__ = (Index("ix_notebook_service_logs_notebook", "notebook_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notebook_id: Mapped[int] = mapped_column(_notebook_fk())
    service_id: Mapped[int] = mapped_column(
        ForeignKey("notebook_services.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[LogStatus] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: one day
    minutes: Mapped[int]  # for a period: per school day
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class Entry(db.Model):
    """One dated thing that happened: a meeting, a notice, a call, an incident..."""

    __tablename__ = "notebook_entries"
    __table_args__ = (
        Index("ix_notebook_entries_timeline", "notebook_id", "occurred_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notebook_id: Mapped[int] = mapped_column(_notebook_fk())
    kind: Mapped[EntryKind] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[time | None] = mapped_column(Time)
    roles: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("notebook_services.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


class EntryTag(db.Model):
    """An entry's topic, from the forum's tags (which link it to resources)."""

    __tablename__ = "notebook_entry_tags"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("notebook_entries.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SchoolBreak(db.Model):
    """Days the member marks as no school (holidays, breaks): no minutes are promised."""

    __tablename__ = "notebook_breaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    notebook_id: Mapped[int] = mapped_column(_notebook_fk(), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(80), default="")


class KeyDate(db.Model):
    """A date that matters (annual review due...), shown as upcoming; optionally emailed."""

    __tablename__ = "notebook_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    notebook_id: Mapped[int] = mapped_column(_notebook_fk(), index=True)
    kind: Mapped[DateKind] = mapped_column(String(30))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(120), default="")
    remind: Mapped[bool] = mapped_column(default=False)
    remind_days: Mapped[int] = mapped_column(default=7)
    # Set when the one reminder for this date was sent (cleared if the date moves).
    reminded_at: Mapped[datetime | None]


class ShareLink(db.Model):
    """A read-only link to one notebook; only the token's hash is kept."""

    __tablename__ = "notebook_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    notebook_id: Mapped[int] = mapped_column(_notebook_fk(), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
