"""Detect personal identifiers in forum posts and suggest privacy-preserving rewrites."""
from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import phonenumbers

from forum.privacy_data import (
    ALLOWLIST,
    AMBIGUOUS_FIRST,
    FIRST_NAMES,
    KIN_WORDS,
    LOWER_NAME_WORDS,
    MONTHS,
    NOT_GIVEN,
    NOT_SCHOOL_NAMES,
    NOT_SURNAMES,
    REASONS,
    ROLES,
    SCHOOL_TYPES,
    STOP_AFTER_KIN,
    STREET_SUFFIXES,
    SURNAMES,
    TITLES,
)
from forum.privacy_more import ages, emails_and_handles, rewrite_ages
from forum.privacy_names import allowed_spans, bare_names, entities, mentions

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


_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME = rf"[{_UP}][{_LO}]*(?:[{_UP}][{_LO}]+)?(?:['’-][{_UP}]?[{_LO}]+)*"  # Kim, O'Brien, DeShawn
_ALT = "|".join
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
             r"December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_ORD = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)"
_YEAR = r"(?:,?\s+(?:19|20)\d\d(?!\d))?"


def _ci(words: list[str] | str) -> str:
    """Alternation of lower/Capitalised/UPPER forms ('_' = space); faster than (?i:...)."""
    words = words.split() if isinstance(words, str) else words
    forms = {f for w in words for f in (w, w[0].upper() + w[1:], w.upper())}
    return "(?:" + _ALT(f.replace("_", r"\s+") for f in sorted(forms, key=len, reverse=True)) + ")"


EMAIL_RE = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
                      r"\.[A-Za-z]{2,24}(?![\w-])")
SOCIAL_RE = re.compile(
    r"(?<![\w.@/-])(?:https?://)?(?:(?:www|m|mobile|web)\.)?"
    r"(?:facebook\.com|fb\.com|instagram\.com|x\.com|twitter\.com|tiktok\.com|linkedin\.com|"
    r"youtube\.com|threads\.net|pinterest\.com|snapchat\.com|reddit\.com/(?:u|user))"
    r"/[\w.@%/?=&+~-]{0,200}[\w@/=~-]", re.I)
_SOCIAL_HINT = re.compile(r"(?i:facebook|fb|instagram|x|twitter|tiktok|linkedin|youtube|threads|"
                          r"pinterest|snapchat|reddit)\.(?i:com|net)/")
PHONE_HINT_RE = re.compile(r"(?<![\w+/.-])(?:(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}"
                           r"[\s.-]?\d{4}|\d{3}[.-]\d{4})(?![\w/-]|\.\d)")
ADDRESS_RE = re.compile(
    rf"(?<![\w./-])\d{{1,6}}[A-Za-z]?\s+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s+)?"
    rf"(?:(?:[A-Z][\w'-]*|\d{{1,3}}(?:st|nd|rd|th))\.?\s+){{1,3}}(?:{_ALT(STREET_SUFFIXES)})\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*#?\w{1,6})?"
    r"|\b(?:P\.?\s?O\.?|Post\s+Office)\s*Box\s+\d{1,6}\b")
DATE_RE = re.compile(
    rf"(?P<m1>{_MONTH_RE})\s+(?P<d1>{_DAY}){_YEAR}(?![\w/])"
    rf"|(?<!\w)(?P<d2>{_ORD})\s+(?:of\s+)?(?P<m2>{_MONTH_RE}){_YEAR}(?![\w/])"
    rf"|(?<![\w/.-])(?P<d5>3[01]|[12]\d|0?[1-9])\s+(?P<m5>{_MONTH_RE}),?\s+(?:19|20)\d\d(?!\d)"
    r"|(?<![\w/.-])(?:(?P<m3>1[0-2]|0?[1-9])(?P<sep>[/-])(?P<d3>3[01]|[12]\d|0?[1-9])"
    r"(?:(?P=sep)(?:(?:19|20)?\d\d))?|(?:19|20)\d\d-(?P<m4>0[1-9]|1[0-2])-(?P<d4>0[1-9]|[12]\d|3[01]))"
    r"(?![\w/-]|\.\d)")
_DATE_LEAD = re.compile(r"(?:\b[Oo]n\s+)?(?:\b(?:[Tt]he)\s+)?"
                        r"(?:\b(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,?\s+)?$")
