"""Notebooks, entries, breaks and dates that matter: the rules, one commit per action.

Every function that takes a notebook expects one that `get_notebook` returned for
its owner: that is the only door in, and it answers "not found" to everyone else
(moderators and admins included), so nobody learns that a notebook exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from sqlalchemy import delete, func, select

from forum.extensions import db, now_utc
from forum.notebook.models import (
    DateKind,
    Entry,
    EntryKind,
    EntryTag,
    KeyDate,
    Notebook,
    SchoolBreak,
    Service,
)
from forum.notebook.review import name_findings
from forum.resources.models import MAX_THREAD_TAGS, Tag
from forum.services import ForumError, NotFound, check_storable

MAX_NOTEBOOKS = 10
MAX_ENTRIES = 10_000
MAX_BREAKS = 100
MAX_DATES = 200
NICKNAME_MAX = 40
ROLES_MAX = 200
TEXT_MAX = 5_000
NOTE_MAX = 120
LABEL_MAX = 80
EARLIEST = date(1990, 1, 1)
FUTURE_YEARS = 5


def check_date(value: date | None, label: str, *, latest: date | None = None) -> date:
    """A date in a sensible range (no year 9999 loops, no 1900 typos)."""
    latest = latest or date.today() + timedelta(days=365 * FUTURE_YEARS)
    if value is None:
        raise ForumError(f"{label}: please give a date.")
    if not EARLIEST <= value <= latest:
        raise ForumError(f"{label}: please give a date between {EARLIEST:%Y} and "
                         f"{latest:%B %-d, %Y}.")
    return value


def clean_text(value: str | None, limit: int, label: str) -> str:
    text = check_storable((value or "").strip())
    if len(text) > limit:
        raise ForumError(f"{label} can be up to {limit:,} characters.")
    return text


# --- notebooks -------------------------------------------------------------------


def notebooks_of(user) -> list[Notebook]:
    if not user.is_authenticated:
        return []
    return list(db.session.scalars(
        select(Notebook).where(Notebook.owner_id == user.id).order_by(Notebook.id)))


def get_notebook(user, notebook_id: int) -> Notebook:
    """The member's own notebook; NotFound for anyone else, whatever their role."""
    notebook = db.session.get(Notebook, notebook_id) if user.is_authenticated else None
    if notebook is None or notebook.owner_id != user.id:
        raise NotFound("No such notebook.")
    return notebook


def check_nickname(nickname: str | None) -> str:
    """A nickname or an initial: the privacy check refuses what looks like a full name."""
    nickname = clean_text(nickname, NICKNAME_MAX, "A nickname")
    if not nickname:
        raise ForumError("Please give a nickname (or an initial).")
    if name_findings(nickname):
        raise ForumError("That looks like a full name or a contact detail. Please use a "
                         "nickname or an initial: the notebook may be printed or shared.")
    return nickname


def refuse_names(text: str, label: str) -> str:
    """Short labels (a service's name) hold no person's name, school or contact detail."""
    if name_findings(text):
        raise ForumError(f"{label} looks like it holds a name or a contact detail. "
                         "Please describe it without one (e.g. speech therapy, 1:1 aide).")
    return text


def create_notebook(user, nickname: str, *, school_day_minutes: int = 360) -> Notebook:
    nickname = check_nickname(nickname)
    count = db.session.scalar(select(func.count()).where(Notebook.owner_id == user.id))
    if count >= MAX_NOTEBOOKS:
        raise ForumError(f"You can keep up to {MAX_NOTEBOOKS} notebooks.")
    notebook = Notebook(owner_id=user.id, nickname=nickname,
                        school_day_minutes=_day_minutes(school_day_minutes))
    db.session.add(notebook)
    db.session.commit()
    return notebook


def _day_minutes(value: int | None) -> int:
    if value is None or not 30 <= value <= 720:
        raise ForumError("A school day is between 30 and 720 minutes (6 hours is 360).")
    return value


def update_notebook(notebook: Notebook, nickname: str, school_day_minutes: int,
                    weekdays: Iterable[int]) -> None:
    days = sorted({int(d) for d in weekdays if 0 <= int(d) <= 6})
    if not days:
        raise ForumError("Mark at least one weekday as a school day.")
    notebook.nickname = check_nickname(nickname)
    notebook.school_day_minutes = _day_minutes(school_day_minutes)
    notebook.school_weekdays = "".join(map(str, days))
    notebook.updated_at = now_utc()
    db.session.commit()


def delete_notebook(notebook: Notebook) -> None:
    """The notebook and everything in it (the database cascades to every part)."""
    db.session.execute(delete(Notebook).where(Notebook.id == notebook.id))
    db.session.commit()


def delete_notebooks_of(user_id: int) -> None:
    """Part of deleting an account (forum.mydata): the caller commits."""
    db.session.execute(delete(Notebook).where(Notebook.owner_id == user_id))


# --- entries ---------------------------------------------------------------------


