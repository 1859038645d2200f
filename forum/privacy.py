"""Detect personal identifiers in forum posts and suggest privacy-preserving rewrites.

The public entry points (docs/privacy-check.md): `find_identifiers(text)`,
`find_in_fields({field: text})` and `apply_suggestions(text, findings)`. The patterns
live in privacy_people (family, staff, schools), privacy_contact (emails, links,
phones, addresses, dates), privacy_more (ages, spelled-out emails), privacy_names
(given names without a family word) and privacy_mentions (every other mention of what
was found, in every field).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from forum.privacy_contact import addresses, dates, links_and_emails, phones
from forum.privacy_data import REASONS
from forum.privacy_mentions import entities, mentions
from forum.privacy_more import ages, emails_and_handles, rewrite_ages
from forum.privacy_names import allowed_spans, bare_names
from forum.privacy_people import Cand, full_names, kin_names, schools, staff_names

__all__ = ["Finding", "find_identifiers", "find_in_fields", "apply_suggestions", "REASONS"]

# Tie-break order when two candidates have the same length (most specific first).
_PRIORITY = ["email", "social_url", "phone", "address", "date", "staff_name", "kin_name",
             "school", "full_name", "age", "name"]


@dataclass(frozen=True)
class Finding:
    """One detected identifier: kind, exact character span, and the suggested replacement."""

    kind: str
    start: int
    end: int
    text: str
    suggestion: str

    @property
    def reason(self) -> str:
        """Plain-language sentence explaining why this kind of detail matters."""
        return REASONS[self.kind]


_DIGIT_RE = re.compile(r"\d")
_SENTENCE_END = re.compile(r"(?:^|[.!?\n]['\")\]]?)\s*$")


def _cap(text: str, start: int, suggestion: str) -> str:
    """Capitalise a suggestion that starts a sentence."""
    at_start = _SENTENCE_END.search(text[max(0, start - 3):start])
    if suggestion and suggestion[0].islower() and at_start:
        return suggestion[0].upper() + suggestion[1:]
    return suggestion


def _choose(text: str, cands: list[Cand], chosen: list[Finding] | None = None) -> list[Finding]:
    """Add the longest candidates that overlap nothing already chosen (most specific on ties)."""
    chosen = list(chosen or [])
    spans = sorted((f.start, f.end) for f in chosen)
    starts, ends = [s for s, _e in spans], [e for _s, e in spans]
    cands.sort(key=lambda c: (c[1] - c[2], _PRIORITY.index(c[0]), c[1]))
    for kind, start, end, sugg in cands:
        i = bisect.bisect_right(starts, start)
        if start >= end or (i and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        sugg = _cap(text, start, sugg) if text[start].isupper() else sugg
        chosen.append(Finding(kind, start, end, text[start:end], sugg))
    return chosen


def _detect(text: str) -> list[Finding]:
    """Findings in one text on its own: each kind's patterns, then the longest match wins."""
    cands = (links_and_emails(text) + kin_names(text) + staff_names(text) + schools(text)
             + full_names(text) + emails_and_handles(text) + bare_names(text))
    if _DIGIT_RE.search(text):
        cands += phones(text) + dates(text) + addresses(text)
    cands += ages(text)
    found = _choose(text, cands)
    return [replace(f, suggestion=rewrite_ages(f.suggestion)) if f.kind == "kin_name" else f
            for f in found]


def find_in_fields(texts: Mapping[str, str]) -> dict[str, list[Finding]]:
    """Findings per field (a title and a body, a notebook's fields), sorted by start offset.

    A name, surname or school found in any field makes every other mention of it, in
    every field, a finding too: "Blake's" after "my son Blake", "Jenkins" after
    "Ms. Jenkins", "Maplewood" after "Maplewood Middle School". Pure: keeps nothing.
    """
    first = {name: _detect(text) for name, text in texts.items()}
    found = entities(f for findings in first.values() for f in findings)
    out = {}
    for name, text in texts.items():
        more = mentions(text, found)
        if more and (allowed := allowed_spans(text)):  # "Max and Ruby" the show, not a brother
            more = [c for c in more if not any(s < c[2] and c[1] < e for s, e in allowed)]
        covered = {i for _k, s, e, _sg in more for i in range(s, e)}
        findings = []
        for f in first[name]:
            kind, sugg = found.get(f.text, (f.kind, f.suggestion))
            if f.kind == "name" and kind != "name":  # "Blake" alone, after "my son Blake"
                f = replace(f, kind=kind, suggestion=_cap(text, f.start, sugg))
            elif f.kind == "name" and f.start in covered and f.end - 1 in covered:
                continue  # "Agnes" in "St. Agnes", a school's short name
            findings.append(f)
        findings = _choose(text, more, findings)
        out[name] = sorted(findings, key=lambda f: f.start)
    return out


def find_identifiers(text: str) -> list[Finding]:
    """Non-overlapping identifier findings in one text, sorted by start offset.

    The stable entry point for any feature that checks a single text (posts, an IEP
    notebook's fields one by one); use find_in_fields when several fields belong together.
    """
    return find_in_fields({"text": text})["text"]


def apply_suggestions(text: str, findings: list[Finding]) -> str:
    """Replace every (non-overlapping) finding with its suggestion, working from the end."""
    limit = len(text)
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        if f.end <= limit and text[f.start:f.end] == f.text:
            text = text[: f.start] + f.suggestion + text[f.end:]
            limit = f.start
    return text