_PREP_BEFORE = re.compile(r"\b(?:on|by|since|from|until|till|dated|before|after|of|for|through|"
                          r"thru)\s*$", re.I)
_KIN_AGE = (r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
            r"thirteen|fourteen|fifteen|sixteen|seventeen)(?:[\s-]?(?:years?|yrs?)[\s-]?old|\s?yo|"
            r"\s?y/o|(?:st|nd|rd|th)[\s-]grader)")
_KIN_HEAD = (rf"(?<![\w'-])(?:{_ci('my our his her their your')}\s+(?:[a-z][\w'-]*\s+){{0,2}}?"
             rf"(?:{_KIN_AGE}|{_ci(KIN_WORDS)}\b)|(?P<acr>D[SDHW]\d?|DS[SD])\b)")  # DS = "dear son"
KIN_RE = re.compile(rf"{_KIN_HEAD}(?P<sep>,?\s+(?:\(\d{{1,2}}\)\s+)?|\s*\(\s*|\s*[—–]\s*|\s+-\s+)"
                    rf"(?P<name>{_NAME})(?P<more>\s+and\s+(?P<name2>{_NAME}))?"
                    r"(?P<tail>,(?=\s)|\s*\)|\s*[—–]|\s+-(?=\s))?")
KIN_LOWER_RE = re.compile(rf"{_KIN_HEAD},?\s+(?P<name>[a-z]+)\b(?!['’-])")
KIN_INTRO_RE = re.compile(
    rf"(?<![\w'-])(?:{_ci('name_is is_named call_him call_her call_them')}|"
    rf"{_ci('mom mum dad mother father parent mama grandma guardian')}\s+(?:to|of))"
    rf"\s+(?P<name>{_NAME})")
_TITLE = (rf"(?:{_ci('mrs mr ms mx miss dr prof')}\b\.?|(?:Vice|Assistant)\s+Principal|Doctor|"
          r"Professor|Coach|Nurse|Principal|Superintendent|Director|Counselor|Dean|Officer|Judge|"
          r"Sister)")
_ROLE = rf"{_ci(ROLES)}\b"
_DET_MODS = rf"(?<![\w'-]){_ci('the his her their our my your a an')}\s+(?:[\w'’-]+\s+){{0,3}}?"
_TITLE_RE = re.compile(_TITLE)
TITLE_RE = re.compile(rf"(?<![\w.])(?P<title>{_TITLE}(?:\s+{_TITLE})*)\s+"
                      rf"(?P<name>(?:{_NAME}|[A-Z](?![\w'’]))(?:\s+{_NAME})?)")
# Not "dr.": "dr. appointment" is far more common than a lower-case doctor's name.
TITLE_LOWER_RE = re.compile(r"(?<![\w.])(?:mrs|mr|ms|mx)\.\s+(?P<name>[a-z][a-z'’-]{1,30})\b")
ROLE_BEFORE_RE = re.compile(rf"{_DET_MODS}{_ROLE}(?:,?\s+|\s*\(\s*)$")
ROLE_AFTER_RE = re.compile(rf",?\s+(?P<role>{_DET_MODS}{_ROLE})(?:,(?=\s))?")
ROLE_NAME_RE = re.compile(
    rf"(?<![\w'-]){_ROLE}(?:,?\s+|\s*\(\s*)(?P<name>{_NAME}(?:\s+{_NAME})?)")
DET_BEFORE_RE = re.compile(rf"{_DET_MODS}$")
STAFF_FROM_RE = re.compile(
    rf"(?<![\w'’.-])(?P<name>{_NAME})\s+(?:from|at|with)\s+(?:the|our|his|her|their)\s+"
    r"(?:[\w'-]+\s+){0,2}?(?:district|school|office|clinic|department|county|board)\b")
NAME_TOKEN_RE = re.compile(rf"(?<![\w'’.-]){_NAME}(?![\w’-]|'(?!s))")
_NAME_GAP = re.compile(r"\s+(?:[A-Z]\.\s+)?")
SCHOOL_RE = re.compile(
    rf"(?<![\w'’.-])(?P<name>(?:(?:St|Saint|Mt|Mount|Ft|Fort)\.?\s+)?{_NAME}(?:\s+{_NAME}){{0,3}})"
    rf"\s+(?P<type>{SCHOOL_TYPES})(?![\w'’-])(?!\s+(?:Year|Day|Night|Board)\b)")
