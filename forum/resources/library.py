"""The resource library: topics, the thread sidebar, editing, importing and link checks."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db, now_utc
from forum.resources.models import Resource, ResourceTag, Tag, ThreadTag, Verification
from forum.services import ForumError, NotFound
from forum.threads.models import Thread

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
THREAD_RESOURCES = 6
# Topics where the "rules vary by state; not legal advice" footer applies (import default).
LEGAL_TAG_SLUGS = frozenset(
    {
        "eligibility-evaluation",
        "parent-rights-notice",
        "placement-lre",
        "one-to-one-aide",
        "iep-implementation",
        "goals-progress-fape",
        "discipline-suspension",
        "shortened-day-removals",
        "restraint-seclusion",
        "section-504-ocr",
        "mediation-facilitation",
        "state-complaint",
        "due-process",
        "stay-put",
        "retaliation-trust",
    }
)
RESOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


# --- reading -------------------------------------------------------------------


@dataclass
class Topic:
    tag: Tag | None  # None: resources without a topic
    resources: list[Resource] = field(default_factory=list)


def library_by_topic(*, include_retired: bool = False) -> list[Topic]:
    """Every topic with its resources in the suggested order (two queries)."""
    stmt = select(Resource).order_by(Resource.title)
    if not include_retired:
        stmt = stmt.where(Resource.retired.is_(False))
    resources = {r.id: r for r in db.session.scalars(stmt)}
    rows = db.session.execute(
        select(Tag, ResourceTag.resource_id)
        .outerjoin(ResourceTag, ResourceTag.tag_id == Tag.id)
        .where(Tag.retired.is_(False))
        .order_by(Tag.position, Tag.label, ResourceTag.position, ResourceTag.resource_id)
    ).all()
    topics: dict[int, Topic] = {}
    placed: set[str] = set()
    for tag, resource_id in rows:
        topic = topics.setdefault(tag.id, Topic(tag))
        if resource_id in resources:
            topic.resources.append(resources[resource_id])
            placed.add(resource_id)
    listed = [t for t in topics.values() if t.resources]
    others = [r for rid, r in resources.items() if rid not in placed]
    if others:
        listed.append(Topic(None, others))
    return listed


@dataclass
class ThreadSidebar:
    tags: list[Tag]
    resources: list[Resource]

    @property
    def legal(self) -> bool:
        return any(t.legal for t in self.tags)


@cache
def _sidebar_statement():
    """Built once: composing it cost more than running it."""
    return (
        select(Tag, Resource)
        .join(ThreadTag, ThreadTag.tag_id == Tag.id)
        .outerjoin(ResourceTag, ResourceTag.tag_id == Tag.id)
        .outerjoin(Resource, (Resource.id == ResourceTag.resource_id) & Resource.retired.is_(False))
        .where(ThreadTag.thread_id == bindparam("thread_id"))
        .order_by(Tag.position, Tag.label, ResourceTag.position, ResourceTag.resource_id)
    )


def thread_sidebar(thread: Thread) -> ThreadSidebar:
    """A thread's tags and "Resources for this topic", in one query.

    Resources listed under several of the thread's topics come first; then each
    topic's suggestions take turns, so every topic gets its best ones in.
    """
    rows = db.session.execute(_sidebar_statement(), {"thread_id": thread.id}).all()
    tags: dict[int, Tag] = {}
    by_tag: dict[int, list[Resource]] = {}
    for tag, resource in rows:
        tags.setdefault(tag.id, tag)
        if resource is not None:
            by_tag.setdefault(tag.id, []).append(resource)
    counts = Counter(r.id for listed in by_tag.values() for r in listed)
    chosen: dict[str, Resource] = {}
    for listed in by_tag.values():
        for resource in listed:
            if counts[resource.id] > 1:
                chosen.setdefault(resource.id, resource)
    queues = [[r for r in listed if r.id not in chosen] for listed in by_tag.values()]
    while any(queues) and len(chosen) < THREAD_RESOURCES:
        for queue in queues:
            while queue and queue[0].id in chosen:
                queue.pop(0)
            if queue and len(chosen) < THREAD_RESOURCES:
                resource = queue.pop(0)
                chosen[resource.id] = resource
    return ThreadSidebar(list(tags.values()), list(chosen.values())[:THREAD_RESOURCES])


def get_resource(resource_id: str) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise NotFound("No such resource.")
    return resource


def resource_tag_ids(resource: Resource) -> list[int]:
    return list(
        db.session.scalars(select(ResourceTag.tag_id).where(ResourceTag.resource_id == resource.id))
    )


# --- editing (moderators) ----------------------------------------------------------


def check_url(url: str, label: str = "The link") -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ForumError(f"{label} must be a full web address starting with https:// or http://.")
    return url


def save_resource(
    resource: Resource | None,
    *,
    id: str | None = None,
    title: str,
    url: str,
    publisher: str,
    description: str,
    tag_ids: Iterable[int],
    verification: str = Verification.UNCONFIRMED,
    verification_note: str = "",
    alt_url: str | None = None,
) -> Resource:
    """Create or edit a resource and its topics."""
    url = check_url(url)
    alt_url = check_url(alt_url, "The alternative link") if alt_url else None
    if verification not in set(Verification):
        raise ForumError("Choose how the link was checked.")
    if resource is None:
        rid = (id or "").strip().lower()
        if not RESOURCE_ID.match(rid):
            raise ForumError("The id needs lower-case letters, digits and dashes (up to 60).")
        if db.session.get(Resource, rid) is not None:
            raise ForumError("Another resource already uses that id.")
        resource = Resource(id=rid)
        db.session.add(resource)
    if url != resource.url:  # a new address has not been checked yet
        resource.last_checked_at = resource.last_status = resource.last_error = None
        resource.last_final_url = None
    resource.title, resource.url, resource.alt_url = title.strip(), url, alt_url
    resource.publisher, resource.description = publisher.strip(), description.strip()
    resource.verification, resource.verification_note = verification, verification_note.strip()
    resource.updated_at = now_utc()
    db.session.flush()
    wanted = list(dict.fromkeys(int(t) for t in tag_ids))
    current = {
        rt.tag_id: rt
        for rt in db.session.scalars(
            select(ResourceTag).where(ResourceTag.resource_id == resource.id)
        )
    }
    for tag_id in set(current) - set(wanted):
        db.session.delete(current[tag_id])
    for tag_id in wanted:
        if tag_id not in current:
            db.session.add(ResourceTag(resource_id=resource.id, tag_id=tag_id, position=100))
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ForumError("That resource could not be saved (is the id already used?).") from exc
    return resource


def set_resource_retired(resource: Resource, retired: bool) -> None:
    resource.retired = retired
    resource.updated_at = now_utc()
    db.session.commit()


# --- import from forum/data -----------------------------------------------------------


def import_library(tags_file: Path | None = None, resources_file: Path | None = None) -> str:
    """Add the starter tags and resources that are missing (ids and slugs kept)."""
    tag_specs = json.loads((tags_file or DATA_DIR / "tags.json").read_text(encoding="utf-8"))
    resource_specs = json.loads(
        (resources_file or DATA_DIR / "resources.json").read_text(encoding="utf-8")
    )
    tags = {t.slug: t for t in db.session.scalars(select(Tag))}
    start = db.session.scalar(select(func.coalesce(func.max(Tag.position), 0)))
    new_tags = 0
    for offset, spec in enumerate(tag_specs, start=1):
        if spec["slug"] not in tags:
            tag = Tag(
                slug=spec["slug"],
                label=spec["label"],
                description=spec.get("description", ""),
                legal=spec["slug"] in LEGAL_TAG_SLUGS,
                position=start + offset,
            )
            db.session.add(tag)
            tags[tag.slug] = tag
            new_tags += 1
    db.session.flush()
    known = set(db.session.scalars(select(Resource.id)))
    new_resources = 0
    for spec in resource_specs:
        if spec["id"] in known:
            continue
        verification = spec.get("verification") or {}
        db.session.add(
            Resource(
                id=spec["id"],
                title=spec["title"],
                url=spec["url"],
                alt_url=spec.get("alt_url"),
                publisher=spec.get("publisher", ""),
                description=spec.get("description", ""),
                verification=verification.get("status", Verification.UNCONFIRMED),
                verification_note=verification.get("note", ""),
            )
        )
        known.add(spec["id"])
        new_resources += 1
    db.session.flush()
    links = {
        tuple(row)
        for row in db.session.execute(select(ResourceTag.resource_id, ResourceTag.tag_id))
    }
    wanted: dict[tuple[str, int], int] = {}
    for spec in tag_specs:  # the tag's own suggestions come first, in its order
        for position, rid in enumerate(spec.get("suggested_resources", [])):
            if rid in known:
                wanted.setdefault((rid, tags[spec["slug"]].id), position)
    for spec in resource_specs:
        for slug in spec.get("tags", []):
            if slug in tags:
                wanted.setdefault((spec["id"], tags[slug].id), 100)
    for (rid, tag_id), position in wanted.items():
        if (rid, tag_id) not in links:
            db.session.add(ResourceTag(resource_id=rid, tag_id=tag_id, position=position))
    db.session.commit()
    return f"Library: {new_tags} new tags, {new_resources} new resources."


# --- link checking ------------------------------------------------------------------------


@dataclass
class LinkCheck:
    resource_id: str
    url: str
    status: int | None
    final_url: str | None
    error: str | None

    @property
    def outcome(self) -> str:
        if self.status is None:
            return "failed"
        if self.status >= 400:
            return "broken"
        return "redirected" if self.final_url and self.final_url != self.url else "ok"


def fetch_status(
    url: str, timeout: float, user_agent: str
) -> tuple[int | None, str | None, str | None]:
    """(HTTP status after redirects, final URL, error) for one address; reads no body."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https only)
            return response.status, response.geturl(), None
    except urllib.error.HTTPError as exc:
        if exc.code < 400:  # urllib gives up on redirect loops with the last 3xx
            return None, None, f"too many redirects (HTTP {exc.code})"
        return exc.code, exc.geturl() or url, None
    except TimeoutError:
        return None, None, f"no answer within {timeout:g} s"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return None, None, f"no answer within {timeout:g} s"
        return None, None, str(reason)[:200]
    except (OSError, ValueError) as exc:
        return None, None, str(exc)[:200]


