"""Admin-only moderation pages: reveal an anonymous author, roles, settings, guidelines."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.forms import form_status
from forum.moderation import authors, bp, guidelines
from forum.moderation import settings as site_settings
from forum.moderation.forms import GuidelinesForm, RevealForm, RoleForm, SettingsForm
from forum.moderation.routes import load_post
from forum.moderation.views import post_item
from forum.permissions import admin_required
from forum.services import ForumError

USERS_PER_PAGE = 50


@bp.route("/posts/<int:post_id>/reveal", methods=["GET", "POST"])
@admin_required
def reveal(post_id: int):
    """The author's username is shown in this one response, never stored or logged."""
    post = load_post(post_id)
    form = RevealForm()
    status = 200
    if form.validate_on_submit():
        try:
            author = authors.reveal_author(
                current_user,
                post,
                form.reason.data,
                tell_author=not form.safety_investigation.data,
            )
        except ForumError as exc:
            form.form_errors.append(str(exc))
            status = exc.status
        else:
            return render_template(
                "moderation/revealed.html",
                post=post,
                username=author.username,
                told=not form.safety_investigation.data,
            )
    elif request.method == "POST":
        status = 422
    item = post_item(post, current_user)
    return render_template("moderation/reveal.html", form=form, item=item), status


@bp.get("/users")
@admin_required
def users():
    """Staff, or the accounts whose name starts with what the admin typed.

    There is no browsable member directory, and suspensions are not listed:
    linking one to an anonymous post's moderation would name its author.
    """
    query = (request.args.get("q") or "").strip()[:30]
    stmt = select(User).order_by(User.username_key)
    if query:
        stmt = stmt.where(User.username_key.startswith(query.casefold(), autoescape=True))
    else:
        stmt = stmt.where(User.role != "member", User.deleted_at.is_(None))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = db.paginate(stmt, page=page, per_page=USERS_PER_PAGE, error_out=False)
    return render_template(
        "moderation/users.html", pagination=pagination, query=query, form=RoleForm()
    )


@bp.post("/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        authors.change_role(current_user, user, form.role.data, form.reason.data)
    except ForumError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{user.username} is now {form.role.data}.", "success")
    return redirect(url_for("moderation.users", q=request.form.get("q") or None))


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    current = site_settings.load_settings()
    form = SettingsForm(data=current) if request.method == "GET" else SettingsForm()

    def save():
        values = {key: getattr(form, key).data for key in site_settings.SETTINGS}
        site_settings.save_settings(current_user, values, form.reason.data)

    status = form_status(form, save)
    if status is None:
        flash("Settings saved.", "success")
        return redirect(url_for("moderation.settings"))
    return render_template("moderation/settings.html", form=form), status


@bp.route("/guidelines", methods=["GET", "POST"])
@admin_required
def edit_guidelines():
    if request.method == "GET":
        form = GuidelinesForm(body=guidelines.current_guidelines()[0])
    else:
        form = GuidelinesForm()
    status = form_status(
        form, lambda: guidelines.save_guidelines(current_user, form.body.data, form.reason.data)
    )
    if status is None:
        flash("The guidelines are updated.", "success")
        return redirect(url_for("pages.guidelines"))
    return render_template(
        "moderation/guidelines.html", form=form, revisions=guidelines.revisions()
    ), status
