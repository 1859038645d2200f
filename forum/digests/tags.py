"""Tags in digests: the one small piece that depends on forum.resources.

Tags are built in another package (`forum.resources.models`: `Tag` with id,
slug and label; `ThreadTag` with thread_id and tag_id). Until that package
exists every function here answers "no tags", and digests filter by category
alone. Members' tag choices are stored by slug (DigestTagChoice), so this
package needs no foreign key into a table it does not own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from forum.extensions import db


@dataclass(frozen=True)
class TagInfo:
    slug: str
    label: str


def _models():
    try:
        from forum.resources.models import Tag, ThreadTag
    except ImportError:
        return None
    return Tag, ThreadTag


def tags_available() -> bool:
    return _models() is not None


def _label(tag) -> str:
    return getattr(tag, "label", None) or getattr(tag, "name", None) or tag.slug


def _is_active(tag) -> bool:
    if getattr(tag, "retired_at", None) is not None or getattr(tag, "retired", False):
        return False
    return bool(getattr(tag, "active", True))


def all_tags() -> list[TagInfo]:
    """Tags a member may pick, by label (empty when tags don't exist yet)."""
    models = _models()
    if models is None:
        return []
    tags = db.session.scalars(select(models[0])).all()
    return sorted(
        (TagInfo(t.slug, _label(t)) for t in tags if _is_active(t)), key=lambda t: t.label
    )


def tags_for_threads(thread_ids: Iterable[int]) -> dict[int, list[TagInfo]]:
    """The tags of many threads in one query."""
    models = _models()
    ids = sorted(set(thread_ids))
    if models is None or not ids:
        return {}
    Tag, ThreadTag = models
    rows = db.session.execute(
        select(ThreadTag.thread_id, Tag)
        .join(Tag, Tag.id == ThreadTag.tag_id)
        .where(ThreadTag.thread_id.in_(ids))
    ).all()
    found: dict[int, list[TagInfo]] = defaultdict(list)
    for thread_id, tag in rows:
        found[thread_id].append(TagInfo(tag.slug, _label(tag)))
    for tags in found.values():
        tags.sort(key=lambda t: t.label)
    return dict(found)


def matches_tags(wanted: frozenset[str], thread_tags: Iterable[TagInfo]) -> bool:
    """A thread a member gets for its tags, in a category they did not pick."""
    return bool(wanted) and any(tag.slug in wanted for tag in thread_tags)
