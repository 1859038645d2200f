"""Names without a family word ("We took Mateo"), and every other mention of a detected name.

Two steps of forum.privacy.find_in_fields (issue 16):

- `bare_names`: a capitalised given name from a large list (forum/data/first_names.txt,
  US Social Security baby names, public domain) where it acts as a person. A name that
  is also an ordinary word ("Grace", "Will", "May") needs a clear sign of a person
  (a possessive, a list of names, a verb such as "said") or a capital letter in the
  middle of a sentence; field terms and proper-noun phrases ("Wilson Reading System",
  "the Hope Center") are left alone.
- `mentions`: once a name, surname or school is detected anywhere, every other
  occurrence of it in any field ("Blake's", "Jenkins" after "Ms. Jenkins",
  "Maplewood" after "Maplewood Middle School", "Santi" after "Santiago").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from forum.privacy_data import ALLOWLIST, FIRST_NAMES, MONTHS, ROLES, STOP_AFTER_KIN

_DATA = Path(__file__).parent / "data" / "first_names.txt"
Cand = tuple[str, int, int, str]  # (kind, start, end, suggestion)


@cache
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """(every given name, those that are also ordinary words), lower-case; read once."""
    names, words = set(), set()
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, mark = line.partition(" ")
            names.add(name)
            if mark == "~" and name not in _MOSTLY_NAMES:
                words.add(name)
    names |= FIRST_NAMES  # short forms parents use ("Jen", "Becca") that the SSA list lacks
    return frozenset(names), frozenset(words) | _WORDLIKE


def _w(blob: str) -> frozenset[str]:
    return frozenset(blob.split())


# Names that are also months, states, countries or words parents often capitalise.
_WORDLIKE = _w("""
april may june august january july march christian jesus israel india china asia kenya
georgia virginia carolina dakota montana nevada arizona indiana tennessee florida washington
""")
# Also cities: a child's name far more often, unless the words around make it a place
# ("in Austin", "Austin, Texas", "Austin ISD").
_PLACES = _w("""
georgia virginia carolina dakota montana nevada arizona indiana tennessee florida washington
austin dallas houston phoenix denver orlando charlotte savannah madison jackson lincoln
cleveland columbus aurora eugene florence raleigh augusta helena marion clinton franklin
jefferson monroe camden trenton kingston salem paris sydney victoria brooklyn chelsea israel
india china asia kenya jordan sierra katy boston dayton reno kent tampa sherman irving
arlington plano frisco
""")
# Also words, but a capitalised one is far more often a child's name ("Hazel was...").
_MOSTLY_NAMES = _w("""
hazel ivy ruby violet olive jade iris lily daisy poppy willow aspen hunter mason cooper carter
tucker parker sawyer archer piper scarlet amber crystal holly heather jasmine rosemary ginger
misty sandy brandy candy ember wren robin raven jasper atlas max jack colt harry jimmy bobby
billy johnny tony terry eddy frank drew dean dale carol sally patty peggy dolly nick matt rob
rick josh tom victor martin warren wade walker tanner hector gene ray ruth
""")
# Never a person here: brands, programs, holidays and characters that share a name.
_NOT_NAMES = _w("""
barton wilson orton gillingham lindamood fountas pinnell lexia dibels vineland conners wechsler
kaufman bender peabody brigance elmo moana bluey peppa sonic buzz mickey minnie goofy pluto
christmas easter thanksgiving halloween hanukkah kwanzaa passover ramadan diwali sesame
zoom google apple amazon siri alexa kaiser mercy shriners sunday monday tuesday wednesday
thursday friday saturday spring autumn summer winter fall
""") | STOP_AFTER_KIN
# A capitalised word right before the name makes it a place or a saint ("Fort Hood", "St. Luke").
_PLACE_PREFIX = _w("""
saint st st. mount mt mt. lake fort ft ft. port camp cape san santa los las new north south
east west glen sister
""")
# A capitalised word right after the name makes it an institution, program or place.
_INSTITUTION = _w("""
center centre church hospital clinic reading system program programme foundation institute
academy school schools elementary middle high college university library syndrome disease
method act law room hall house club association society network project fund award day week
month plan test scale inventory assessment board department office services group team home
place village city town island river mountain bay beach falls springs heights hills ridge
creek county street avenue road lane drive boulevard park parkway highway way court state
memorial medical health speaks pediatrics therapy therapies foundation ministries list principle
isd usd cisd cusd unified krieger children childrens
rule scholarship award prize
""")
_MONTH_WORDS = frozenset(MONTHS)
_PLACE_BEFORE = re.compile(
    r"\b(?:in|from|near|outside|around|across|visit|visited|leaving|left|(?:moved|move|moving|"
    r"drove|drive|driving|flew|fly|trip|went|relocated|commute)\s+to)\s+(?:the\s+)?$", re.I)
_PLACE_CUES = re.compile(
    r"\b(?:live|lived|living|moved?|moving|city|town|area|miles|drive|drove|flew|trip|hours?|"
    r"travell?ed|far|long\s+way|"
    r"neighbou?rhood|downtown|suburbs?|weather|traffic|visit|visited|state)\b", re.I)
_VOCATIVE = re.compile(
    r"\b(?:[Tt]hank\s+you|[Tt]hanks|[Hh]i|[Hh]ey|[Hh]ello|[Dd]ear|[Ww]elcome),?\s+$")
_ABBREVIATIONS = _w("st. mt. ft. mr. mrs. ms. dr. mx. prof. sr. jr.")
_MONTH_BEFORE = re.compile(
    r"(?:\b(?:in|by|since|until|till|last|next|this|early|mid|late|of|from|through|before|after|"
    r"during|each|every|around|end|start|beginning|middle)|\d)[\s-]*$", re.I)
_MONTH_AFTER = re.compile(r"\s*(?:\d|,?\s*(?:19|20)\d\d|and\s+[A-Z][a-z]+\b)")
_PERSON_VERB = _w("""
said says told tells asked asks cried cries screamed screams yelled yells laughed laughs smiled
hit hits bit bites kicked kicks ran runs loves loved hates hated wants wanted refuses refused
likes liked needs needed started starts got gets goes went came comes melted melts threw
throws eloped elopes talks talked reads learned learns sleeps slept won wins finished
""")
_STRONG_AFTER = re.compile(r",\s+(?:my|our|his|her|their|who|age|aged)\b|"
                           r"\s+\((?:\d|age|aged|my|our|that|we|he|she)")
_TOKEN = re.compile(r"(?<![\w'’.@/-])([A-Z][a-z]+(?:-[A-Z]?[a-z]+|['’][A-Z][a-z]+)?)(['’]s)?"
                    r"(?![\w@-])")
_CAP_WORD = re.compile(r"\s+([A-Z][\w'’-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(*•]|\s-)\s*$")


def allowed_spans(text: str) -> list[tuple[int, int]]:
    """Public figures and characters from the allowlist ("Temple Grandin", "Mr. Rogers")."""
    lower = text.lower()
    spans = []
    for phrase in ALLOWLIST:
        at = lower.find(phrase)
        while at != -1:
            spans.append((at, at + len(phrase)))
            at = lower.find(phrase, at + 1)
    return spans


def _sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text, max(0, start - 4), start))


def _sentence_start_at(text: str, pos: int) -> int:
    return max(text.rfind(c, max(0, pos - 200), pos) for c in ".!?\n") + 1


def _sentence_end(text: str, pos: int) -> int:
    m = re.compile(r"[.!?\n]").search(text, pos)
    return m.start() if m else len(text)


def _next_cap(text: str, end: int) -> str | None:
    m = _CAP_WORD.match(text, end)
    return m.group(1) if m else None


def _prev_word(text: str, start: int) -> str:
    m = re.search(r"([\w.'’]+)\W*$", text[max(0, start - 30):start])
    return m.group(1) if m else ""


def _institution_follows(text: str, end: int) -> bool:
    """'Grace Community Church', 'Wilson Reading System': a capitalised phrase ending in an
    institution word within three words."""
    pos = end
    for _ in range(3):
        m = _CAP_WORD.match(text, pos)
        if not m:
            return False
        if m.group(1).lower().rstrip("'’s") in _INSTITUTION:
            return True
        pos = m.end()
    return False


def _month_context(text: str, start: int, end: int) -> bool:
    return bool(_MONTH_BEFORE.search(text, max(0, start - 14), start)
                or _MONTH_AFTER.match(text, end))


def _strong(text: str, start: int, end: int, possessive: bool) -> bool:
    """Signs that a word-like name is a person: 'Grace's', 'Jack and Emma', 'Will said'."""
    after = text[end:end + 40]
    if possessive or _STRONG_AFTER.match(after):
        return True
    m = re.match(r"\s+(?:and|&)\s+([A-Z][a-z]+)", after)
    names, words = given_names()
    if m and m.group(1).lower() in names and m.group(1).lower() not in words:
        return True
    before = re.search(r"([A-Z][a-z]+)\s+(?:and|&)\s+$", text[max(0, start - 30):start])
    if before and before.group(1).lower() in names - words:
        return True
    m = re.match(r"\s+([a-z]+)", after)
    return bool(m and m.group(1) in _PERSON_VERB)


