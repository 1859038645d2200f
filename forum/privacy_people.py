"""Patterns for people and schools in a post: family names ("my son Blake"), staff ("Ms.
Jenkins", "his teacher Ms. Kim"), full names ("Jenna Smith") and schools ("Lincoln
Elementary", "Round Rock ISD"). Used by forum.privacy."""

from __future__ import annotations

import re

from forum.privacy_data import (
    ALLOWLIST,
    AMBIGUOUS_FIRST,
    FIRST_NAMES,
    KIN_WORDS,
    LOWER_NAME_WORDS,
    NOT_GIVEN,
    NOT_SCHOOL_NAMES,
    NOT_SURNAMES,
    ROLES,
    SCHOOL_TYPES,
    STOP_AFTER_KIN,
    SURNAMES,
    TITLES,
)

Cand = tuple[str, int, int, str]  # (kind, start, end, suggestion)
_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME = rf"[{_UP}][{_LO}]*(?:[{_UP}][{_LO}]+)?(?:['’-][{_UP}]?[{_LO}]+)*"  # Kim, O'Brien, DeShawn
ALT = "|".join


def _ci(words: list[str] | str) -> str:
    """Alternation of lower/Capitalised/UPPER forms ('_' = space); faster than (?i:...)."""
    words = words.split() if isinstance(words, str) else words
    forms = {f for w in words for f in (w, w[0].upper() + w[1:], w.upper())}
    return "(?:" + ALT(f.replace("_", r"\s+") for f in sorted(forms, key=len, reverse=True)) + ")"


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


def lookback(rx: re.Pattern[str], text: str, pos: int, width: int = 60) -> int:
    """Start of the match of an end-anchored regex just before pos, or pos if none."""
    m = rx.search(text, max(0, pos - width), pos)
    return m.start() if m else pos

def _good_name(word: str) -> bool:
    """True if a capitalised token after a kinship word plausibly is a given name."""
    return len(word) > 1 and not word.isupper() and word.lower() not in STOP_AFTER_KIN

def kin_names(text: str) -> list[Cand]:
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


def staff_names(text: str) -> list[Cand]:
    """Staff named with a title ('Principal Moore') or a role ('his teacher Ms. Kim')."""
    out = []
    for m in TITLE_RE.finditer(text):
        start, end = lookback(ROLE_BEFORE_RE, text, m.start()), m.end()
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
        start = lookback(DET_BEFORE_RE, text, m.start())
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
            start = lookback(ROLE_BEFORE_RE, text, m.start())
            sugg = text[start:m.start()].rstrip(", (\t\n") if start < m.start() else ""
            out.append(("staff_name", start, m.end(), sugg or "a staff member"))
    return out


_NOT_FIRST = NOT_GIVEN | STOP_AFTER_KIN | NOT_SURNAMES | NOT_SCHOOL_NAMES


def full_names(text: str) -> list[Cand]:
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


def schools(text: str) -> list[Cand]:
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

