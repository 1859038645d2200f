"""Names without a family word ("We took Mateo", "Ava and Liam"), for forum.privacy (issue 16).

`bare_names`: a capitalised given name from a large list (forum/data/first_names.txt,
US Social Security baby names, public domain) where it acts as a person. A name that
is also an ordinary word ("Grace", "Will", "May") needs a clear sign of a person
(a possessive, a list of names, a verb such as "said") or a capital letter in the
middle of a sentence; field terms and proper-noun phrases ("Wilson Reading System",
"the Hope Center") are left alone. The list is read once, at first use, into frozensets.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from forum.privacy_data import ALLOWLIST, FIRST_NAMES, MONTHS, STOP_AFTER_KIN

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


def word_set(blob: str) -> frozenset[str]:
    return frozenset(blob.split())


# Names that are also months, states, countries or words parents often capitalise.
_WORDLIKE = word_set("""
april may june august january july march christian jesus israel india china asia kenya
georgia virginia carolina dakota montana nevada arizona indiana tennessee florida washington
""")
# Also cities: a child's name far more often, unless the words around make it a place
# ("in Austin", "Austin, Texas", "Austin ISD").
_PLACES = word_set("""
georgia virginia carolina dakota montana nevada arizona indiana tennessee florida washington
austin dallas houston phoenix denver orlando charlotte savannah madison jackson lincoln
cleveland columbus aurora eugene florence raleigh augusta helena marion clinton franklin
jefferson monroe camden trenton kingston salem paris sydney victoria brooklyn chelsea israel
india china asia kenya jordan sierra katy boston dayton reno kent tampa sherman irving
arlington plano frisco
""")
# Also words, but a capitalised one is far more often a child's name ("Hazel was...").
_MOSTLY_NAMES = word_set("""
hazel ivy ruby violet olive jade iris lily daisy poppy willow aspen hunter mason cooper carter
tucker parker sawyer archer piper scarlet amber crystal holly heather jasmine rosemary ginger
misty sandy brandy candy ember wren robin raven jasper atlas max jack colt harry jimmy bobby
billy johnny tony terry eddy frank drew dean dale carol sally patty peggy dolly nick matt rob
rick josh tom victor martin warren wade walker tanner hector gene ray ruth
""")
# Never a person here: brands, programs, holidays and characters that share a name.
NOT_NAMES = word_set("""
barton wilson orton gillingham lindamood fountas pinnell lexia dibels vineland conners wechsler
kaufman bender peabody brigance elmo moana bluey peppa sonic buzz mickey minnie goofy pluto
christmas easter thanksgiving halloween hanukkah kwanzaa passover ramadan diwali sesame
zoom google apple amazon siri alexa kaiser mercy shriners sunday monday tuesday wednesday
thursday friday saturday spring autumn summer winter fall
""") | STOP_AFTER_KIN
# A capitalised word right before the name makes it a place or a saint ("Fort Hood", "St. Luke").
_PLACE_PREFIX = word_set("""
saint st st. mount mt mt. lake fort ft ft. port camp cape san santa los las new north south
east west glen sister
""")
# A capitalised word right after the name makes it an institution, program or place.
_INSTITUTION = word_set("""
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
_ABBREVIATIONS = word_set("st. mt. ft. mr. mrs. ms. dr. mx. prof. sr. jr.")
_MONTH_BEFORE = re.compile(
    r"(?:\b(?:in|by|since|until|till|last|next|this|early|mid|late|of|from|through|before|after|"
    r"during|each|every|around|end|start|beginning|middle)|\d)[\s-]*$", re.I)
_MONTH_AFTER = re.compile(r"\s*(?:\d|,?\s*(?:19|20)\d\d|and\s+[A-Z][a-z]+\b)")
_PERSON_VERB = word_set("""
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
        if low not in names or low in NOT_NAMES:
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