NYC_SCHOOL_RE = re.compile(r"(?<![\w.])(?:P\.S\.|PS|M\.S\.|MS|I\.S\.|J\.H\.S\.|JHS)\s?\d{1,3}"
                           r"(?![\w/-]|\.\d)")  # New York City: "P.S. 321", "MS 51"
_GENDER_RE = re.compile(
    rf"(?<![\w'-])(?:(?P<m>{_ci('he him his son boy brother grandson nephew stepson')})|"
    rf"(?P<f>{_ci('she her daughter girl sister granddaughter niece stepdaughter')})|"
    rf"(?P<we>{_ci('we our us my I')}))\b")
_DIGIT_RE = re.compile(r"\d")
_POSSIBLE = phonenumbers.Leniency.POSSIBLE
_SENTENCE_END = re.compile(r"(?:^|[.!?\n]['\")\]]?)\s*$")
_Cand = tuple[str, int, int, str]


def _lookback(rx: re.Pattern[str], text: str, pos: int, width: int = 60) -> int:
    """Start of the match of an end-anchored regex just before pos, or pos if none."""
    m = rx.search(text, max(0, pos - width), pos)
    return m.start() if m else pos


def _cap(text: str, start: int, suggestion: str) -> str:
    """Capitalise a suggestion that starts a sentence."""
    at_start = _SENTENCE_END.search(text[max(0, start - 3):start])
    if suggestion and suggestion[0].islower() and at_start:
        return suggestion[0].upper() + suggestion[1:]
    return suggestion


def _good_name(word: str) -> bool:
    """True if a capitalised token after a kinship word plausibly is a given name."""
    return len(word) > 1 and not word.isupper() and word.lower() not in STOP_AFTER_KIN


def _date_phrase(month: int, day: int, year: str, text: str, start: int) -> str:
    """Turn an exact date into 'in early/mid/late Month [year]'."""
    part = "early " if day <= 10 else "mid-" if day <= 20 else "late "
    phrase = f"{part}{MONTHS[month - 1].title()}" + (f" {year}" if year else "")
    return phrase if _PREP_BEFORE.search(text, max(0, start - 12), start) else "in " + phrase


def _month_num(name: str) -> int:
    """Month number from a full or abbreviated month name."""
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(name.rstrip(".").lower()[:3]))


ORDINAL_DAY_RE = re.compile(
    r"\b[Oo]n\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?the\s+(?:3[01]|[12]\d|0?[1-9])"
    r"(?:st|nd|rd|th)\b(?!\s+(?:of\s+\w+\s+)?(?:grade|time|floor|percentile|place|period|"
    r"birthday|try|attempt|day|week|month|year|hour|session|meeting|of\s+(?:the|my|his|her|"
    r"our|their|this|that)))")


def _dates(text: str) -> list[_Cand]:
    """Exact calendar dates (named month with a day, or numeric), with a leading 'on the'."""
    out = []
    for m in DATE_RE.finditer(text):
        g = m.groupdict()
        start = _lookback(_DATE_LEAD, text, m.start(), 30)
        year = re.search(r"(?:19|20)\d\d(?!\d)", m.group())
        named = g["m1"] or g["m2"] or g["m5"]
        year_s = year.group() if year and named else ""
        if named:
            day_text = g["d1"] or g["d2"] or g["d5"]
            month, day = _month_num(named), int(re.match(r"\d+", day_text).group())
        else:
            month, day = int(g["m3"] or g["m4"]), int(g["d3"] or g["d4"])
            bare = g["m3"] and m.group().count(g["sep"]) == 1
            prep = _PREP_BEFORE.search(text, max(0, start - 12), start)
            if bare and start == m.start() and not prep:
                continue  # a bare "3/4" is more likely a fraction than a date
        out.append(("date", start, m.end(), _date_phrase(month, day, year_s, text, start)))
    out += [("date", *m.span(), "on [date]") for m in ORDINAL_DAY_RE.finditer(text)]
    return out


