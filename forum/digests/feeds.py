"""Atom feeds of new threads: the whole public site and each public category.

Built with xml.etree, which escapes every text and attribute; characters XML
can't carry at all (most control characters) are dropped first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from flask import Response, abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from forum.accounts.models import Guest
from forum.assembly import CONTENT, guest_page
from forum.digests import bp
from forum.digests.building import external_url
from forum.extensions import db, now_utc
from forum.text import plain_text
from forum.threads.authors import AliasBook, display_author
from forum.threads.models import Category, Post, PostStatus, Thread, Visibility

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 30
SUMMARY_CHARS = 400
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def public_new_threads(category: Category | None) -> list[tuple[Thread, str]]:
    """Newest visible threads (with their first post's HTML) in public categories: one query."""
    stmt = (
        select(Thread, Post.body_html)
        .join(Thread.category)
        .join(Post, (Post.thread_id == Thread.id) & (Post.number == 1))
        .where(
            Category.visibility == Visibility.PUBLIC,
            Thread.status == PostStatus.VISIBLE,
            Post.status == PostStatus.VISIBLE,
        )
        .options(contains_eager(Thread.category), joinedload(Thread.author))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(FEED_ENTRIES)
    )
    if category is not None:
        stmt = stmt.where(Thread.category_id == category.id)
    return [(thread, body) for thread, body in db.session.execute(stmt).all()]


def build_feed(title: str, self_url: str, page_url: str, rows: list[tuple[Thread, str]]) -> bytes:
    """An Atom 1.0 document; authors exactly as a guest sees them on the site."""
    aliases = AliasBook.for_starters(t for t, _ in rows)  # starters only: no query
    guest = Guest()
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "title", title)
    _sub(feed, "id", self_url)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    newest = max((t.created_at for t, _ in rows), default=None) or now_utc()
    _sub(feed, "updated", _stamp(newest))
    for thread, body_html in rows:
        url = external_url("threads.show", thread_id=thread.id)
        entry = _sub(feed, "entry")
        _sub(entry, "title", thread.title)
        _sub(entry, "id", url)
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", _stamp(thread.created_at))
        _sub(entry, "updated", _stamp(thread.created_at))
        author = display_author(thread, guest, aliases)
        author_el = _sub(entry, "author")
        _sub(author_el, "name", author.label)
        if author.profile_url:
            _sub(author_el, "uri", external_url("threads.profile", username=thread.author.username))
        _sub(entry, "category", term=thread.category.slug, label=thread.category.name)
        _sub(entry, "summary", plain_text(body_html, SUMMARY_CHARS), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _atom(document: bytes) -> Response:
    response = Response(document, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/feed.atom")
@guest_page(scopes=(CONTENT,))
def site_feed():
    return _atom(
        build_feed(
            f"New threads on {current_app.config['SITE_NAME']}",
            external_url("digests.site_feed"),
            external_url("threads.index"),
            public_new_threads(None),
        )
    )


@bp.get("/categories/<slug>/feed.atom")
@guest_page(scopes=(CONTENT,))
def category_feed(slug: str):
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None or not category.is_public:
        abort(404)  # members-only categories have no feed: feed readers are never signed in
    return _atom(
        build_feed(
            f"{category.name} · {current_app.config['SITE_NAME']}",
            external_url("digests.category_feed", slug=slug),
            external_url("threads.category", slug=slug),
            public_new_threads(category),
        )
    )
