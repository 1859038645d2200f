"""Account pages: thin views over forum.accounts.services."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forum.accounts import bp, credentials, services
from forum.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    SettingsForm,
    TimeZoneForm,
)
from forum.accounts.reauth import mark_recent_auth
from forum.accounts.timezones import set_time_zone, set_zone_cookie, sync_cookie, zone_choices
from forum.extensions import limiter, login_manager, now_utc
from forum.security import safe_next
from forum.services import ForumError

bp.after_app_request(sync_cookie)


@login_manager.user_loader
def load_user(user_id: str):
    return services.load_session_user(user_id)


def _limit(name: str):
    return lambda: current_app.config[name]


def _login_account_key() -> str:
    return "login-account:" + services.username_key(request.form.get("username", ""))[:100]


def _form_page(template: str, form):
    """A form's page: 422 when a sent form was refused (bad input gets a 4xx), else 200."""
    refused = request.method == "POST" and bool(form.errors)
    return render_template(template, form=form), 422 if refused else 200


def _failed(response) -> bool:
    return response.status_code != 302


def _own_account_key() -> str:
    """Wrong current passwords count per account, like failed sign-ins."""
    return f"password-check:{current_user.id}"


# One budget of wrong guesses per account for every form that checks the current password.
_password_checks = limiter.shared_limit(
    _limit("RATELIMIT_LOGIN"),
    scope="password-check",
    key_func=_own_account_key,
    methods=["POST"],
    deduct_when=_failed,
)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("threads.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.join(form.username.data, form.password.data, form.email.data,
                                 request.user_agent.string)
        except services.RegistrationError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            login_user(user)
            flash("Welcome. Your account is ready.", "success")
            return redirect(url_for("threads.index"))
    return _form_page("accounts/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _limit("RATELIMIT_LOGIN"), key_func=_login_account_key, methods=["POST"], deduct_when=_failed
)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None and user.is_banned:
            form.form_errors.append(
                "This account has been banned and can't sign in. "
                "If you think this is a mistake, write to the site's admin."
            )
        elif user is not None:
            services.start_session(user, request.user_agent.string)
            login_user(user, remember=form.remember.data)
            mark_recent_auth(user)  # the password was just typed
            return redirect(safe_next(form.next.data, url_for("threads.index")))
        else:
            form.form_errors.append("That username and password don't match an account.")
    return _form_page("accounts/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        services.end_session(current_user)
        logout_user()
        flash("You're signed out.", "info")
    return redirect(url_for("threads.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            "If an account uses that address and it is verified, we've sent it a link to "
            "choose a new password. "
            "It works for one hour.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    return _form_page("accounts/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def reset_password(token: str):
    if services.user_for_reset_token(token) is None:
        flash("This reset link has expired or was already used. Ask for a new one.", "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ForumError as exc:
            flash(str(exc), "error")
            return redirect(url_for("accounts.forgot_password"))
        flash("Your password is changed. Please sign in.", "success")
        return redirect(url_for("accounts.login"))
    return _form_page("accounts/reset_password.html", form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@_password_checks
def settings():
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_settings(
                current_user,
                post_anonymously=form.post_anonymously.data,
                email=form.email.data,
                current_password=form.current_password.data,
            )
        except credentials.CredentialError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("accounts.settings"))
    return _form_page("accounts/settings.html", form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@_password_checks
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            credentials.change_password(
                current_user, form.current_password.data, form.password.data
            )
        except credentials.CredentialError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            mark_recent_auth(current_user)
            flash("Your password is changed. Every other device is signed out.", "success")
            return redirect(url_for("accounts.settings"))
    return _form_page("accounts/change_password.html", form)


@bp.route("/settings/confirm-password", methods=["GET", "POST"])
@login_required
@_password_checks
def confirm_password():
    """Type the password again before a page that needs it (see forum.accounts.reauth)."""
    form = ConfirmPasswordForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        if credentials.password_matches(current_user, form.password.data):
            mark_recent_auth(current_user)
            return redirect(safe_next(form.next.data, url_for("accounts.settings")))
        form.password.errors.append(credentials.WRONG_PASSWORD)
    return _form_page("accounts/confirm_password.html", form)


@bp.get("/settings/sessions")
@login_required
def sessions():
    return render_template(
        "accounts/sessions.html", sessions=services.list_sessions(current_user), form=EmptyForm()
    )


@bp.post("/settings/sessions/end-others")
@login_required
def end_other_sessions():
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = services.end_all_sessions(current_user, keep_current=True)
    flash(f"Signed out of {count} other device(s).", "success")
    return redirect(url_for("accounts.sessions"))


@bp.post("/settings/sessions/end-all")
@login_required
def end_all_sessions():
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.end_all_sessions(current_user)
    logout_user()
    flash("You're signed out everywhere.", "info")
    return redirect(url_for("threads.index"))


@bp.route("/settings/time-zone", methods=["GET", "POST"])
@login_required
def time_zone():
    form = TimeZoneForm(time_zone=current_user.time_zone or "")
    if form.validate_on_submit():
        try:
            zone = set_time_zone(current_user, form.time_zone.data)
        except ForumError as exc:
            form.time_zone.errors.append(str(exc))
        else:
            flash(f"Times are now shown in {zone or 'UTC'}.", "success")
            response = redirect(safe_next(form.next.data, url_for("accounts.time_zone")))
            set_zone_cookie(response, zone)
            return response
    page = render_template(
        "accounts/time_zone.html", form=form, zones=zone_choices(), now=now_utc()
    )
    return page, 422 if request.method == "POST" and form.errors else 200
