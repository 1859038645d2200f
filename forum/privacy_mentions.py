"""Every other mention of what was found (issue 16), for forum.privacy.find_in_fields.

Once a name, surname or school is detected anywhere, every other occurrence of it in
any field is a finding too: "Blake's" after "my son Blake", "Jenkins" after "Ms.
Jenkins", "Maplewood" after "Maplewood Middle School", "Santi" after "Santiago".
"""

from __future__ import annotations

import re

from forum.privacy_data import ROLES, STOP_AFTER_KIN
from forum.privacy_names import NOT_NAMES, Cand, given_names, word_set

_HEAD_DET = re.compile(r"^(?:my|our|his|her|their|your|a|an)\s+", re.I)
_TITLES = word_set("mr mrs ms mx miss dr prof coach nurse principal sister doctor professor")
_GENERIC = word_set("""
north south east west central city county community public international first new old the
saint st mount mt fort lake valley grace hope little early
""")
_PERSON_KINDS = ("kin_name", "staff_name", "full_name", "name")
_ROLE_WORDS = frozenset(w for role in ROLES for w in role.split("_"))


def _name_words(text: str) -> list[str]:
    """The name words of a finding ('the case manager, Jenna Smith,' -> both; 'mr. hammond'
    -> 'hammond': a lower-case last word after a title or a family word is a name too)."""
    words = re.findall(r"[A-Za-z][a-z]*(?:[-'’][A-Z]?[a-z]+)*", text)
    names, _words = given_names()
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if low in STOP_AFTER_KIN or low in _TITLES or len(word) < 2:
            continue
        last = i == len(words) - 1 and low not in _KIN_SKIP and low not in _ROLE_WORDS
        if word[0].isupper() or low in names or last:
            out.append(word)
    return out


def _later_suggestion(kind: str, suggestion: str) -> str:
    """What a later mention becomes: 'my son' stays, 'a staff member' becomes 'the staff member'."""
    if kind == "kin_name" and not suggestion.startswith("["):
        return suggestion[0].lower() + suggestion[1:] if suggestion else "[name]"
    if kind == "staff_name":
        return _HEAD_DET.sub("the ", suggestion[0].lower() + suggestion[1:]) if suggestion else ""
    return suggestion


def entities(findings) -> dict[str, tuple[str, str]]:
    """Words to look for elsewhere -> (kind, suggestion), from person and school findings."""
    found: dict[str, tuple[str, str]] = {}
    # A bare "name" last: "Blake" after "my son Blake" becomes "my son", wherever it stands.
    for f in sorted(findings, key=lambda f: f.kind == "name"):
        if f.kind in _PERSON_KINDS:
            words = _name_words(f.text)
            kin_words = [w for w in words if w.lower() not in _KIN_SKIP]
            if f.kind == "kin_name" and len(kin_words) > 1:
                sugg = "[name]"  # "my twins Noah and Ethan": which twin is unknown
            else:
                sugg = _later_suggestion(f.kind, f.suggestion) or "[name]"
            for word in kin_words if f.kind == "kin_name" else words:
                found.setdefault(word, (f.kind, sugg))
        elif f.kind == "school":
            for short in _school_short_names(f.text):
                found.setdefault(short, ("school", f.suggestion))
    return found


_KIN_SKIP = word_set("""
son sons daughter daughters child children kid kids twins twin husband wife partner brother
sister nephew niece cousin grandson granddaughter stepson stepdaughter mom dad mother father
baby boy girl youngest oldest eldest middle little one guy man year years old yo
""") | STOP_AFTER_KIN
_SCHOOL_TYPE = re.compile(
    r"\s+(?:(?:Early\s+)?Learning\s+Center|Unified|ISD|USD|CISD|Independent|School|Schools|"
    r"Public|City|County|Elementary|Middle|High|Junior|Intermediate|Primary|Charter|Catholic|"
    r"Christian|Montessori|Magnet|Community|Academy|Preschool|Preparatory|Prep|College|Local)\b.*$",
    re.S)


def _school_short_names(text: str) -> list[str]:
    """'Maplewood Middle School' -> ['Maplewood Middle', 'Maplewood']; never a generic word."""
    base = _SCHOOL_TYPE.sub("", text).strip()
    if not base or base == text:
        return []
    out = []
    first_type = re.match(r"\s*(\w+)", text[len(base):])
    if first_type and first_type.group(1) not in ("School", "Schools", "Unified", "ISD"):
        out.append(f"{base} {first_type.group(1)}")
    if base.lower() not in _GENERIC and not re.fullmatch(r"[A-Z]+", base):
        out.append(base)
    return out


_WORD = re.compile(r"(?<![\w'’.@/-])[A-Za-z]+(?:['’][A-Z][a-z]+)?(?:-[A-Za-z]+)*(?![\w@-])")


def _nicknames(found: dict[str, tuple[str, str]]) -> dict[str, str]:
    """'Santi' -> 'Santiago': first three letters or more of a person's name of 5 or more."""
    out: dict[str, str] = {}
    for name, (kind, _s) in found.items():
        if kind in _PERSON_KINDS and " " not in name and len(name) >= 5 and name[0].isupper():
            for i in range(3, len(name)):
                out.setdefault(name[:i], name)
    return out


def mentions(text: str, found: dict[str, tuple[str, str]]) -> list[Cand]:
    """Every occurrence in text of the words in `found`, their nicknames and possessives."""
    if not found:
        return []
    out = []
    phrases = [w for w in found if " " in w]
    if phrases:  # "Oak Hill", "St. Agnes": few, so one small pattern
        alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in
                               sorted(phrases, key=len, reverse=True))
        by_words = {" ".join(w.split()): w for w in phrases}
        for m in re.finditer(rf"(?<![\w'’.@/-])(?:{alternation})(?![\w@-])", text):
            key = by_words[" ".join(m.group().split())]
            out.append((found[key][0], m.start(), m.end(), found[key][1]))
    nick = _nicknames(found)
    _names, words = given_names()
    # "ty's aide" after "my son Ty": the lower-case form too, unless it is also a word.
    lower = {w.lower(): v for w, v in found.items()
             if v[0] in _PERSON_KINDS and w.lower() not in words | NOT_NAMES | STOP_AFTER_KIN}
    for m in _WORD.finditer(text):
        word = m.group()
        hit = found.get(word) or (lower.get(word) if word.islower() else None)
        if hit is None and word[-1] in "ye" and word[0].isupper():  # "Blakey", "Maddie"
            for pet in ("y", "ie", "ey"):
                if word.endswith(pet) and (hit := found.get(word[: -len(pet)])):
                    break
        if hit is None and word in nick and word.lower() not in words | NOT_NAMES:
            hit = found[nick[word]]
        if hit is not None:
            out.append((hit[0], m.start(), m.end(), hit[1]))
    return out
