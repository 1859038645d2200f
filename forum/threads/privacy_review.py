"""The "Before you post" privacy review on compose and edit, and its JSON twin for live checks.

The review is a step of the form itself, so it works without JavaScript: a
submit with findings re-renders the form (200, text kept) with the review; the
buttons apply one suggestion (`apply=<index>`), all of them (`apply_all`), or
publish as written (`reviewed=1`). Nothing here stores or logs the text or the
findings: they live for one request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app, jsonify, request
from flask_login import current_user
from markupsafe import Markup

from forum.extensions import client_address, limiter
from forum.privacy import Finding, apply_suggestions, find_in_fields
from forum.threads import bp
from forum.threads.services import BODY_MAX, TITLE_MAX

FIELDS = {"title": "Title", "body": "Your post"}
CONTEXT = 60  # characters shown either side of a finding
SHOWN_MAX = 40  # findings listed one by one; "apply all" still applies every one
API_MAX = 200  # findings returned to the live check
KIND_LABELS = {
    "email": "Email address",
    "phone": "Phone number",
    "address": "Street address",
    "date": "Exact date",
    "kin_name": "A child's or relative's name",
    "staff_name": "A staff member's name",
    "school": "School or district name",
    "full_name": "A full name",
    "social_url": "Social media profile",
    "age": "A child's exact age",
    "name": "A name",
}
ALL_APPLIED = "Every suggestion is applied. Read your text over, then post it."


@dataclass(frozen=True)
class ReviewItem:
    index: int
    field: str
    field_label: str
    kind_label: str
    finding: Finding
    context: Markup  # the text around the finding, escaped, the finding in <mark>


@dataclass(frozen=True)
class Review:
    items: list[ReviewItem]  # at most SHOWN_MAX
    total: int
    fingerprint: str  # which findings the page showed; an apply button acts only on those
    note: str | None = None


def _texts(form) -> dict[str, str]:
    """The checked fields this form has and the parent filled in: title, then body."""
    return {name: form[name].data for name in FIELDS if name in form and form[name].data}


def _findings(texts: dict[str, str]) -> list[tuple[str, Finding]]:
    """Every finding, title first; a name in one field is looked for in the other too."""
    found = find_in_fields(texts)
    return [(name, finding) for name in texts for finding in found[name]]


def still_there(count: int) -> str:
    """The note after "Apply all" when the check, run again, still finds something."""
    details = "1 detail that" if count == 1 else f"{count} details that"
    return (f"The suggestions are applied, but the check, run again, still finds {details} "
            "could identify your family. Here is what is left.")


def fingerprint(pairs: list[tuple[str, Finding]]) -> str:
    digest = hashlib.sha256()
    for name, finding in pairs:
        digest.update(f"{name}\x1f{finding.kind}\x1f{finding.text}\x1e".encode())
    return digest.hexdigest()[:16]


def context_html(text: str, finding: Finding) -> Markup:
    """The finding with some text either side: every part escaped, then the span marked."""
    start, end = max(0, finding.start - CONTEXT), min(len(text), finding.end + CONTEXT)
    if start and (space := text.find(" ", start, finding.start)) != -1:
        start = space + 1  # begin and end on whole words
    if end < len(text) and (space := text.rfind(" ", finding.end, end)) != -1:
        end = space
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if start else "", text[start:finding.start], finding.text,
        text[finding.end:end], "…" if end < len(text) else "",
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 7 else None


def _apply(form, pairs: list[tuple[str, Finding]]) -> str | None:
    """Apply what the parent asked for to the form's fields; the note to show, if any."""
    if "apply_all" in request.form:
        for name in FIELDS:
            chosen = [f for field, f in pairs if field == name]
            if chosen:
                form[name].data = apply_suggestions(form[name].data, chosen)
        return None  # the note depends on what the check finds in the new text
    index = _int(request.form.get("apply"))
    seen = request.form.get("privacy_seen")
    if index is None or index >= len(pairs) or (seen and seen != fingerprint(pairs)):
        return ("Your text changed since the check, so nothing was replaced. "
                "Here is what the check finds now.")
    name, finding = pairs[index]
    form[name].data = apply_suggestions(form[name].data, [finding])
    return f"Replaced “{finding.text}” with “{finding.suggestion}”."


def review_or_none(form) -> Review | None:
    """None if the text may be published now, else the review to show (also set on the form).

    Call it once the form is valid. "Post anyway" (`reviewed=1`) publishes as written;
    an apply button changes the text and always shows the form again, so the parent
    sees the result before it is published.
    """
    if request.form.get("reviewed") == "1":
        return None
    pairs = _findings(_texts(form))
    note = None
    if "apply_all" in request.form or "apply" in request.form:
        note = _apply(form, pairs)
        texts = _texts(form)
        pairs = _findings(texts)  # checked again: "applied" is said only when nothing is left
        if "apply_all" in request.form:
            note = still_there(len(pairs)) if pairs else ALL_APPLIED
    elif not pairs:
        return None
    else:
        texts = _texts(form)
    items = [
        ReviewItem(index, name, FIELDS[name], KIND_LABELS.get(f.kind, f.kind), f,
                   context_html(texts[name], f))
        for index, (name, f) in enumerate(pairs[:SHOWN_MAX])
    ]
    review = Review(items=items, total=len(pairs), fingerprint=fingerprint(pairs), note=note)
    form.privacy_review = review
    return review


def _check_key() -> str:
    return f"privacy-check:{current_user.id if current_user.is_authenticated else client_address()}"


@bp.post("/api/privacy-check")
@limiter.limit(lambda: current_app.config["RATELIMIT_PRIVACY_CHECK"], key_func=_check_key)
def privacy_check():
    """Findings for a draft, for the inline check while typing. Stores and logs nothing."""
    if not current_user.is_authenticated:
        return jsonify(error="Please sign in."), 401
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="Send a JSON object with title and body."), 400
    texts = {name: data.get(name) or "" for name in FIELDS}
    if not all(isinstance(text, str) for text in texts.values()):
        return jsonify(error="title and body must be strings."), 400
    if len(texts["body"]) > BODY_MAX or len(texts["title"]) > TITLE_MAX * 2:
        return jsonify(error=f"Posts can be up to {BODY_MAX:,} characters."), 413
    pairs = _findings({name: text for name, text in texts.items() if text})
    findings = [
        {"field": name, "kind": f.kind, "label": KIND_LABELS.get(f.kind, f.kind), "start": f.start,
         "end": f.end, "text": f.text, "suggestion": f.suggestion, "reason": f.reason}
        for name, f in pairs[:API_MAX]
    ]
    return jsonify(findings=findings, total=len(pairs))