def bare_names(text: str) -> list[Cand]:
    """Given names acting as a person, with or without a family word before them."""
    names, words = given_names()
    allowed = None
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group(1)
        low = word.lower()
        if low not in names or low in _NOT_NAMES:
            continue
        start, end = m.start(1), m.end(1)
        if allowed is None:
            allowed = allowed_spans(text)
        if any(s < m.end() and start < e for s, e in allowed):
            continue
        prev = _prev_word(text, start)
        at_start = prev.lower() not in _ABBREVIATIONS and _sentence_start(text, start)
        if prev in ("I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d"):
            prev = "i"
        if not at_start and prev[:1].isupper() and prev.lower() in _PLACE_PREFIX:
            continue
        if _institution_follows(text, m.end()) or re.match(r"\s+of\s", text[m.end():m.end() + 4]):
            continue  # "Wilson Reading System", "Jack of all trades"
        if _VOCATIVE.search(text, max(0, start - 12), start) and re.match(r"[,!]\s*\S", text[end:]):
            continue  # "Thank you, Grace, for the template": a member of the forum, addressed
        possessive = bool(m.group(2))
        if low in _PLACES and (_PLACE_BEFORE.search(text, max(0, start - 24), start)
                               or re.match(r",\s+[A-Z]", text[end:end + 3])
                               or _PLACE_CUES.search(text, _sentence_start_at(text, start),
                                                     _sentence_end(text, end))):
            continue  # "moved to Austin", "Austin, Texas", "Lincoln is a long way from here"
        if low in _MONTH_WORDS and _month_context(text, start, end):
            continue
        if not at_start and prev.lower() == "of" and re.search(
                r"[A-Z][\w'’]*\s+of\s+$", text[max(0, start - 30):start]):
            continue  # "Our Lady of Lourdes", "Department of Justice"
        if low in words:
            if not at_start and (prev[:1].isupper() or prev.lower() in ("a", "an", "the")):
                continue  # "Will Smith", "Amazing Grace", "a Marine"
            mid = not at_start
            cap_next = _next_cap(text, m.end())
            phrase = mid and cap_next and cap_next.lower() not in names
            if not ((mid and not phrase and low not in _MONTH_WORDS)
                    or _strong(text, start, m.end(), possessive)):
                continue
        out.append(("name", start, end, "[name]"))
    return out


# --- every other mention -------------------------------------------------------------------

_HEAD_DET = re.compile(r"^(?:my|our|his|her|their|your|a|an)\s+", re.I)
_TITLES = _w("mr mrs ms mx miss dr prof coach nurse principal sister doctor professor")
_GENERIC = _w("""
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


_KIN_SKIP = _w("""
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
             if v[0] in _PERSON_KINDS and w.lower() not in words | _NOT_NAMES | STOP_AFTER_KIN}
    for m in _WORD.finditer(text):
        word = m.group()
        hit = found.get(word) or (lower.get(word) if word.islower() else None)
        if hit is None and word[-1] in "ye" and word[0].isupper():  # "Blakey", "Maddie"
            for pet in ("y", "ie", "ey"):
                if word.endswith(pet) and (hit := found.get(word[: -len(pet)])):
                    break
        if hit is None and word in nick and word.lower() not in words | _NOT_NAMES:
            hit = found[nick[word]]
        if hit is not None:
            out.append((hit[0], m.start(), m.end(), hit[1]))
    return out
