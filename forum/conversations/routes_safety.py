"""Message settings and blocks (members); reported messages (moderators)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forum.accounts.forms import EmptyForm
from forum.conversations import bp, safety, views
from forum.conversations.forms import SettingsForm
from forum.errors import or_abort
from forum.forms import form_status
from forum.permissions import moderator_required
from forum.services import NotFound


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    current = safety.settings_of(current_user)
    form = SettingsForm(obj=current)
    status = form_status(form, lambda: safety.save_settings(
        current_user, only_known=form.only_known.data, email_text=form.email_text.data,
        email_notify=form.email_notify.data))
    if status is None:
        flash("Message settings saved.", "success")
        return redirect(url_for("conversations.settings"))
    return render_template("conversations/settings.html", form=form,
                           blocks=safety.blocks_of(current_user)), status


@bp.post("/blocks/<int:block_id>/delete")
@login_required
def unblock(block_id: int):
    try:
        safety.unblock(current_user, block_id)
    except NotFound:
        abort(404)
    flash("Unblocked.", "success")
    return redirect(url_for("conversations.settings"))


@bp.get("/reports")
@moderator_required
def reports():
    return render_template("conversations/reports.html", reports=safety.open_reports())


@bp.get("/reports/<int:report_id>")
@moderator_required
def report_show(report_id: int):
    report = or_abort(safety.get_report, report_id)
    return render_template("conversations/report_show.html", report=report,
                           html=views.message_html(report.message), form=EmptyForm())


@bp.post("/reports/<int:report_id>/resolve")
@moderator_required
def resolve(report_id: int):
    safety.resolve_report(or_abort(safety.get_report, report_id))
    flash("Report closed.", "success")
    return redirect(url_for("conversations.reports"))
