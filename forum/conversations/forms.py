"""Conversation forms: input shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forum.conversations.services import MAX_BODY


class MessageForm(FlaskForm):
    body = TextAreaField("Your message", validators=[DataRequired(), Length(max=MAX_BODY)])


class StartForm(MessageForm):
    as_alias = BooleanField("Write as my anonymous alias in this thread")


class ReportForm(FlaskForm):
    reason = StringField("What is wrong with this message? (optional)",
                         validators=[Optional(), Length(max=500)])


class SettingsForm(FlaskForm):
    only_known = BooleanField("Only people I've talked with can start a conversation with me")
    email_notify = BooleanField("Email me when I have unread messages (a few at a time, at most "
                                "every quarter hour)")
    email_text = BooleanField("Include the message text in emails about new messages")


class NoteForm(FlaskForm):
    body = TextAreaField("Your note", validators=[DataRequired(), Length(max=MAX_BODY)])
    resources = SelectMultipleField("Attach resources (optional)", choices=[],
                                    option_widget=CheckboxInput(),
                                    widget=ListWidget(prefix_label=False))
