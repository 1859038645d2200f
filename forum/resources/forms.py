"""Forms for tags, story details, thread links and the resource library (input shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forum.resources.models import (
    MAX_THREAD_TAGS,
    OUTCOME_LABELS,
    PREFER_NOT_TO_SAY,
    SCHOOL_STAGE_LABELS,
    US_STATES,
    VERIFICATION_LABELS,
)

STATE_HELP = (
    "Optional. Rules differ by state, so this helps others compare. Leaving it out protects "
    "your privacy: a state and a school stage together can narrow down who you are."
)


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (works without JavaScript, unlike a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _no_nul(value):
    """NUL bytes can't be stored (PostgreSQL refuses them); they are never meaningful."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _at_most(limit: int):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(f"Choose up to {limit} topics.")

    return check


def _none_if_blank(value):
    return value or None


class StoryFields(FlaskForm):
    """Topics and optional details; choices for `tags` are set by the view."""

    tags = MultiCheckboxField(
        f"Topics (up to {MAX_THREAD_TAGS})",
        coerce=int,
        validators=[_at_most(MAX_THREAD_TAGS)],
        description="Topics help parents with the same question find your story.",
    )
    state = SelectField(
        "State",
        choices=options([("", PREFER_NOT_TO_SAY), *US_STATES.items()]),
        default="",
        description=STATE_HELP,
    )
    school_stage = SelectField(
        "Your child's school stage",
        choices=options([("", PREFER_NOT_TO_SAY), *SCHOOL_STAGE_LABELS.items()]),
        default="",
        description="Optional.",
    )

    def story_values(self) -> dict:
        return {
            "tag_ids": list(self.tags.data or []),
            "state": _none_if_blank(self.state.data),
            "school_stage": _none_if_blank(self.school_stage.data),
        }


class StoryForm(StoryFields):
    outcome = SelectField(
        "How did it turn out?",
        choices=options([("", PREFER_NOT_TO_SAY), *OUTCOME_LABELS.items()]),
        default="",
        description="Optional. You can change this any time; it helps the next parent.",
    )


class LinkForm(FlaskForm):
    url = StringField(
        filters=[_no_nul],
        label="Address of the related thread",
        validators=[DataRequired("Paste the address of a thread on this forum."), Length(max=2000)],
        description="Copy it from your browser's address bar while reading that thread.",
    )


class TagForm(FlaskForm):
    label = StringField(filters=[_no_nul], label="Name", validators=[DataRequired(), Length(2, 80)])
    slug = StringField(
        filters=[_no_nul],
        label="Slug",
        validators=[
            DataRequired(),
            Length(2, 60),
            Regexp(r"^[a-z0-9-]+$", message="Use lower-case letters, digits and dashes."),
        ],
        description="Used in the address (/tags/…). Changing it breaks old links.",
    )
    description = TextAreaField(
        filters=[_no_nul], label="Description", validators=[Length(max=500)]
    )
    legal = BooleanField(
        "Legal topic: threads show the “rules vary by state; not legal advice” note"
    )


class ResourceForm(FlaskForm):
    id = StringField(
        filters=[_no_nul],
        label="Id",
        validators=[
            Optional(),
            Length(1, 60),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Use lower-case letters, digits and dashes."),
        ],
        description="A short permanent name, e.g. “parent-center-finder”. Can't be changed later.",
    )
    title = StringField(
        filters=[_no_nul], label="Title", validators=[DataRequired(), Length(2, 200)]
    )
    url = StringField(
        filters=[_no_nul],
        label="Link",
        validators=[DataRequired(), Length(max=500)],
        description="The full address, starting with https://",
    )
    alt_url = StringField(
        filters=[_no_nul],
        label="Alternative link (optional)",
        validators=[Optional(), Length(max=500)],
    )
    publisher = StringField(
        filters=[_no_nul], label="Publisher", validators=[DataRequired(), Length(max=200)]
    )
    description = TextAreaField(
        filters=[_no_nul], label="Description", validators=[DataRequired(), Length(max=2000)]
    )
    tags = MultiCheckboxField("Topics", coerce=int)
    verification = SelectField("Link check", choices=options(VERIFICATION_LABELS.items()))
    verification_note = TextAreaField(
        filters=[_no_nul],
        label="How it was checked (for moderators)",
        validators=[Length(max=2000)],
    )