def get_entry(notebook: Notebook, entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.notebook_id != notebook.id:
        raise NotFound("No such entry.")
    return entry


def entry_tag_ids(entry: Entry) -> list[int]:
    return list(db.session.scalars(select(EntryTag.tag_id).where(EntryTag.entry_id == entry.id)))


def save_entry(
    notebook: Notebook,
    entry: Entry | None,
    *,
    kind: str,
    occurred_on: date | None,
    occurred_at: time | None,
    roles: str,
    text: str,
    service_id: int | None = None,
    tag_ids: Iterable[int] = (),
) -> Entry:
    """Add an entry (entry None) or change one, with its topics, in one transaction."""
    if kind not in set(EntryKind):
        raise ForumError("Please choose what kind of entry this is.")
    occurred_on = check_date(occurred_on, "Date")
    roles = clean_text(roles, ROLES_MAX, "People involved")
    text = clean_text(text, TEXT_MAX, "What happened")
    if service_id is not None and not _service_in(notebook, service_id):
        raise ForumError("Please choose one of this notebook's services.")
    tag_ids = _check_tags(tag_ids, entry)
    if entry is None:
        count = db.session.scalar(select(func.count()).where(Entry.notebook_id == notebook.id))
        if count >= MAX_ENTRIES:
            raise ForumError(f"A notebook holds up to {MAX_ENTRIES:,} entries.")
        entry = Entry(notebook_id=notebook.id)
        db.session.add(entry)
    entry.kind, entry.occurred_on, entry.occurred_at = EntryKind(kind), occurred_on, occurred_at
    entry.roles, entry.text, entry.service_id = roles, text, service_id
    entry.updated_at = now_utc()
    db.session.flush()
    db.session.execute(delete(EntryTag).where(EntryTag.entry_id == entry.id))
    db.session.add_all(EntryTag(entry_id=entry.id, tag_id=tag_id) for tag_id in tag_ids)
    db.session.commit()
    return entry


def _service_in(notebook: Notebook, service_id: int) -> bool:
    found = db.session.scalar(
        select(Service.id).where(Service.id == service_id, Service.notebook_id == notebook.id))
    return found is not None


def _check_tags(tag_ids: Iterable[int], entry: Entry | None) -> list[int]:
    wanted = list(dict.fromkeys(int(t) for t in tag_ids))
    if len(wanted) > MAX_THREAD_TAGS:
        raise ForumError(f"Choose up to {MAX_THREAD_TAGS} topics.")
    if not wanted:
        return []
    kept = set(entry_tag_ids(entry)) if entry is not None else set()
    usable = set(db.session.scalars(
        select(Tag.id).where(Tag.id.in_(wanted), Tag.retired.is_(False) | Tag.id.in_(kept))))
    if set(wanted) - usable:
        raise ForumError("Please choose topics from the list.")
    return wanted


def recent_entries(notebook: Notebook, limit: int) -> list[Entry]:
    """The latest entries by date (the notebook page's "lately")."""
    return list(db.session.scalars(
        select(Entry).where(Entry.notebook_id == notebook.id)
        .order_by(Entry.occurred_on.desc(), Entry.id.desc()).limit(limit)))


def delete_entry(entry: Entry) -> None:
    db.session.delete(entry)
    db.session.commit()


# --- breaks and dates that matter --------------------------------------------------


def breaks_of(notebook: Notebook) -> list[SchoolBreak]:
    return list(db.session.scalars(
        select(SchoolBreak).where(SchoolBreak.notebook_id == notebook.id)
        .order_by(SchoolBreak.starts_on, SchoolBreak.id)))


def add_break(notebook: Notebook, starts_on: date | None, ends_on: date | None,
              label: str) -> SchoolBreak:
    starts_on = check_date(starts_on, "First day of the break")
    ends_on = check_date(ends_on or starts_on, "Last day of the break")
    if ends_on < starts_on:
        raise ForumError("The break ends before it starts.")
    if (ends_on - starts_on).days > 366:
        raise ForumError("A break can be at most a year long.")
    count = db.session.scalar(
        select(func.count()).where(SchoolBreak.notebook_id == notebook.id))
    if count >= MAX_BREAKS:
        raise ForumError(f"A notebook holds up to {MAX_BREAKS} breaks.")
    school_break = SchoolBreak(notebook_id=notebook.id, starts_on=starts_on, ends_on=ends_on,
                               label=clean_text(label, LABEL_MAX, "The label"))
    db.session.add(school_break)
    db.session.commit()
    return school_break


def delete_break(notebook: Notebook, break_id: int) -> None:
    school_break = db.session.get(SchoolBreak, break_id)
    if school_break is None or school_break.notebook_id != notebook.id:
        raise NotFound("No such break.")
    db.session.delete(school_break)
    db.session.commit()


def get_date(notebook: Notebook, date_id: int) -> KeyDate:
    key_date = db.session.get(KeyDate, date_id)
    if key_date is None or key_date.notebook_id != notebook.id:
        raise NotFound("No such date.")
    return key_date


def save_date(notebook: Notebook, key_date: KeyDate | None, *, kind: str, due_on: date | None,
              note: str, remind: bool, remind_days: int | None) -> KeyDate:
    if kind not in set(DateKind):
        raise ForumError("Please choose what this date is.")
    due_on = check_date(due_on, "Date")
    if remind_days is None or not 0 <= remind_days <= 60:
        raise ForumError("Remind between 0 and 60 days before.")
    if key_date is None:
        count = db.session.scalar(select(func.count()).where(KeyDate.notebook_id == notebook.id))
        if count >= MAX_DATES:
            raise ForumError(f"A notebook holds up to {MAX_DATES} dates.")
        key_date = KeyDate(notebook_id=notebook.id)
        db.session.add(key_date)
    if (key_date.due_on, key_date.remind_days) != (due_on, remind_days):
        key_date.reminded_at = None  # a moved date gets its own reminder
    key_date.kind, key_date.due_on = DateKind(kind), due_on
    key_date.note = clean_text(note, NOTE_MAX, "The note")
    key_date.remind, key_date.remind_days = bool(remind), remind_days
    db.session.commit()
    return key_date


def delete_date(key_date: KeyDate) -> None:
    db.session.delete(key_date)
    db.session.commit()
