"""Moderator pages: the review queue, held posts, a post's actions, thread tools, the audit log.

Every route of this blueprint is for moderators and admins (see `staff_only`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from forum.accounts.forms import EmptyForm
from forum.extensions import db, login_manager
from forum.forms import form_status
from forum.moderation import actions, authors, bp, redaction
from forum.moderation import views as mod_views
from forum.moderation.forms import ActionForm, BulkDismissForm, ModeratorEditForm
from forum.moderation.models import AUDIT_LABELS, AuditAction
from forum.security import safe_next
from forum.services import ForumError, NotFound
from forum.threads import services as threads
from forum.threads.models import Category, Post, Thread


@bp.before_request
def staff_only():
    """Guests are sent to sign in; members get 403. Covers every route added here."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_moderator:
        abort(403)
    return None


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def load_post(post_id: int) -> Post:
    try:
        return threads.get_post(post_id)
    except NotFound:
        abort(404)


@bp.get("/")
def queue():
    pagination, items = mod_views.review_queue(current_user, _page())
    return render_template(
        "moderation/queue.html",
        pagination=pagination,
        items=items,
        form=ActionForm(),
        bulk_form=BulkDismissForm(),
    )


@bp.get("/approvals")
def approvals():
    pagination, items = mod_views.held_posts(current_user, _page())
    return render_template(
        "moderation/approvals.html", pagination=pagination, items=items, form=ActionForm()
    )


def _action_form(thread: Thread) -> ActionForm:
    form = ActionForm()
    form.category.choices = [SelectChoice(str(c.id), c.name) for c in threads.categories_for(None)]
    if not form.category.data:
        form.category.data = str(thread.category_id)
    return form


def render_post_page(post: Post, form: ActionForm | None = None, status: int = 200):
    return render_template(
        "moderation/post.html",
        item=mod_views.post_item(post, current_user),
        thread=post.thread,
        form=form or _action_form(post.thread),
    ), status


@bp.get("/posts/<int:post_id>")
def post(post_id: int):
    return render_post_page(load_post(post_id))


def _days(value: str) -> int | None:
    return None if value == "lifted" else int(value)


POST_ACTIONS = {
    "dismiss": (lambda a, p, f: actions.dismiss_flags(a, p, f.reason.data), "Flags dismissed."),
    "hide": (lambda a, p, f: actions.hide_post(a, p, f.reason.data), "Post hidden."),
    "restore": (lambda a, p, f: actions.restore_post(a, p, f.reason.data), "Post restored."),
    "delete": (lambda a, p, f: actions.delete_post(a, p, f.reason.data), "Post deleted."),
    "approve": (lambda a, p, f: actions.approve_post(a, p, f.reason.data), "Post approved."),
    "reject": (lambda a, p, f: actions.reject_post(a, p, f.reason.data), "Post rejected."),
    "warn": (
        lambda a, p, f: authors.warn_author(a, p, f.reason.data, f.close_flags.data),
        "Warning sent. The author will see it privately on their next visit.",
    ),
    "suspend": (
        lambda a, p, f: authors.suspend_author(a, p, _days(f.days.data), f.reason.data),
        "The author is suspended.",
    ),
    "lift": (
        lambda a, p, f: authors.lift_suspension(a, p, f.reason.data),
        "The suspension given through this post is lifted.",
    ),
    "ban": (lambda a, p, f: authors.ban_author(a, p, f.reason.data), "The author is banned."),
    "unban": (
        lambda a, p, f: authors.unban_author(a, p, f.reason.data),
        "The ban given through this post is lifted.",
    ),
}


@bp.post("/posts/<int:post_id>/actions")
def post_action(post_id: int):
    post = load_post(post_id)
    form = _action_form(post.thread)
    if not form.validate_on_submit() or form.action.data not in POST_ACTIONS:
        return render_post_page(post, form, 400)
    run, message = POST_ACTIONS[form.action.data]
    try:
        run(current_user, post, form)
    except ForumError as exc:
        form.form_errors.append(str(exc))
        return render_post_page(post, form, exc.status)
    flash(message, "success")
    default = url_for("moderation.post", post_id=post.id)
    return redirect(safe_next(request.form.get("next"), default))


