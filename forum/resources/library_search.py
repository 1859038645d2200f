"""Finding topics and library resources by words: the same query, synonyms and prefix as posts.

The library has tens of entries, not thousands, so they are matched in Python
against one query's worth of rows, with the same rules the highlighter uses:
a short word matches itself (and its plural), a longer one any word starting
with its stem, the last word typed any word it starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select

from forum.extensions import db
from forum.resources.library import Topic, library_by_topic
from forum.resources.models import Resource, ResourceTag, Tag
from forum.resources.search import (
    Highlighter,
    ParsedQuery,
    _word_pattern,
    clean_slug,
    highlighter,
    parse_search,
)
from forum.resources.services import active_tags

TITLE, TOPIC, TEXT = 3.0, 2.0, 1.0  # weights of the fields a word is found in


class Matcher:
    """Whether, and how well, a text's words contain every group of a query.

    One compiled pattern per phrase (per word for loose alternatives), by the
    highlighter's rules, so matching a field is a few searches in C.
    """

    def __init__(self, query: ParsedQuery):
        self._groups = [
            [self._patterns(query, g, a) for a in range(len(group))]
            for g, group in enumerate(query.groups)
        ]

    @staticmethod
    def _patterns(query: ParsedQuery, g: int, a: int) -> list[re.Pattern]:
        phrase = query.groups[g][a]
        words = [
            re.escape(w) + r"[^\W_]*" if query.is_prefix(g, a) else _word_pattern(w) for w in phrase
        ]
        if query.is_loose(g, a):
            return [re.compile(_START + w, re.IGNORECASE) for w in words]
        return [re.compile(_START + r"[\W_]+".join(words), re.IGNORECASE)]

    def score(self, fields: Iterable[tuple[str, float]]) -> float:
        """The sum, over the query's groups, of the best weight of a field holding the
        group; 0 when some group is in no field."""
        fields = [(text, weight) for text, weight in fields if text]
        total = 0.0
        for group in self._groups:
            best = max(
                (
                    weight
                    for text, weight in fields
                    if any(all(p.search(text) for p in alternative) for alternative in group)
                ),
                default=0.0,
            )
            if not best:
                return 0.0
            total += best
        return total


_START = r"(?<![^\W_])"  # a word's start


@dataclass
class TopicHit:
    tag: Tag
    label: Markup
    description: Markup


@dataclass
class ResourceHit:
    resource: Resource
    title: Markup
    description: Markup
    topics: list[Tag]


def find_topics(query: ParsedQuery, tags: list[Tag], limit: int = 8) -> list[TopicHit]:
    """Topics whose name or description hold every word (or a synonym), best first."""
    if not query:
        return []
    matcher, marker = Matcher(query), highlighter(query)
    scored = []
    for position, tag in enumerate(tags):
        score = matcher.score(
            [
                (tag.label, TITLE),
                (tag.slug.replace("-", " "), TOPIC),
                (tag.description, TEXT),
            ]
        )
        if score:
            scored.append((-score, position, tag))
    scored.sort(key=lambda row: row[:2])
    return [
        TopicHit(tag, marker.mark(tag.label), marker.mark(tag.description or ""))
        for _s, _p, tag in scored[:limit]
    ]


def library_rows(topic_slug: str | None = None) -> list[tuple[Resource, list[int]]]:
    """Every listed resource with its topic ids (one query), by title."""
    stmt = (
        select(Resource, ResourceTag.tag_id)
        .outerjoin(ResourceTag, ResourceTag.resource_id == Resource.id)
        .where(Resource.retired.is_(False))
        .order_by(Resource.title, Resource.id, ResourceTag.position)
    )
    by_id: dict[str, tuple[Resource, list[int]]] = {}
    for resource, tag_id in db.session.execute(stmt):
        entry = by_id.setdefault(resource.id, (resource, []))
        if tag_id is not None:
            entry[1].append(tag_id)
    return list(by_id.values())


def rank_resources(
    query: ParsedQuery, rows: list[tuple[Resource, list[int]]], tags: dict[int, Tag]
) -> list[ResourceHit]:
    """The resources matching every word of the query in their title, topics,
    publisher or description, best first (all of them, by title, without words)."""
    matcher: Matcher | None = Matcher(query) if query else None
    marker: Highlighter = highlighter(query)
    scored = []
    for position, (resource, tag_ids) in enumerate(rows):
        topics = [tags[t] for t in tag_ids if t in tags]
        if matcher is not None:
            score = matcher.score(
                [
                    (resource.title, TITLE),
                    (" · ".join(t.label for t in topics), TOPIC),
                    (resource.description, TEXT),
                    (resource.publisher, TEXT),
                ]
            )
            if not score:
                continue
        else:
            score = 0.0
        scored.append((-score, position, resource, topics))
    scored.sort(key=lambda row: row[:2])
    return [
        ResourceHit(
            resource,
            marker.mark(resource.title),
            marker.mark(resource.description or "", length=260),
            topics,
        )
        for _s, _p, resource, topics in scored
    ]


SEARCH_RESOURCES = 3  # shown on the search page; the rest on the library page


@dataclass
class LibraryResults:
    """What a forum search found in the library: topics, and the best few resources."""

    topics: list[TopicHit]
    resources: list[ResourceHit]
    resource_total: int

    def __bool__(self) -> bool:
        return bool(self.topics or self.resources)


def search_library(query: ParsedQuery, tags: list[Tag], tag_slug: str = "") -> LibraryResults:
    """Topics and resources matching a forum search (one query: the resources);
    only the chosen topic's resources when the search is limited to one."""
    if not query:
        return LibraryResults([], [], 0)
    rows = library_rows()
    chosen = next((t for t in tags if t.slug == tag_slug), None) if tag_slug else None
    if chosen is not None:
        rows = [row for row in rows if chosen.id in row[1]]
    hits = rank_resources(query, rows, {t.id: t for t in tags})
    topics = [] if tag_slug else find_topics(query, tags)
    return LibraryResults(topics, hits[:SEARCH_RESOURCES], len(hits))


@dataclass
class LibraryPage:
    """The library page: every topic's resources, or the resources matching words."""

    q: str
    tags: list[Tag]
    topic: Tag | None  # the chosen topic, if any
    unknown_topic: bool  # a topic was asked for that does not exist
    by_topic: list[Topic]  # when no words were given
    hits: list[ResourceHit] | None  # when words were given: the matches, best first

    @property
    def searched(self) -> bool:
        return self.hits is not None


def library_page(q: str, topic_slug: str) -> LibraryPage:
    """The resource library, limited to one topic and/or to resources matching `q`."""
    tags = active_tags()
    slug = clean_slug(topic_slug)
    topic = next((t for t in tags if t.slug == slug), None) if slug else None
    unknown = bool(topic_slug.strip()) and topic is None
    query = parse_search(q)
    if not query:
        listed = library_by_topic()
        if topic is not None:
            listed = [t for t in listed if t.tag is not None and t.tag.id == topic.id]
        return LibraryPage(q, tags, topic, unknown, listed, None)
    rows = library_rows()
    if topic is not None:
        rows = [row for row in rows if topic.id in row[1]]
    hits = rank_resources(query, rows, {t.id: t for t in tags})
    return LibraryPage(q, tags, topic, unknown, [], hits)
