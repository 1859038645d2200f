"""Demo data: categories, members and realistic threads from seed_data.json."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.extensions import db, now_utc
from forum.resources.library import import_library
from forum.resources.models import Tag, ThreadTag
from forum.threads import services as threads
from forum.threads.models import Category, Post, Thread

SEED_FILE = Path(__file__).resolve().parent / "seed_data.json"
DEMO_VERIFIED_DAYS = 60


def load_seed_data() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed_categories(data: dict) -> dict[str, Category]:
    """Create the categories that are missing; return all by slug."""
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    for position, spec in enumerate(data["categories"], start=1):
        if spec["slug"] not in existing:
            existing[spec["slug"]] = threads.save_category(
                None,
                slug=spec["slug"],
                name=spec["name"],
                description=spec.get("description", ""),
                visibility=spec.get("visibility", "public"),
                anonymous_policy=spec.get("anonymous_policy", "allow"),
                sensitive=spec.get("sensitive", False),
                position=position,
            )
    return existing


def seed(password: str = "demo-password-123", if_empty: bool = False) -> str:
    """Fill a demo site; running it again adds only what is missing."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        return "Database already has accounts; demo data not added."
    data = load_seed_data()
    categories = seed_categories(data)
    library = import_library()
    members: dict[str, User] = {}
    for spec in data["members"]:
        user = accounts.find_user(spec["username"])
        if user is None:
            user = accounts.register_user(
                spec["username"], password, spec.get("email"), role=Role(spec.get("role", "member"))
            )
            if user.email:  # demo addresses: verified before the demo threads, so that
                # `flask digests send --period weekly --now` has a first digest to show
                user.email_verified_at = now_utc() - timedelta(days=DEMO_VERIFIED_DAYS)
                db.session.commit()
        members[spec["username"]] = user
    known_titles = {t.title: t for t in db.session.scalars(select(Thread))}
    tags = {t.slug: t.id for t in db.session.scalars(select(Tag))}
    added = 0
    now = now_utc()
    for spec in data["threads"]:
        if spec["title"] in known_titles:
            seed_story(known_titles[spec["title"]], spec, tags)
            continue
        started = now - timedelta(days=spec.get("days_ago", 1), hours=3)
        thread = threads.create_thread(
            members[spec["author"]], categories[spec["category"]], spec["title"], spec["body"],
            hide_author=spec.get("hide_author", False),
        )
        _backdate(thread.id, started)
        seed_story(thread, spec, tags)
        for reply in spec.get("replies", []):
            post = threads.create_reply(
                members[reply["author"]], thread, reply["body"],
                hide_author=reply.get("hide_author", False),
            )
            when = min(started + timedelta(hours=reply.get("hours_after", 2)), now)
            _backdate_post(post.id, thread.id, when)
        added += 1
    db.session.commit()
    return (
        f"Demo data: {len(categories)} categories, {len(members)} members, "
        f"{added} new threads. {library}"
    )


def seed_story(thread: Thread, spec: dict, tags: dict[str, int]) -> None:
    """Give a demo thread its topics and details, unless it already has some."""
    has_tags = db.session.scalar(select(func.count()).where(ThreadTag.thread_id == thread.id))
    if has_tags or thread.state or thread.school_stage:
        return
    for slug in spec.get("tags", [])[:3]:
        if slug in tags:
            db.session.add(ThreadTag(thread_id=thread.id, tag_id=tags[slug]))
    thread.state = spec.get("state") or None
    thread.school_stage = spec.get("school_stage") or None
    db.session.commit()


def _backdate(thread_id: int, when) -> None:
    db.session.execute(
        Thread.__table__.update().where(Thread.id == thread_id)
        .values(created_at=when, last_activity_at=when)
    )
    db.session.execute(
        Post.__table__.update().where(Post.thread_id == thread_id).values(created_at=when)
    )
    db.session.commit()


def _backdate_post(post_id: int, thread_id: int, when) -> None:
    db.session.execute(Post.__table__.update().where(Post.id == post_id).values(created_at=when))
    db.session.execute(
        Thread.__table__.update().where(Thread.id == thread_id).values(last_activity_at=when)
    )
    db.session.commit()
