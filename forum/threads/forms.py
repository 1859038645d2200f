"""Thread and post forms."""

from __future__ import annotations

import re
import uuid

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from forum.threads.services import BODY_MAX, TITLE_MAX, TITLE_MIN

ANON_LABEL = "Post anonymously"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _valid_token(value: str | None) -> str | None:
    """A tampered one-time token is dropped, never stored (the column holds 64 characters)."""
    return value if value and _TOKEN.match(value) else None

ANON_HELP = (
    "Other members, moderators included, will see “Anonymous parent” and a name that "
    "only applies in this thread, never your username."
)


class _PostFields(FlaskForm):
    body = TextAreaField(
        "Your post",
        validators=[
            DataRequired("Please write something first."),
            Length(max=BODY_MAX, message=f"Posts can be up to {BODY_MAX:,} characters."),
        ],
        description="Markdown works: **bold**, *italic*, > quote, - list.",
    )
    hide_author = BooleanField(ANON_LABEL, description=ANON_HELP)
    # One token per form: a double submit creates one post.
    token = HiddenField(filters=[_valid_token])

    def ensure_token(self) -> None:
        if not self.token.data:
            self.token.data = uuid.uuid4().hex


class NewThreadForm(_PostFields):
    """The form's own fields; `forum.threads.parts.new_thread_form` adds other features'
    (topics and story details from forum.resources)."""

    parts: list = []  # the composer parts it was built with

    def details_open(self) -> bool:
        return any(part.is_open(self) for part in self.parts)

    # No `required`: a select always has a value, and an unknown one fails the choice check.
    category = SelectField("Category")
    title = StringField(
        "Title",
        validators=[
            DataRequired("Please give your thread a title."),
            Length(TITLE_MIN, TITLE_MAX,
                   message=f"Titles need {TITLE_MIN}-{TITLE_MAX} characters."),
        ],
    )


class ReplyForm(_PostFields):
    pass


class EditPostForm(FlaskForm):
    title = StringField(
        "Title",
        # Only a first post's form shows the title; edit_post checks it there.
        validators=[Optional(), Length(TITLE_MIN, TITLE_MAX,
                                       message=f"Titles need {TITLE_MIN}-{TITLE_MAX} characters.")],
    )
    body = TextAreaField(
        "Your post",
        validators=[
            DataRequired("Please write something first."),
            Length(max=BODY_MAX, message=f"Posts can be up to {BODY_MAX:,} characters."),
        ],
    )


class AnonymityForm(FlaskForm):
    hide_author = HiddenField()


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(2, 80)])
    slug = StringField("Slug", validators=[DataRequired(), Length(2, 60),
                                   Regexp(r"^[a-z0-9-]+$",
                                          message="Use lower-case letters, digits and dashes.")],
                       description="Lower-case letters, digits and dashes; used in the address.")
    description = TextAreaField("Description", validators=[Length(max=500)])
    visibility = SelectField(
        "Who can read it",
        choices=[SelectChoice("public", "Everyone, including guests"),
                 SelectChoice("members", "Signed-in members only")],
    )
    anonymous_policy = SelectField(
        "Anonymous posting",
        choices=[SelectChoice("allow", "Allowed"), SelectChoice("forbid", "Not allowed"),
                 SelectChoice("require", "Required")],
    )
    sensitive = BooleanField("Sensitive: leave out of digests unless a member opts in")
