"""The privacy check on every notebook field, suggesting roles for people's names.

A notebook is a record of dates, so exact dates are never flagged here. Names,
schools and contact details are: a notebook can be printed, shared with a link,
or turned into a forum post. When a field names a person, the check offers roles
("the aide", "the case manager") instead. Like the check before posting
(forum.threads.privacy_review), it is a step of the form: it never blocks saving
("Save as written"), and keeps and logs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from markupsafe import Markup

from forum.privacy import Finding, apply_suggestions, find_identifiers
from forum.threads.privacy_review import KIND_LABELS, context_html, fingerprint

SHOWN_MAX = 30
NAME_KINDS = frozenset({"staff_name", "full_name", "kin_name"})
# Offered for any person's name; the check's own suggestion (a role it recognised) comes first.
ROLES = ("the aide", "the case manager", "the teacher", "the principal", "the therapist",
         "the district's representative")
CHILD_ROLES = ("my child", "my son", "my daughter")


def name_findings(text: str) -> list[Finding]:
    """What the check finds in a notebook field: everything but dates."""
    return [f for f in find_identifiers(text) if f.kind != "date"] if text else []


def suggestions_for(finding: Finding) -> list[str]:
    """Replacements to offer: roles for a person's name, else the check's suggestion."""
    if finding.kind not in NAME_KINDS:
        return [finding.suggestion]
    own = finding.suggestion if not finding.suggestion.startswith("[") else None
    choices = CHILD_ROLES if finding.kind == "kin_name" else ROLES
    return list(dict.fromkeys([own, *choices] if own else choices))


@dataclass(frozen=True)
class ReviewItem:
    index: int
    field: str
    field_label: str
    kind_label: str
    finding: Finding
    context: Markup
    suggestions: list[str]


@dataclass(frozen=True)
class Review:
    items: list[ReviewItem]
    total: int
    fingerprint: str
    note: str | None = None


def _pairs(form, fields: dict[str, str]) -> list[tuple[str, Finding]]:
    return [(name, f) for name in fields if name in form and isinstance(form[name].data, str)
            for f in name_findings(form[name].data)]


def _apply(form, fields: dict[str, str], pairs: list[tuple[str, Finding]]) -> str:
    if "apply_all" in request.form:
        for name in fields:
            chosen = [f for field, f in pairs if field == name]
            if chosen:
                roles = [Finding(f.kind, f.start, f.end, f.text, suggestions_for(f)[0])
                         for f in chosen]
                form[name].data = apply_suggestions(form[name].data, roles)
        return "Every suggestion is applied. Read it over, then save."
    index, _, choice = (request.form.get("apply") or "").partition(":")
    seen = request.form.get("privacy_seen")
    if not (index.isdigit() and choice.isdigit() and len(index) < 5 and len(choice) < 3):
        return "Nothing was replaced. Here is what the check finds now."
    index, choice = int(index), int(choice)
    if index >= len(pairs) or (seen and seen != fingerprint(pairs)):
        return "Your text changed since the check, so nothing was replaced."
    name, finding = pairs[index]
    options = suggestions_for(finding)
    if choice >= len(options):
        return "Nothing was replaced. Here is what the check finds now."
    replacement = Finding(finding.kind, finding.start, finding.end, finding.text, options[choice])
    form[name].data = apply_suggestions(form[name].data, [replacement])
    return f"Replaced “{finding.text}” with “{options[choice]}”."


def review_or_none(form, fields: dict[str, str]) -> Review | None:
    """None when the fields may be saved now, else the review to show (set on the form)."""
    if request.form.get("reviewed") == "1":
        return None
    pairs = _pairs(form, fields)
    note = None
    if "apply_all" in request.form or "apply" in request.form:
        note = _apply(form, fields, pairs)
        pairs = _pairs(form, fields)
    elif not pairs:
        return None
    items = [
        ReviewItem(i, name, fields[name], KIND_LABELS.get(f.kind, f.kind), f,
                   context_html(form[name].data, f), suggestions_for(f))
        for i, (name, f) in enumerate(pairs[:SHOWN_MAX])
    ]
    review = Review(items, len(pairs), fingerprint(pairs), note)
    form.privacy_review = review
    return review
