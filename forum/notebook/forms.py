"""Notebook forms: input shape only (the rules are in the services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.notebook import services as rules
from forum.notebook.models import (
    DATE_KIND_LABELS,
    ENTRY_KIND_LABELS,
    PER_LABELS,
    WEEKDAY_NAMES,
    LogStatus,
)
from forum.notebook.sharing import DAY_CHOICES, DEFAULT_DAYS
from forum.resources.forms import MultiCheckboxField, options
from forum.resources.models import MAX_THREAD_TAGS

DATE_MESSAGE = "Please give a date (year, month and day)."
NICKNAME_HELP = ("A nickname or an initial, never a full name: the notebook may be printed or "
                 "shared.")
ROLES_HELP = "Roles, not names: “the case manager, the principal”."


class _DateField(DateField):
    """A date input whose bad value gets a sentence a parent understands."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(DATE_MESSAGE) from exc


class _TimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Please give a time like 14:30, or leave it empty.") from exc


def _date(label: str, required: bool = True, **kwargs) -> DateField:
    checks = [InputRequired(DATE_MESSAGE)] if required else [Optional()]
    return _DateField(label, validators=checks, **kwargs)


def _minutes(label: str, required: bool = False, **kwargs) -> IntegerField:
    checks = [InputRequired("Please give the minutes.")] if required else [Optional()]
    return IntegerField(label, validators=[*checks, NumberRange(0, 100_000)], **kwargs)


class NotebookForm(FlaskForm):
    nickname = StringField("Your child's nickname", description=NICKNAME_HELP, validators=[
        DataRequired("Please give a nickname (or an initial)."),
        Length(max=rules.NICKNAME_MAX, message=f"Up to {rules.NICKNAME_MAX} characters.")])
    school_day_minutes = _minutes(
        "Minutes in a school day", required=True, default=360,
        description="What a “full day” promise (a 1:1 aide) means: 6 hours is 360.")


class SettingsForm(NotebookForm):
    weekdays = MultiCheckboxField("School days", coerce=int,
                                  choices=options(enumerate(WEEKDAY_NAMES)))


class EntryForm(FlaskForm):
    kind = SelectField("What kind of entry", choices=options(ENTRY_KIND_LABELS.items()))
    occurred_on = _date("Date")
    occurred_at = _TimeField("Time (optional)", validators=[Optional()])
    roles = StringField("People involved", description=ROLES_HELP, validators=[
        Length(max=rules.ROLES_MAX, message=f"Up to {rules.ROLES_MAX} characters.")])
    text = TextAreaField("What happened", validators=[
        Length(max=rules.TEXT_MAX, message=f"Up to {rules.TEXT_MAX:,} characters.")],
        description="What was said, promised or refused; what you asked for.")
    service = SelectField("About a service (optional)", default="")
    tags = MultiCheckboxField(f"Topics (up to {MAX_THREAD_TAGS})", coerce=int,
                              description="Resources for these topics show next to the entry.")

    def service_id(self) -> int | None:
        return int(self.service.data) if (self.service.data or "").isdigit() else None


class ServiceForm(FlaskForm):
    name = StringField("Service", description="E.g. speech therapy, 1:1 aide, OT.", validators=[
        DataRequired("Please name the service."), Length(max=rules.LABEL_MAX)])
    per = SelectField("Promised", choices=options(
        (str(k), v.capitalize()) for k, v in PER_LABELS.items()), default="week")
    minutes = _minutes("Minutes", description="Minutes per week, month or school day.")
    full_day = BooleanField("Full school day (uses the notebook's school-day length)")
    session_minutes = _minutes(
        "Minutes in one session (optional)",
        description="What one tap on “Delivered” logs, e.g. 30 for two sessions a week.")
    starts_on = _date("Promised from")
    ends_on = _date("Until (optional)", required=False)


class LogForm(FlaskForm):
    status = RadioField("What happened", default=str(LogStatus.DELIVERED), choices=options([
        (str(LogStatus.DELIVERED), "Delivered"), (str(LogStatus.MISSED), "Missed")]))
    on = _date("Date (or first day)")
    until = _date("Last day, for a period (optional)", required=False,
                  description="Every school day from the first to the last day is logged.")
    minutes = _minutes("Minutes (optional)",
                       description="Per school day for a period. Empty: the usual amount.")


class TapForm(FlaskForm):
    """The one-tap "Delivered" and "Missed" buttons: today, the usual minutes."""

    status = HiddenField()


class BreakForm(FlaskForm):
    starts_on = _date("First day off")
    ends_on = _date("Last day off (optional)", required=False)
    label = StringField("Label (optional)", description="E.g. winter break.",
                        validators=[Length(max=rules.LABEL_MAX)])


class DateForm(FlaskForm):
    kind = SelectField("What is due", choices=options(
        (str(k), v.capitalize()) for k, v in DATE_KIND_LABELS.items()))
    due_on = _date("Date")
    note = StringField("Note (optional, never emailed)", validators=[
        Length(max=rules.NOTE_MAX, message=f"Up to {rules.NOTE_MAX} characters.")])
    remind = BooleanField("Email me a reminder")
    remind_days = IntegerField("Days before", default=7, validators=[
        InputRequired("How many days before?"), NumberRange(0, 60, "Between 0 and 60 days.")])


class ShareForm(FlaskForm):
    days = RadioField("The link works for", coerce=int, default=DEFAULT_DAYS,
                      choices=options((d, f"{d} day{'s' if d > 1 else ''}") for d in DAY_CHOICES))


class ButtonForm(FlaskForm):
    """One-button forms (delete, revoke): the CSRF token only."""
