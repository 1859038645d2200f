"""Reacting, saving, drafts, the saved page and the unanswered list: thin views."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from forum.assembly import HOME, Block, Loaded, guest_page, render_page
from forum.engage import bp, drafts, reactions, saved
from forum.engage.bar import load_bars
from forum.engage.models import REACTION_LABELS
from forum.errors import or_abort
from forum.extensions import limiter
from forum.params import int_arg
from forum.services import ForumError
from forum.threads import services as threads
from forum.threads.models import Thread
from forum.threads.paging import OpenEndedPage
from forum.threads.routes import readable_thread
from forum.threads.titles import title_shown
from forum.threads.views import thread_rows


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


def _write_limit() -> str:
    return current_app.config.get("RATELIMIT_ENGAGE", "120 per minute")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _post(post_id: int):
    post = or_abort(threads.get_post, post_id)
    readable_thread(post.thread_id)
    return post


@bp.post("/posts/<int:post_id>/react")
@login_required
@limiter.limit(_write_limit, key_func=_user_key)
def react(post_id: int):
    post = _post(post_id)
    try:
        kind = reactions.parse_kind(request.form.get("kind"))
        added = or_abort(reactions.toggle_reaction, current_user, post, kind)
    except ForumError as exc:
        if _wants_json():
            return jsonify(error=str(exc)), 400
        flash(str(exc), "error")
    else:
        if _wants_json():  # engage.js: the bar's counts and pressed buttons, nothing more
            bar = load_bars(current_user, [post.id])[0].get(post.id)
            return jsonify(counts=bar.counts if bar else {}, mine=sorted(bar.mine) if bar else [])
        label = REACTION_LABELS[kind]
        flash(f"You reacted “{label}”." if added else f"Your “{label}” is taken back.", "success")
    return redirect(url_for("threads.permalink", post_id=post.id))


@bp.post("/threads/<int:thread_id>/save")
@login_required
@limiter.limit(_write_limit, key_func=_user_key)
def save_thread(thread_id: int):
    thread = readable_thread(thread_id)
    done = or_abort(saved.toggle_thread, current_user, thread)
    flash("Saved for later: find it under Saved." if done else "Removed from Saved.", "success")
    return redirect(_back(url_for("threads.show", thread_id=thread.id)))


@bp.post("/posts/<int:post_id>/save")
@login_required
@limiter.limit(_write_limit, key_func=_user_key)
def save_post(post_id: int):
    post = _post(post_id)
    done = or_abort(saved.toggle_post, current_user, post)
    flash("Saved for later: find it under Saved." if done else "Removed from Saved.", "success")
    return redirect(_back(url_for("threads.permalink", post_id=post.id)))


def _back(default: str) -> str:
    """The saved page's remove buttons come back to it; everything else to the post."""
    return url_for("engage.saved") if request.form.get("back") == "saved" else default


@bp.get("/saved", endpoint="saved")
@login_required
def saved_page():
    return render_page("engage/saved.html", items=saved.saved_for(current_user),
                       drafts=drafts.drafts_of(current_user))



def _save_draft(thread):
    """Save (or with `discard`, delete) the composer's draft; JSON for the autosave."""
    form = request.form
    try:
        if "discard" in form:
            drafts.discard_draft(current_user, thread)
            draft = None
        else:
            draft = drafts.save_draft(
                current_user, thread, body=form.get("body", ""),
                hide_author=form.get("hide_author") in ("y", "1", "on", "true"),
                title=form.get("title", "") if thread is None else "",
                category_slug=form.get("category") if thread is None else None,
            )
    except ForumError as exc:
        if _wants_json():
            return jsonify(saved=False, error=str(exc)), 400
        flash(str(exc), "error")
        draft = None
    else:
        if _wants_json():
            return jsonify(saved=draft is not None)
        flash("Draft deleted." if "discard" in form else
              "Your draft is saved. Only you can see it; it waits here for 30 days.", "success")
    if thread is None:
        return redirect(url_for("threads.new"))
    return redirect(url_for("threads.reply", thread_id=thread.id))


@bp.post("/threads/new/draft")
@login_required
@limiter.limit(_write_limit, key_func=_user_key)
def new_draft():
    return _save_draft(None)


@bp.post("/threads/<int:thread_id>/draft")
@login_required
@limiter.limit(_write_limit, key_func=_user_key)
def reply_draft(thread_id: int):
    thread = readable_thread(thread_id)
    if not threads.can_reply(current_user, thread):
        abort(403)
    return _save_draft(thread)


def _unanswered(viewer, page: int) -> OpenEndedPage:
    stmt = (threads.visible_threads_query(viewer)
            .where(Thread.post_count == 1, Thread.locked.is_(False),
                   title_shown())
            .order_by(Thread.created_at.desc(), Thread.id.desc()))
    return OpenEndedPage(stmt, page, current_app.config["THREADS_PER_PAGE"])


def unanswered_block(page: int) -> Block:
    def load() -> Loaded:
        found = _unanswered(current_user, page)
        context = {"threads": found, "rows": thread_rows(found.items, current_user),
                   "endpoint": "engage.unanswered", "pager_args": {}, "show_category": True,
                   "empty": "Every thread has a reply. Thank you for answering."}
        return Loaded(context, authors=[t.author_id for t in found.items])

    return Block("threads/_thread_list.html", ("unanswered", page), load, scopes=(HOME,))


@bp.get("/unanswered")
@guest_page
def unanswered():
    return render_page("engage/unanswered.html",
                       blocks={"list": unanswered_block(int_arg("page", 1))})
