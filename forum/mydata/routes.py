"""Your data: download it, or delete your account."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from forum.accounts.forms import ConfirmPasswordForm
from forum.accounts.reauth import recent_auth_required, recently_authenticated
from forum.extensions import limiter
from forum.mydata import bp, services
from forum.mydata.export import export_data
from forum.mydata.forms import DeleteAccountForm
from forum.services import ForumError


def _account_key() -> str:
    return f"delete-account:{current_user.id}"


@bp.get("/settings/data")
@login_required
def index():
    export_url = url_for("mydata.export")
    return render_template(
        "mydata/index.html",
        export_url=export_url,
        recent=recently_authenticated(current_user),
        confirm_form=ConfirmPasswordForm(next=export_url),
    )


@bp.get("/settings/data/export.json")
@login_required
@recent_auth_required  # the export lists the member's anonymous posts: not for a borrowed browser
def export():
    body = json.dumps(export_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-forum-data.json"'})


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], key_func=_account_key,
               methods=["POST"])
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data,
                                    delete_posts=form.posts.data == "delete")
        except ForumError as exc:
            form.password.errors.append(str(exc))
        else:
            logout_user()
            flash("Your account is deleted. Thank you for being part of this community.", "info")
            return redirect(url_for("threads.index"))
    return render_template("mydata/delete.html", form=form), 422 if form.errors else 200
