"""A member's notebooks in their data export (forum.mydata): everything, in a few queries."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from forum.extensions import db
from forum.notebook.models import (
    Entry,
    EntryTag,
    KeyDate,
    Notebook,
    SchoolBreak,
    Service,
    ServiceLog,
    ShareLink,
)
from forum.resources.models import Tag


def _iso(value: date | datetime | time | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()


def _by_notebook(model, ids: list[int], *order) -> dict[int, list]:
    found: dict[int, list] = {}
    if ids:
        for row in db.session.scalars(select(model).where(model.notebook_id.in_(ids))
                                      .order_by(*order)):
            found.setdefault(row.notebook_id, []).append(row)
    return found


def notebooks_export(user) -> list[dict[str, Any]]:
    """Every notebook of the member with all it holds (share links without their tokens,
    which are never stored)."""
    notebooks = list(db.session.scalars(
        select(Notebook).where(Notebook.owner_id == user.id).order_by(Notebook.id)))
    ids = [n.id for n in notebooks]
    entries = _by_notebook(Entry, ids, Entry.occurred_on, Entry.id)
    services = _by_notebook(Service, ids, Service.id)
    logs = _by_notebook(ServiceLog, ids, ServiceLog.starts_on, ServiceLog.id)
    breaks = _by_notebook(SchoolBreak, ids, SchoolBreak.starts_on)
    dates = _by_notebook(KeyDate, ids, KeyDate.due_on)
    shares = _by_notebook(ShareLink, ids, ShareLink.created_at)
    tags: dict[int, list[str]] = {}
    if ids:
        for entry_id, label in db.session.execute(
            select(EntryTag.entry_id, Tag.label).join(Tag, Tag.id == EntryTag.tag_id)
            .join(Entry, Entry.id == EntryTag.entry_id).where(Entry.notebook_id.in_(ids))
        ):
            tags.setdefault(entry_id, []).append(label)
    return [_notebook(n, entries, services, logs, breaks, dates, shares, tags) for n in notebooks]


def _notebook(n, entries, services, logs, breaks, dates, shares, tags) -> dict[str, Any]:
    names = {s.id: s.name for s in services.get(n.id, [])}
    return {
        "nickname": n.nickname,
        "created_at": _iso(n.created_at),
        "school_day_minutes": n.school_day_minutes,
        "school_weekdays": sorted(n.weekdays),
        "services": [
            {"name": s.name, "minutes": s.minutes, "per": str(s.per), "full_day": s.full_day,
             "session_minutes": s.session_minutes, "starts_on": _iso(s.starts_on),
             "ends_on": _iso(s.ends_on)}
            for s in services.get(n.id, [])
        ],
        "sessions": [
            {"service": names.get(log.service_id), "status": str(log.status),
             "from": _iso(log.starts_on), "to": _iso(log.ends_on), "minutes": log.minutes}
            for log in logs.get(n.id, [])
        ],
        "entries": [
            {"kind": str(e.kind), "date": _iso(e.occurred_on), "time": _iso(e.occurred_at),
             "roles": e.roles, "text": e.text, "service": names.get(e.service_id),
             "topics": tags.get(e.id, [])}
            for e in entries.get(n.id, [])
        ],
        "school_breaks": [
            {"from": _iso(b.starts_on), "to": _iso(b.ends_on), "label": b.label}
            for b in breaks.get(n.id, [])
        ],
        "dates": [
            {"kind": str(d.kind), "date": _iso(d.due_on), "note": d.note, "remind": d.remind,
             "remind_days_before": d.remind_days, "reminded_at": _iso(d.reminded_at)}
            for d in dates.get(n.id, [])
        ],
        "share_links": [
            {"created_at": _iso(s.created_at), "expires_at": _iso(s.expires_at),
             "revoked_at": _iso(s.revoked_at)}
            for s in shares.get(n.id, [])
        ],
    }
