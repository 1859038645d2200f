"""The timeline: entries in date order, with missed sessions, gaps in services and past
due dates between them; filtered by kind or service; a page at a time, or whole.

A page costs the same number of queries with 10 entries or 10,000: one for the
page of entries, one for their topics, one for the resources of those topics,
and the record (breaks, services, logs) and dates once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select

from forum.extensions import db
from forum.notebook.minutes import Gap
from forum.notebook.models import (
    DATE_KIND_LABELS,
    ENTRY_KIND_LABELS,
    Entry,
    EntryKind,
    EntryTag,
    KeyDate,
    LogStatus,
    Notebook,
)
from forum.notebook.promises import Record, ServiceSummary, load_record, summarize
from forum.resources.models import Resource, ResourceTag, Tag

PER_PAGE = 50
RESOURCES_PER_ENTRY = 3
# Filter values besides the entry kinds.
MISSED, GAP, DUE = "missed", "gap", "due"
FILTER_LABELS = {
    **{str(k): v for k, v in ENTRY_KIND_LABELS.items()},
    MISSED: "Sessions missed",
    GAP: "Gaps in services",
    DUE: "Dates that matter (past)",
}


def day(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


@dataclass
class Item:
    on: date
    kind: str
    label: str
    text: str = ""
    at: time | None = None
    roles: str = ""
    entry: Entry | None = None
    service_name: str | None = None
    tags: list[Tag] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        # On one day: what happened to the services first, then entries by time.
        return (self.on, self.entry is not None, self.at or time.min,
                self.entry.id if self.entry else 0)


def _entry_key(entry: Entry) -> tuple:
    """The sort key of an entry's item (see Item.sort_key)."""
    return (entry.occurred_on, True, entry.occurred_at or time.min, entry.id)


def gap_sentence(summary: ServiceSummary, gap: Gap) -> str:
    """'1:1 aide promised from September 3, 2024, first delivered October 4, 2024: 31 days'."""
    name, tail = summary.service.name, f"{gap.days} days ({gap.school_days} school days)"
    promised = f"; {gap.promised:,} minutes promised in that time"
    if gap.before_first_delivery and gap.ongoing:
        return (f"{name} promised from {day(gap.first)}; nothing delivered logged yet: "
                f"{tail} so far{promised}")
    if gap.before_first_delivery:
        return (f"{name} promised from {day(gap.first)}, first delivered "
                f"{day(summary.tally.first_delivery)}: {tail} late{promised}")
    ended = summary.service.ends_on
    if gap.ongoing and ended and ended < summary.tally.to_date:
        return (f"No {name} delivered from {day(gap.first)} to the end of the promise on "
                f"{day(ended)}: {tail}{promised}")
    if gap.ongoing:
        return f"No {name} delivered since {day(gap.first)}: {tail} so far{promised}"
    return f"No {name} delivered from {day(gap.first)} to {day(gap.last)}: {tail}{promised}"


def _extras(record: Record, summaries: list[ServiceSummary], dates: list[KeyDate],
            today: date, kind: str | None, service_id: int | None) -> list[Item]:
    """Missed sessions, gaps and past due dates, as the filters allow."""
    names = {s.id: s.name for s in record.services}
    items: list[Item] = []
    if kind in (None, MISSED):
        for log in record.logs:
            if log.status != LogStatus.MISSED or service_id not in (None, log.service_id):
                continue
            if log.ends_on:
                what = (f"missed every school day from {day(log.starts_on)} to "
                        f"{day(log.ends_on)} ({log.minutes} min a day)")
            else:
                what = f"session missed ({log.minutes} min)"
            items.append(Item(log.starts_on, MISSED, "Session missed",
                              f"{names[log.service_id]}: {what}",
                              service_name=names[log.service_id]))
    if kind in (None, GAP):
        for summary in summaries:
            if service_id not in (None, summary.service.id):
                continue
            items += [Item(gap.first, GAP, "Gap in a service", gap_sentence(summary, gap),
                           service_name=summary.service.name) for gap in summary.tally.gaps]
    if kind in (None, DUE) and service_id is None:
        items += [Item(d.due_on, DUE, "Date that mattered",
                       f"{DATE_KIND_LABELS[d.kind].capitalize()}"
                       + (f": {d.note}" if d.note else ""))
                  for d in dates if d.due_on < today]
    return items


def _entry_item(entry: Entry, names: dict[int, str], tags: dict[int, list[Tag]]) -> Item:
    return Item(entry.occurred_on, str(entry.kind), ENTRY_KIND_LABELS[entry.kind], entry.text,
                at=entry.occurred_at, roles=entry.roles, entry=entry,
                service_name=names.get(entry.service_id), tags=tags.get(entry.id, []))


