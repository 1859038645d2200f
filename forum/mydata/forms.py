"""Forms for a member's own data: input shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField
from wtforms.validators import DataRequired, InputRequired, Length

POST_CHOICES = [
    ("delete", "Delete all my posts. Replies from others stay; "
               "yours show “This post was removed.”"),
    ("keep", "Keep my posts for other parents to read. Named ones show “Former member”; "
             "anonymous ones keep their anonymous name."),
]


class DeleteAccountForm(FlaskForm):
    posts = RadioField("What should happen to your posts?", choices=POST_CHOICES,
                       validators=[InputRequired("Please choose what happens to your posts.")])
    password = PasswordField(
        "Your password", validators=[DataRequired("Please type your password."), Length(max=200)],
        description="To make sure it is you.",
    )
