"""The notifications page, opening one, "mark all read", the bell's count, settings."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.accounts.forms import EmptyForm
from forum.assembly import reads_only
from forum.forms import form_status
from forum.notifications import bp, reads, services, views
from forum.notifications.forms import NotificationSettingsForm
from forum.services import NotFound
from forum.threads.paging import OpenEndedPage
from forum.threads.services import can_see_thread, get_thread

PER_PAGE = 30


@bp.get("/notifications")
@reads_only
@login_required
def index():
    page = OpenEndedPage(services.notifications_query(current_user),
                         max(request.args.get("page", 1, type=int) or 1, 1), PER_PAGE)
    return render_template("notifications/index.html", page=page,
                           items=views.build(page.items, current_user), form=EmptyForm())


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        found = services.open_notification(current_user, notification_id)
    except NotFound:
        abort(404)
    return redirect(views.target_url(found))


@bp.post("/notifications/read")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user)
    flash("All notifications are marked read.", "success")
    return redirect(url_for("notifications.index"))


@bp.get("/notifications/count")
@reads_only
@login_required
def count():
    """The bell's count for the page's script; known from the sign-in query."""
    response = jsonify(unread=int(current_user.unread_notifications or 0))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/threads/<int:thread_id>/unread")
@login_required
def first_unread(thread_id: int):
    """Jump to the first post past the member's mark (the thread's page if none)."""
    try:
        thread = get_thread(thread_id)
    except NotFound:
        abort(404)
    if not can_see_thread(current_user, thread):
        abort(404)
    post_id = reads.first_unread_post(current_user.id, thread_id)
    if post_id is None:
        return redirect(url_for("threads.show", thread_id=thread_id))
    return redirect(url_for("threads.permalink", post_id=post_id))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = NotificationSettingsForm()
    if not form.is_submitted():  # a sent form without the box means "off"
        form = NotificationSettingsForm(formdata=None,
                                        mentions=services.get_settings(current_user).mentions)
    status = form_status(form, lambda: services.save_settings(current_user,
                                                              mentions=form.mentions.data))
    if status is None:
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form), status