def _kin(text: str) -> list[_Cand]:
    """Names that follow kinship words ('my son Blake') or 'her name is Ava'."""
    out = []
    for m in KIN_RE.finditer(text):
        sep, tail = m.group("sep").strip(), (m.group("tail") or "").strip()
        if not _good_name(m.group("name")) or (sep == "(" and tail != ")"):
            continue
        if m.group("acr") and m.group("name").lower() not in FIRST_NAMES:
            continue  # "DS" is also Down syndrome
        # "my twins Noah and Ethan"
        two = m.group("name2") and m.group("name2").lower() in FIRST_NAMES
        end = m.end("more") if two else m.end("name")
        sugg = text[m.start():m.start("name")].rstrip(" ,(—–-")
        dashes = sep and tail and sep in "—–-" and tail in "—–-"
        if end == m.end("name") and ((sep, tail) in ((",", ","), ("(", ")")) or dashes):
            end = m.end("tail")
            sugg += " " if tail in "—–" and text[end:end + 1].isalnum() else ""
        out.append(("kin_name", m.start(), end, sugg))
    for m in KIN_LOWER_RE.finditer(text):
        if m.group("name") in FIRST_NAMES and m.group("name") not in LOWER_NAME_WORDS:
            head = text[m.start():m.start("name")].rstrip(", ")
            out.append(("kin_name", m.start(), m.end(), head))
    for m in KIN_INTRO_RE.finditer(text):
        if _good_name(m.group("name")):
            out.append(("kin_name", m.start("name"), m.end("name"), "[name]"))
    return out


def _close(text: str, name_start: int, end: int) -> int:
    """Extend end over the ',' or ')' closing an apposition opened just before name_start."""
    opener = text[max(0, name_start - 4):name_start].rstrip()[-1:]
    if opener == "(" and (m := re.match(r"\s*\)", text[end:end + 4])):
        return end + m.end()
    return end + 1 if opener == "," and re.match(r",\s", text[end:end + 2]) else end


def _staff(text: str) -> list[_Cand]:
    """Staff named with a title ('Principal Moore') or a role ('his teacher Ms. Kim')."""
    out = []
    for m in TITLE_RE.finditer(text):
        start, end = _lookback(ROLE_BEFORE_RE, text, m.start()), m.end()
        if m.group("name").split()[0].lower() in STOP_AFTER_KIN:
            continue
        if start == m.start() and m.group().lower() in ALLOWLIST:
            continue
        after = ROLE_AFTER_RE.match(text, end)
        if after:
            sugg, end = after.group("role"), after.end()
        elif start < m.start():
            sugg, end = text[start:m.start()].rstrip(", (\t\n"), _close(text, m.start(), end)
        else:
            first = _TITLE_RE.match(m.group("title")).group()
            sugg = TITLES[re.sub(r"\s+", " ", first.rstrip(".")).lower()]
        out.append(("staff_name", start, end, sugg))
    for m in ROLE_NAME_RE.finditer(text):
        words = m.group("name").split()
        start = _lookback(DET_BEFORE_RE, text, m.start())
        if start == m.start() or any(w.lower() in STOP_AFTER_KIN | NOT_SURNAMES for w in words):
            continue
        if len(words) == 1 and words[0].lower() not in FIRST_NAMES and not m.group()[0].islower():
            continue
        sugg = text[start:m.start("name")].rstrip(", (\t\n")
        out.append(("staff_name", start, _close(text, m.start("name"), m.end()), sugg))
    for m in STAFF_FROM_RE.finditer(text):
        name = m.group("name").lower()
        if name in FIRST_NAMES and name not in LOWER_NAME_WORDS:
            out.append(("staff_name", m.start(), m.end("name"), "someone"))
    for m in TITLE_LOWER_RE.finditer(text):  # a post typed all in lower case: "mr. hammond"
        if m.group("name") not in STOP_AFTER_KIN:
            start = _lookback(ROLE_BEFORE_RE, text, m.start())
            sugg = text[start:m.start()].rstrip(", (\t\n") if start < m.start() else ""
            out.append(("staff_name", start, m.end(), sugg or "a staff member"))
    return out


_NOT_FIRST = NOT_GIVEN | STOP_AFTER_KIN | NOT_SURNAMES | NOT_SCHOOL_NAMES


