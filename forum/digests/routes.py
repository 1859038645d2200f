"""Digest pages: preferences, verifying the address, following threads, unsubscribing."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from forum.accounts.forms import EmptyForm
from forum.digests import bp, services
from forum.digests.forms import FollowForm, FrequencyForm, VerifyEmailForm, preferences_form
from forum.digests.tags import all_tags
from forum.errors import render_error
from forum.extensions import csrf, limiter
from forum.forms import form_status
from forum.services import ForumError, NotFound
from forum.threads.services import get_thread


def _user_key() -> str:
    return f"verify:{current_user.id}"


@bp.app_template_filter("oneline")
def oneline(value) -> str:
    """Collapse CR/LF and runs of spaces: a title stays one line in any email."""
    return " ".join(str(value).split())


@bp.route("/settings/digests", methods=["GET", "POST"])
@login_required
def preferences():
    tags = all_tags()
    prefs = services.get_preferences(current_user)
    form = preferences_form(services.digest_categories(current_user), tags, prefs)

    def save():
        services.save_preferences(
            current_user,
            frequency=form.frequency.data,
            category_ids=set(form.categories.data or []),
            tag_slugs=set(form.tags.data or []),
            titles_in_subject=form.titles_in_subject.data,
            notify_replies=form.notify_replies.data,
        )

    status = form_status(form, save)
    if status is None:
        flash("Your email preferences are saved.", "success")
        return redirect(url_for("digests.preferences"))
    return render_template(
        "digests/preferences.html", form=form, prefs=prefs, show_tags=bool(tags)
    ), status


@bp.post("/settings/email/verify")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY_EMAIL"], key_func=_user_key)
def request_verification():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.request_verification(current_user)
    except ForumError as exc:
        flash(str(exc), "error")
    else:
        flash(f"We sent a link to {current_user.email}. Open it to confirm your address.", "info")
    return redirect(url_for("accounts.settings"))


@bp.route("/email/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    # GET only shows a button: mail scanners that open links must not verify anything.
    form = VerifyEmailForm()
    try:
        if form.validate_on_submit():
            services.verify_email(token, notify_replies=form.notify_replies.data)
            flash("Your address is verified. Choose what we send you below.", "success")
            if current_user.is_authenticated:
                return redirect(url_for("digests.preferences"))
            return redirect(url_for("accounts.login", next=url_for("digests.preferences")))
        services.user_for_verify_token(token)
        if not form.is_submitted():
            form = VerifyEmailForm(formdata=None, notify_replies=True)  # offered, ticked
    except ForumError as exc:
        return render_error(400, str(exc))
    return render_template("digests/verify_email.html", form=form)


@bp.post("/threads/<int:thread_id>/follow")
@login_required
def follow(thread_id: int):
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        thread = get_thread(thread_id)
        services.set_following(current_user, thread, form.follow.data == "1")
    except NotFound:
        abort(404)
    except ForumError as exc:
        flash(str(exc), "error")
    else:
        flash(
            "You're following this thread."
            if form.follow.data == "1"
            else "You've stopped following this thread.",
            "success",
        )
    return redirect(url_for("threads.show", thread_id=thread_id))


# Exempt from CSRF on purpose, and only this route: RFC 8058 one-click unsubscribe is a
# POST sent by the mail client (Gmail, Apple Mail...) with the body
# "List-Unsubscribe=One-Click" and no cookie, so it can never carry a CSRF token. The
# signed, expiring token in the URL is the credential: forging a request requires it,
# and whoever holds it may already unsubscribe that member. A mistaken unsubscribe is
# undone from the same page or the preferences page.
@csrf.exempt
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    try:
        user, scope = services.user_for_unsubscribe_token(token)
    except ForumError as exc:
        return render_error(400, str(exc))
    form = FrequencyForm()
    if request.method == "POST":
        if "frequency" in request.form:
            if not form.validate():
                return render_template("digests/unsubscribe.html", form=form, scope=scope), 422
            services.change_frequency(token, form.frequency.data)
            return render_template("digests/unsubscribed.html", frequency=form.frequency.data)
        user, scope = services.unsubscribe(token)
        return render_template("digests/unsubscribed.html", scope=scope)
    current = services.get_preferences(user).frequency
    form.frequency.data = "weekly" if current == "off" else str(current)
    return render_template("digests/unsubscribe.html", form=form, scope=scope)
