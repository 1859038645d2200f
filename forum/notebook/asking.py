"""From notebook to forum: a draft thread, privacy-checked, that the member edits first.

The draft says what kind of thing happened and when in words ("in early October"),
with the entry's text after the privacy check's suggestions (names become roles,
dates become "early/mid/late month", contact details go). Nothing is posted here:
the draft fills the forum's own new-thread form, which posts anonymously by
default and runs its privacy review again on whatever the member sends.
"""

from __future__ import annotations

from wtforms import SelectChoice

from forum.notebook.models import Entry, EntryKind
from forum.notebook.review import suggestions_for
from forum.notebook.services import entry_tag_ids
from forum.privacy import Finding, apply_suggestions, find_identifiers
from forum.threads.forms import NewThreadForm
from forum.threads.models import AnonymousPolicy
from forum.threads.parts import new_thread_form
from forum.threads.services import BODY_MAX, TITLE_MAX, categories_for

TITLES = {
    EntryKind.MEETING: "After an IEP meeting: what would you do next?",
    EntryKind.NOTICE: "We got a notice from the school: what does it mean for us?",
    EntryKind.REQUEST: "I sent the school a request: what should I expect?",
    EntryKind.PHONE: "A phone call with the school: how should I follow up?",
    EntryKind.EMAIL: "An email from the school: how should I answer?",
    EntryKind.INCIDENT: "An incident at school: what can I do?",
    EntryKind.SERVICE_MISSED: "Services in the IEP are being missed: what can I do?",
    EntryKind.AIDE: "The aide in the IEP isn't there: what can I do?",
    EntryKind.PROGRESS: "A progress report worries me: what should I ask for?",
    EntryKind.NOTE: "A question about my child's IEP",
}
WORDS = {
    EntryKind.MEETING: "a meeting", EntryKind.NOTICE: "a notice from the school",
    EntryKind.REQUEST: "a request I sent", EntryKind.PHONE: "a phone call",
    EntryKind.EMAIL: "an email", EntryKind.INCIDENT: "an incident at school",
    EntryKind.SERVICE_MISSED: "a missed service", EntryKind.AIDE: "the aide absent or removed",
    EntryKind.PROGRESS: "a progress report", EntryKind.NOTE: "a note",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def when_in_words(entry: Entry) -> str:
    """'in early October': close enough for other parents, too vague to identify anyone."""
    part = "early" if entry.occurred_on.day <= 10 else "mid-" if entry.occurred_on.day <= 20 \
        else "late"
    month = MONTHS[entry.occurred_on.month - 1]
    return f"in mid-{month}" if part == "mid-" else f"in {part} {month}"


def privacy_checked(text: str) -> str:
    """The text with every suggestion applied (a person's name becomes a role)."""
    findings = [Finding(f.kind, f.start, f.end, f.text, suggestions_for(f)[0])
                for f in find_identifiers(text)]
    return apply_suggestions(text, findings)


def summary(entry: Entry) -> tuple[str, str]:
    """(title, body) of the draft."""
    lines = [f"From my notes: {WORDS[entry.kind]}, {when_in_words(entry)}."]
    if entry.roles:
        lines.append(f"Who was involved: {privacy_checked(entry.roles)}.")
    if entry.text:
        lines += ["", privacy_checked(entry.text)]
    lines += ["", "Has this happened to you? What did you do, and what would you ask for?"]
    return TITLES[entry.kind][:TITLE_MAX], "\n".join(lines)[:BODY_MAX]


def thread_form(user, entry: Entry) -> tuple[NewThreadForm, dict[str, str]]:
    """The new-thread form as threads.new would show it, filled with the draft."""
    categories = categories_for(user)
    title, body = summary(entry)
    form = new_thread_form(formdata=None, title=title, body=body)
    form.category.choices = [
        SelectChoice(c.slug, c.name, render_kw={"data-anonymous": str(c.anonymous_policy)})
        for c in categories
    ]
    usable = [c for c in categories if c.anonymous_policy != AnonymousPolicy.FORBID]
    chosen = (usable or categories or [None])[0]
    form.category.data = chosen.slug if chosen else ""
    form.hide_author.data = bool(chosen) and chosen.anonymous_policy != AnonymousPolicy.FORBID
    offered = {choice.value for choice in form.tags.choices}
    form.tags.data = [t for t in entry_tag_ids(entry) if t in offered]
    form.ensure_token()
    return form, {c.slug: c.anonymous_policy for c in categories}