def _full_names(text: str) -> list[_Cand]:
    """Given name + surname pairs ('Jenna Smith'), taken from adjacent capitalised tokens."""
    out = []
    tokens = list(NAME_TOKEN_RE.finditer(text))
    for a, b in zip(tokens, tokens[1:], strict=False):
        first, last = a.group().lower(), b.group().lower()
        if last in NOT_SURNAMES or len(last) < 2:
            continue
        if not _NAME_GAP.fullmatch(text, a.end(), b.start()):
            continue
        if first in FIRST_NAMES:
            if first in AMBIGUOUS_FIRST and last not in SURNAMES:
                continue
        elif last not in SURNAMES or len(first) < 2 or a.group().isupper() or first in _NOT_FIRST:
            continue
        if text[a.start():b.end()].lower() in ALLOWLIST:
            continue
        role = ROLE_AFTER_RE.match(text, b.end())  # "Jorge Martinez, the transition coordinator,"
        if role:
            out.append(("staff_name", a.start(), role.end(), role.group("role")))
        out.append(("full_name", a.start(), b.end(), "[name]"))
    return out


def _schools(text: str) -> list[_Cand]:
    """School and district names ('Lincoln Elementary', 'Round Rock ISD')."""
    out = []
    for m in SCHOOL_RE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("name")))
        while words and words[0].group().lower().rstrip(".") in NOT_SCHOOL_NAMES:
            words.pop(0)
        if not words or m.group().lower() in ALLOWLIST:
            continue
        start = m.start() + words[0].start()
        district = bool(re.search(r"District|ISD|USD|Unified|Schools", m.group("type")))
        out.append(("school", start, m.end(), _school_label(text, start, m.end(), district)))
    out += [("school", m.start(), m.end(), _school_label(text, m.start(), m.end(), False))
            for m in NYC_SCHOOL_RE.finditer(text)]
    return out


def _school_label(text: str, start: int, end: int, district: bool) -> str:
    """'[his school]', '[our district]' or '[the school]' from the nearest pronoun."""
    before = list(_GENDER_RE.finditer(text, max(0, start - 120), start))
    near = before[-1] if before else _GENDER_RE.search(text, end, end + 80)
    if not near or (district and not near["we"]):
        return f"[the {'district' if district else 'school'}]"
    who = "our" if near["we"] else "his" if near["m"] else "her"
    return f"[{who} {'district' if district else 'school'}]"


def _phones(text: str) -> list[_Cand]:
    """US phone numbers, confirmed with phonenumbers' matcher on each candidate."""
    out = []
    for hint in PHONE_HINT_RE.finditer(text):
        # POSSIBLE, not VALID: parents also post made-up or 555 numbers that must still go.
        for pm in phonenumbers.PhoneNumberMatcher(hint.group(), "US", leniency=_POSSIBLE):
            digits = re.sub(r"\D", "", pm.raw_string)
            if len(digits) in (10, 11) or re.fullmatch(r"\d{3}[.-]\d{4}", pm.raw_string):
                start = hint.start() + pm.start
                out.append(("phone", start, start + len(pm.raw_string), "[phone removed]"))
    return out


def _simple(text: str) -> list[_Cand]:
    """Emails and social-media links."""
    out = []
    if "@" in text:
        out += [("email", *m.span(), "[email removed]") for m in EMAIL_RE.finditer(text)]
    if "/" in text and _SOCIAL_HINT.search(text):
        out += [("social_url", *m.span(), "[link removed]") for m in SOCIAL_RE.finditer(text)]
    return out


def _addresses(text: str) -> list[_Cand]:
    """Street addresses and PO boxes."""
    out = []
    for m in ADDRESS_RE.finditer(text):
        end = m.end()
        if text[end - 1] == "." and (end == len(text) or text[end].isspace()):
            end -= 1  # "We live at 22 Elm Street. Then..." keeps its full stop
        out.append(("address", m.start(), end, "[address removed]"))
    return out


def _choose(text: str, cands: list[_Cand], chosen: list[Finding] | None = None) -> list[Finding]:
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
    cands = (_simple(text) + _kin(text) + _staff(text) + _schools(text) + _full_names(text)
             + emails_and_handles(text) + bare_names(text))
    if _DIGIT_RE.search(text):
        cands += _phones(text) + _dates(text) + _addresses(text)
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
