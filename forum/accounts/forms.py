"""Account forms: input shape only; services enforce the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(3, 30)],
        description="Shown to other members. Pick a pseudonym, not your real name.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(10, 200, message="Use at least 10 characters.")],
        description="At least 10 characters. A few unrelated words work well.",
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )
    email = EmailField(
        "Email (optional)",
        validators=[Optional(), Email(), Length(max=254)],
        description="Only for password reset and digests, if you want them. "
        "Never shown to anyone, moderators included.",
    )
    agree = BooleanField(
        "I have read the community guidelines",
        validators=[DataRequired("Please read and accept the guidelines.")],
    )


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(10, 200, message="Use at least 10 characters.")],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )


NEW_PASSWORD_HELP = "At least 10 characters. A few unrelated words work well."


class SettingsForm(FlaskForm):
    email = EmailField(
        "Email (optional)",
        validators=[Optional(), Email(), Length(max=254)],
        description="For password reset and digests only, once you verify it. "
        "Never shown to anyone.",
    )
    current_password = PasswordField(
        "Current password (only to change your email)",
        validators=[Optional(), Length(max=200)],
        description="Leave empty unless you change your email address.",
    )
    post_anonymously = BooleanField(
        "Post anonymously by default",
        description="New threads and replies start with “Post anonymously” ticked.",
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Type your current password."), Length(max=200)],
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(10, 200, message="Use at least 10 characters.")],
        description=NEW_PASSWORD_HELP,
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Type your password."), Length(max=200)],
    )
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A one-button form: the CSRF token is its only field."""


class TimeZoneForm(FlaskForm):
    """The member's time zone: a small form of its own, apart from email and password."""

    time_zone = SelectField(
        "Time zone",
        validate_choice=False,  # the service refuses unknown zones, with a clearer message
        description="Emails and digests state times in it; with JavaScript, pages show "
        "exact times in it too. Without a choice, times are in UTC.",
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        from forum.accounts.timezones import zone_choices

        super().__init__(*args, **kwargs)
        common, others = zone_choices()
        # Laid out in groups by the template (accounts/time_zone.html).
        self.time_zone.choices = [("", "Not chosen")] + [(z, z) for z in (*common, *others)]
        self.time_zone.validators = [Length(max=64)]