THREAD_ACTIONS = {
    "lock": "Thread locked.",
    "unlock": "Thread unlocked.",
    "pin": "Thread pinned.",
    "unpin": "Thread unpinned.",
    "move": "Thread moved.",
    "hide_thread": "Thread hidden.",
    "restore_thread": "Thread restored.",
}


def _run_thread_action(name: str, thread: Thread, form: ActionForm) -> None:
    reason = form.reason.data
    if name == "move":
        category = db.session.get(Category, int(form.category.data or 0))
        if category is None:
            raise ForumError("Choose a category.")
        actions.move_thread(current_user, thread, category, reason)
    elif name == "hide_thread":
        actions.hide_thread(current_user, thread, reason)
    elif name == "restore_thread":
        actions.restore_thread(current_user, thread, reason)
    else:
        actions.switch_thread(current_user, thread, AuditAction(name), reason)


@bp.post("/threads/<int:thread_id>/actions")
def thread_action(thread_id: int):
    thread = db.get_or_404(Thread, thread_id)
    first = db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
    )
    post = load_post(first) if first else abort(404)
    form = _action_form(thread)
    if not form.validate_on_submit() or form.action.data not in THREAD_ACTIONS:
        return render_post_page(post, form, 400)
    try:
        _run_thread_action(form.action.data, thread, form)
    except ForumError as exc:
        form.form_errors.append(str(exc))
        return render_post_page(post, form, exc.status)
    flash(THREAD_ACTIONS[form.action.data], "success")
    return redirect(url_for("moderation.post", post_id=post.id))


@bp.post("/bulk-dismiss")
def bulk_dismiss():
    form = BulkDismissForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.post_ids.data:
        flash("Tick the posts whose flags you want to dismiss.", "error")
        return redirect(url_for("moderation.queue"))
    try:
        count = actions.bulk_dismiss(current_user, form.post_ids.data, form.reason.data)
    except ForumError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Dismissed the flags on {count} post(s).", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = load_post(post_id)
    if request.method == "GET":
        form = ModeratorEditForm(body=post.body, title=post.thread.title)
    else:
        form = ModeratorEditForm()

    def save():
        title = form.title.data if post.number == 1 else None
        edit = redaction.redact_post if form.redact.data else actions.edit_post_as_moderator
        edit(current_user, post, form.body.data, form.reason.data, title=title,
             close_flags=form.close_flags.data)

    status = form_status(form, save)
    if status is None:
        flash(
            "Redacted: the edit is saved and the earlier versions are erased."
            if form.redact.data
            else "Your edit is saved; the earlier text is kept as a revision.",
            "success",
        )
        return redirect(url_for("moderation.post", post_id=post.id))
    item = mod_views.post_item(post, current_user)
    return render_template("moderation/edit.html", form=form, item=item, thread=post.thread), status


@bp.post("/log/<int:entry_id>/lift")
def lift_from_log(entry_id: int):
    """Lift the suspension or ban an audit entry gave (the log's one-button form)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        entry = authors.lift_from_entry(current_user, entry_id, request.form.get("reason", ""))
    except NotFound:
        abort(404)
    except ForumError as exc:
        flash(str(exc), "error")
        return log(), exc.status  # the log itself, with why nothing was lifted
    label = "suspension" if entry.action == AuditAction.SUSPEND else "ban"
    flash(f"The {label} given in that entry is lifted.", "success")
    return redirect(url_for("moderation.log"))


@bp.get("/log")
def log():
    action = request.args.get("action") or None
    if action not in AUDIT_LABELS:
        action = None
    actor_id = request.args.get("actor", type=int)
    pagination, rows = mod_views.audit_log(current_user, _page(), action, actor_id)
    return render_template(
        "moderation/log.html",
        pagination=pagination,
        rows=rows,
        labels=AUDIT_LABELS,
        actors=mod_views.log_actors(),
        action=action,
        actor_id=actor_id,
    )
