"""Drafts kept on the server: one per member for a new thread, one per member and thread
for a reply. Private (always looked up by the signed-in member, never by id), restored
into the composer on any device, deleted when the post is published, and forgotten
after DRAFT_DAYS (`flask engage prune-drafts`, and never restored when older)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask_wtf.csrf import validate_csrf
from sqlalchemy import String, cast, delete, literal, select, text
from wtforms.validators import ValidationError

from forum.accounts.models import User
from forum.assembly import changed
from forum.engage.models import NEW_THREAD, Draft, reply_place
from forum.extensions import db, now_utc
from forum.services import ForumError, check_storable
from forum.threads.models import Post, Thread
from forum.threads.services import BODY_MAX, TITLE_MAX

DRAFT_DAYS = 30


def _days() -> int:
    return int(current_app.config.get("DRAFT_DAYS", DRAFT_DAYS))


def _fresh_since():
    return now_utc() - timedelta(days=_days())


def place_for(thread: Thread | None) -> str:
    return NEW_THREAD if thread is None else reply_place(thread.id)


def get_draft(member: User, thread: Thread | None = None) -> Draft | None:
    """The member's draft for this composer, if it is younger than DRAFT_DAYS."""
    return db.session.scalar(
        select(Draft).where(Draft.user_id == member.id, Draft.place == place_for(thread),
                            Draft.updated_at >= _fresh_since())
    )


def drafts_of(member: User) -> list[Draft]:
    return list(db.session.scalars(
        select(Draft).where(Draft.user_id == member.id, Draft.updated_at >= _fresh_since())
        .order_by(Draft.updated_at.desc())
    ))


def save_draft(member: User, thread: Thread | None, *, body: str, hide_author: bool,
               title: str = "", category_slug: str | None = None) -> Draft | None:
    """Keep what the member has written so far (an empty composer deletes the draft)."""
    body, title = (body or "")[:BODY_MAX + 1], (title or "").strip()
    if len(body) > BODY_MAX or len(title) > TITLE_MAX:
        raise ForumError("This draft is too long to keep.")
    check_storable(body)
    check_storable(title)
    if not body.strip() and not title:
        discard_draft(member, thread)
        return None
    params = {"u": member.id, "p": place_for(thread), "t": thread.id if thread else None,
              "c": (category_slug or "")[:60] or None, "ti": title, "b": body,
              "h": bool(hide_author), "at": now_utc()}
    # One statement, so two tabs autosaving at once never collide on the unique key.
    db.session.execute(text(
        "INSERT INTO drafts (user_id, place, thread_id, category_slug, title, body, "
        "hide_author, updated_at) VALUES (:u, :p, :t, :c, :ti, :b, :h, :at) "
        "ON CONFLICT (user_id, place) DO UPDATE SET category_slug = excluded.category_slug, "
        "title = excluded.title, body = excluded.body, hide_author = excluded.hide_author, "
        "updated_at = excluded.updated_at"), params)
    changed()
    db.session.commit()
    return get_draft(member, thread)


def discard_draft(member: User, thread: Thread | None) -> None:
    db.session.execute(delete(Draft).where(Draft.user_id == member.id,
                                           Draft.place == place_for(thread)))
    changed()
    db.session.commit()


def forget_published(post: Post, **_) -> None:
    """post_published receiver: the author's draft for this composer is posted (same
    transaction as the post; never commits)."""
    if post.author_id is None:
        return
    place = NEW_THREAD if post.number == 1 else reply_place(post.thread_id)
    db.session.execute(delete(Draft).where(Draft.user_id == post.author_id,
                                           Draft.place == place))


def forget_new_thread(author, *, first_post: bool = False, editing=None, **_) -> None:
    """post_submitted receiver: a new thread that waits for a moderator is posted too."""
    if first_post and editing is None and getattr(author, "id", None) is not None:
        db.session.execute(delete(Draft).where(Draft.user_id == author.id,
                                               Draft.place == NEW_THREAD))


def prune(days: int | None = None) -> int:
    """Delete drafts not touched for `days` (DRAFT_DAYS); returns how many."""
    cutoff = now_utc() - timedelta(days=days if days is not None else _days())
    count = db.session.execute(delete(Draft).where(Draft.updated_at < cutoff)).rowcount
    changed()
    db.session.commit()
    return count


# --- the composer hooks (forum.threads.composer) --------------------------------------


def restore(form, member, thread: Thread | None, facts: dict | None = None) -> None:
    """Fill an opened composer with the member's draft (title, text, category, and the
    anonymous box as it was left). On the thread page the draft came with the thread
    (`facts`, see draft_facts): no query of its own."""
    if facts is not None and "draft_at" in facts:
        if facts["draft_at"] is None or facts["draft_at"] < _fresh_since():
            return
        form.body.data = facts["draft_body"]
        form.hide_author.data = bool(facts["draft_hide"])
        form.draft_saved_at = facts["draft_at"]
        return
    draft = get_draft(member, thread)
    if draft is None:
        return
    form.body.data = draft.body
    form.hide_author.data = draft.hide_author
    if thread is None:
        form.title.data = draft.title
        if draft.category_slug in {getattr(c, "value", None) for c in form.category.choices}:
            form.category.data = draft.category_slug
    form.draft_saved_at = draft.updated_at


def draft_facts() -> dict:
    """Thread facts (forum.threads.services.add_thread_fact): the member's reply draft."""

    def column(name):
        def expression(user_id):
            place = literal("thread:") + cast(Thread.id, String)
            return (select(getattr(Draft, name))
                    .where(Draft.user_id == user_id, Draft.place == place)
                    .scalar_subquery())
        return expression

    return {"draft_body": column("body"), "draft_hide": column("hide_author"),
            "draft_at": column("updated_at")}


def keep(form, member, thread: Thread | None) -> None:
    """A submit that did not publish (an error, a privacy review step): keep the text.
    Only from the member's own page: a forged cross-site submit keeps nothing."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            return
    try:
        save_draft(member, thread, body=form.body.data or "",
                   hide_author=bool(form.hide_author.data),
                   title=(form.title.data or "") if thread is None else "",
                   category_slug=form.category.data if thread is None else None)
    except ForumError:
        db.session.rollback()
