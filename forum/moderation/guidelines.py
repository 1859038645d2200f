"""Community guidelines: the shipped text until an admin saves a revision, then the newest."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.extensions import db
from forum.moderation.models import AuditAction, GuidelinesRevision
from forum.moderation.services import clean_reason, record
from forum.services import ForumError, NotAllowed
from forum.text import render_markdown

SHIPPED = Path(__file__).resolve().parent.parent / "content" / "guidelines.md"
BODY_MAX = 50_000
# Numbered section headings ("### 1. Protect children's privacy") get id="section-1",
# which flag reasons and moderator pages link to.
_SECTION = re.compile(r"<h3>(\d{1,2})\.")


def add_section_anchors(rendered: str) -> Markup:
    """Sanitised guideline HTML with an id on each numbered section heading."""
    return Markup(_SECTION.sub(r'<h3 id="section-\1">\1.', str(rendered)))


def render_guidelines(source: str) -> Markup:
    return add_section_anchors(render_markdown(source))


@cache
def shipped_source() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@cache
def shipped_html() -> Markup:
    return render_guidelines(shipped_source())


def latest_revision() -> GuidelinesRevision | None:
    return db.session.scalar(
        select(GuidelinesRevision).order_by(GuidelinesRevision.id.desc()).limit(1)
    )


def current_guidelines() -> tuple[str, Markup]:
    """(Markdown source, HTML) of the guidelines as members see them now."""
    latest = latest_revision()
    if latest is None:
        return shipped_source(), shipped_html()
    return latest.body, Markup(latest.body_html)


def save_guidelines(admin: User, body: str, reason: str = "") -> GuidelinesRevision:
    """Save a new version; earlier ones stay in the table."""
    if not admin.is_admin:
        raise NotAllowed("Only admins edit the guidelines.")
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise ForumError("The guidelines can't be empty.")
    if len(body) > BODY_MAX:
        raise ForumError(f"Please keep the guidelines under {BODY_MAX:,} characters.")
    reason = clean_reason(reason)
    if body == current_guidelines()[0]:
        raise ForumError("Nothing changed.")
    revision = GuidelinesRevision(
        body=body, body_html=str(render_guidelines(body)), editor_id=admin.id, reason=reason
    )
    db.session.add(revision)
    record(admin, AuditAction.GUIDELINES, reason=reason)
    db.session.commit()
    return revision


def revisions(limit: int = 50) -> list[GuidelinesRevision]:
    return list(
        db.session.scalars(
            select(GuidelinesRevision)
            .order_by(GuidelinesRevision.id.desc())
            .limit(limit)
            .options(selectinload(GuidelinesRevision.editor))
        )
    )