def check_links(
    *,
    timeout: float = 10.0,
    delay: float = 1.0,
    user_agent: str = "IEP-forum-link-checker",
    fetch: Callable | None = None,
    sleep: Callable[[float], None] = time.sleep,
    echo: Callable[[str], None] | None = None,
) -> list[LinkCheck]:
    """Check every resource's address, `delay` seconds apart per host, and record the results."""
    fetch = fetch or fetch_status
    results: list[LinkCheck] = []
    last_hit: dict[str, float] = {}
    resources = list(db.session.scalars(select(Resource).order_by(Resource.id)))
    for resource in resources:
        host = urlsplit(resource.url).netloc.lower()
        if urlsplit(resource.url).scheme not in ("http", "https"):
            status, final_url, error = None, None, "not a web address"
        else:
            wait = last_hit.get(host, -1e9) + delay - time.monotonic()
            if wait > 0:
                sleep(wait)
            status, final_url, error = fetch(resource.url, timeout, user_agent)
            last_hit[host] = time.monotonic()
        check = LinkCheck(resource.id, resource.url, status, final_url, error)
        resource.last_checked_at = now_utc()
        resource.last_status = status
        resource.last_error = error
        resource.last_final_url = final_url if check.outcome == "redirected" else None
        db.session.commit()
        results.append(check)
        if echo and check.outcome != "ok":
            detail = error or (
                f"HTTP {status}" + (f" -> {final_url}" if check.outcome == "redirected" else "")
            )
            echo(f"{check.outcome:>10}  {resource.id}: {detail}")
    return results


def summarize(results: list[LinkCheck]) -> str:
    counts = Counter(r.outcome for r in results)
    parts = [f"{counts[k]} {k}" for k in ("ok", "redirected", "broken", "failed")]
    return f"Checked {len(results)} links: " + ", ".join(parts) + ". Nothing was hidden."
