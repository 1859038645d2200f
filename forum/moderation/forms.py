"""Moderation forms: input shape only; forum.moderation services enforce the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from forum.moderation.models import FLAG_REASONS
from forum.moderation.services import NOTE_MAX, REASON_MAX
from forum.threads.services import BODY_MAX, TITLE_MAX, TITLE_MIN

REASON_HELP = (
    "Optional for most actions; the author sees it for a warning, suspension or rejection."
)


class FlagForm(FlaskForm):
    reason = RadioField(
        "What's wrong with this post?",
        choices=[SelectChoice(r.value, label) for r, (label, _anchor) in FLAG_REASONS.items()],
        validators=[DataRequired("Please choose what's wrong with this post.")],
    )
    note = TextAreaField(
        "A short note for the moderators",
        validators=[
            Length(max=NOTE_MAX, message=f"Please keep the note under {NOTE_MAX} characters.")
        ],
        description="Optional, except for “Something else”. The author never learns who flagged.",
    )


class ActionForm(FlaskForm):
    """One form, many buttons: the pressed button's name="action" says what to do."""

    action = StringField(validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Length(max=REASON_MAX)], description=REASON_HELP)
    days = SelectField(
        "Suspend for",
        choices=[
            SelectChoice("1", "1 day"),
            SelectChoice("3", "3 days"),
            SelectChoice("7", "7 days"),
            SelectChoice("30", "30 days"),
            SelectChoice("lifted", "Until lifted"),
        ],
        default="3",
    )
    category = SelectField("Move to", validators=[Optional()], choices=[])
    # A warning can answer the flags in the same step (issue 19).
    close_flags = BooleanField(
        "Also close this post's open flags",
        description="The flaggers are told that a moderator reviewed the post.",
    )


class BulkDismissForm(FlaskForm):
    post_ids = SelectMultipleField("Posts", coerce=int, choices=[], validate_choice=False)
    reason = StringField("Reason (optional)", validators=[Length(max=REASON_MAX)])


class ModeratorEditForm(FlaskForm):
    title = StringField(
        "Thread title",
        validators=[Optional(), Length(TITLE_MIN, TITLE_MAX)],
        description="Titles can identify a family too.",
    )
    body = TextAreaField(
        "Post text",
        validators=[DataRequired("The post can't be empty."), Length(max=BODY_MAX)],
        description="Remove what breaks the guidelines and keep the rest. "
        "The earlier text is kept as a revision marked “edited by a moderator”, "
        "unless you redact.",
    )
    redact = BooleanField(
        "Redact: also erase every earlier version of this post",
        description="For a child's name, a school, an address: the edit history and the "
        "author's data export keep only a note that a moderator redacted earlier versions. "
        "Works even if the text is unchanged (the words are only in the history).",
    )
    reason = StringField(
        "Reason (optional)",
        validators=[Length(max=REASON_MAX)],
        description="Goes into the audit log: don't repeat what you removed.",
    )
    # The edit can answer the flags in the same step (issue 19).
    close_flags = BooleanField(
        "Also close this post's open flags",
        description="The flaggers are told that a moderator reviewed the post.",
    )


class RevealForm(FlaskForm):
    reason = TextAreaField(
        "Why do you need to know who wrote this?",
        validators=[DataRequired("Write why you need to know."), Length(max=REASON_MAX)],
        description="Every moderator and admin can read this reason in the audit log.",
    )
    safety_investigation = BooleanField(
        "A safety investigation requires that the author is not told",
        description="Otherwise the author is told privately that an admin saw who they are.",
    )


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("member", "Member"),
            SelectChoice("moderator", "Moderator"),
            SelectChoice("admin", "Admin"),
        ],
    )
    reason = StringField("Reason (optional)", validators=[Length(max=REASON_MAX)])


class SettingsForm(FlaskForm):
    hold_first_posts = BooleanField(
        "Hold an account's first post, and its first anonymous post, until a moderator approves it",
        description="Counted apart, so that holding an anonymous post says nothing about "
        "the account's named posts.",
    )
    hold_new_account_links = BooleanField(
        "Hold posts with links from accounts younger than 24 hours"
    )
    reason = StringField("Reason (optional)", validators=[Length(max=REASON_MAX)])


class GuidelinesForm(FlaskForm):
    body = TextAreaField(
        "Guidelines (Markdown)",
        validators=[DataRequired("The guidelines can't be empty."), Length(max=50_000)],
        description="Numbered section headings such as “### 1. Protect children's privacy” "
        "become link targets (#section-1) that flag reasons point to.",
    )
    reason = StringField("What changed and why (optional)", validators=[Length(max=REASON_MAX)])