def _entries_query(notebook: Notebook, kind: str | None, service_id: int | None):
    stmt = select(Entry).where(Entry.notebook_id == notebook.id)
    if kind is not None:
        stmt = stmt.where(Entry.kind == kind)
    if service_id is not None:
        stmt = stmt.where(Entry.service_id == service_id)
    return stmt.order_by(Entry.occurred_on, Entry.occurred_at.asc().nulls_first(), Entry.id)


def tags_for(entry_ids: list[int]) -> dict[int, list[Tag]]:
    found: dict[int, list[Tag]] = {}
    if not entry_ids:
        return found
    rows = db.session.execute(
        select(EntryTag.entry_id, Tag).join(Tag, Tag.id == EntryTag.tag_id)
        .where(EntryTag.entry_id.in_(entry_ids)).order_by(Tag.position, Tag.label))
    for entry_id, tag in rows:
        found.setdefault(entry_id, []).append(tag)
    return found


def _attach_resources(items: list[Item]) -> None:
    """Resources listed under each entry's topics (one query for the whole page)."""
    tag_ids = {t.id for item in items for t in item.tags}
    if not tag_ids:
        return
    by_tag: dict[int, list[Resource]] = {}
    rows = db.session.execute(
        select(ResourceTag.tag_id, Resource).join(Resource, Resource.id == ResourceTag.resource_id)
        .where(ResourceTag.tag_id.in_(tag_ids), Resource.retired.is_(False))
        .order_by(ResourceTag.position, Resource.id))
    for tag_id, resource in rows:
        by_tag.setdefault(tag_id, []).append(resource)
    for item in items:
        chosen = {r.id: r for t in item.tags for r in by_tag.get(t.id, [])}
        item.resources = list(chosen.values())[:RESOURCES_PER_ENTRY]


def dates_of(notebook: Notebook) -> list[KeyDate]:
    return list(db.session.scalars(
        select(KeyDate).where(KeyDate.notebook_id == notebook.id)
        .order_by(KeyDate.due_on, KeyDate.id)))


@dataclass
class TimelinePage:
    items: list[Item]
    page: int
    has_prev: bool
    has_next: bool
    summaries: list[ServiceSummary]
    record: Record
    upcoming: list[KeyDate]


def timeline_page(notebook: Notebook, today: date, *, page: int = 1, kind: str | None = None,
                  service_id: int | None = None, per_page: int = PER_PAGE) -> TimelinePage:
    """One page of entries, with the extras that fall between its first entry and the next
    page's first entry (page one from the beginning, the last page to the end)."""
    record = load_record(notebook)
    summaries = summarize(notebook, record, today)
    dates = dates_of(notebook)
    entry_kind = kind if kind in set(EntryKind) else None
    entries: list[Entry] = []
    if kind is None or entry_kind is not None:
        entries = list(db.session.scalars(
            _entries_query(notebook, entry_kind, service_id)
            .offset((page - 1) * per_page).limit(per_page + 1)))
    following = entries[per_page] if len(entries) > per_page else None
    entries = entries[:per_page]
    names = {s.id: s.name for s in record.services}
    tags = tags_for([e.id for e in entries])
    items = [_entry_item(e, names, tags) for e in entries]
    _attach_resources(items)
    if page == 1 or entries:
        start = _entry_key(entries[0]) if page > 1 and entries else None
        end = _entry_key(following) if following else None
        for item in _extras(record, summaries, dates, today, kind, service_id):
            key = item.sort_key
            if (start is None or key >= start) and (end is None or key < end):
                items.append(item)
    items.sort(key=lambda item: item.sort_key)
    return TimelinePage(items, page, page > 1, following is not None, summaries, record,
                        [d for d in dates if d.due_on >= today])


def full_timeline(notebook: Notebook, today: date) -> TimelinePage:
    """Every item, for printing, the PDF and the share link (no resources: only the record)."""
    record = load_record(notebook)
    summaries = summarize(notebook, record, today)
    dates = dates_of(notebook)
    entries = list(db.session.scalars(_entries_query(notebook, None, None)))
    names = {s.id: s.name for s in record.services}
    tags = tags_for([e.id for e in entries]) if entries else {}
    items = [_entry_item(e, names, tags) for e in entries]
    items += _extras(record, summaries, dates, today, None, None)
    items.sort(key=lambda item: item.sort_key)
    return TimelinePage(items, 1, False, False, summaries, record,
                        [d for d in dates if d.due_on >= today])
