"""Digest forms: input shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

FREQUENCIES = [
    SelectChoice("weekly", "Weekly, on Mondays (the default)"),
    SelectChoice("daily", "Daily"),
    SelectChoice("off", "Off: no digest"),
]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; unticking everything is a valid answer."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PreferencesForm(FlaskForm):
    frequency = RadioField("How often", choices=FREQUENCIES, default="weekly")
    categories = MultiCheckboxField("Categories", coerce=int)
    tags = MultiCheckboxField("Tags", coerce=str)
    titles_in_subject = BooleanField(
        "Show thread titles in subject lines",
        description="Off by default, so someone glancing at your inbox sees only "
        "“Your weekly digest”, not what the threads are about.",
    )
    notify_replies = BooleanField(
        "Email me when someone replies to a thread I started or follow",
        description="Replies are gathered and sent at most every 15 minutes, never one "
        "message per reply. Off by default.",
    )


class VerifyEmailForm(FlaskForm):
    """The verification page: confirm the address, and ask for reply emails (the page
    shows the box ticked; a form sent without it asks for nothing)."""

    notify_replies = BooleanField(
        "Email me when someone replies to me",
        description="Replies in threads you started or follow, gathered and sent at most "
        "every 15 minutes. You can change this any time in your settings.",
    )


class FollowForm(FlaskForm):
    follow = HiddenField()


class FrequencyForm(FlaskForm):
    """On the unsubscribe page, which works without signing in: the signed link
    in the address is what protects it (see routes.unsubscribe)."""

    class Meta:
        csrf = False

    frequency = RadioField("How often", choices=FREQUENCIES)


def preferences_form(categories, tags, prefs) -> PreferencesForm:
    """The form for one member: their categories and tags as choices, their choices as
    data (a submitted form's own values take precedence)."""
    form = PreferencesForm(
        data={
            "frequency": str(prefs.frequency),
            "categories": sorted(prefs.category_ids),
            "tags": sorted(prefs.tag_slugs),
            "titles_in_subject": prefs.titles_in_subject,
            "notify_replies": prefs.notify_replies,
        }
    )
    form.categories.choices = [
        SelectChoice(c.id, c.name + (" (sensitive)" if c.sensitive else "")) for c in categories
    ]
    form.tags.choices = [SelectChoice(t.slug, t.label) for t in tags]
    return form
