"""More kinds for forum.privacy (issue 16): a child's exact age, spelled-out emails, handles.

An exact age ("my 6-year-old", "he is seven") is replaced by an age band ("early
elementary"); "name (at) outlook dot com" is an email like any other.
"""

from __future__ import annotations

import re

Cand = tuple[str, int, int, str]

_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty twenty-one".split())}
_NUM = r"(?:1\d|2[01]|[1-9]|" + "|".join(sorted(
    (w for w in _NUMBERS if w != "zero"), key=len, reverse=True)) + ")"
_NUM_CI = rf"(?i:{_NUM})"
# (adjective, predicate) per band: "my early-elementary son", "he is early-elementary age".
_BANDS = [
    (2, "toddler", "a toddler"),
    (4, "preschool-age", "preschool age"),
    (7, "early-elementary", "early-elementary age"),
    (10, "upper-elementary", "upper-elementary age"),
    (13, "middle-school-age", "middle-school age"),
    (18, "high-school-age", "high-school age"),
    (99, "young adult", "a young adult"),
]
_NOUN_AFTER = re.compile(
    r"\s+(?:[a-z]+\s+)?(?:son|daughter|boy|girl|kid|child|twins?|brother|sister|grandson|"
    r"granddaughter|nephew|niece|stepson|stepdaughter|cousin|student|kiddo)s?\b")
_YEAR_OLD = re.compile(
    rf"(?<![\w.-])(?P<n>{_NUM_CI})(?:[\s-]*(?:years?|yrs?|yr)[\s-]*old|\s?(?:yo|y/o|y\.o\.))"
    r"(?![\w-])")
# Every pattern below is tried only around a number (_NUMBER), so a long post costs one scan.
_NUMBER = re.compile(rf"(?<![\w.-])(?P<n>{_NUM_CI})(?![\w])")
_YEAR_OLD_TAIL = re.compile(r"(?:[\s-]*(?:years?|yrs?|yr)[\s-]*old|\s?(?:yo|y/o|y\.o\.))(?![\w-])",
                            re.I)
# "he is seven", "Ethan's 11", "Aaron, is 17", "(Santi) is 4", "Ava and Mia are 5".
_VERB_BEFORE = re.compile(
    r"(?:\s+(?:is|are|was|just|turned|turns|will\s+be|is\s+now|is\s+turning)|['’]s)"
    r"(?:\s+(?:now|just|almost|nearly|only|turning|turned))?\s+$")
_PRED_TAIL = re.compile(r"(?P<unit>\s+(?:years?|yrs?)(?:\s+old)?)?"
                        r"(?=\s*(?:[.,;:!?)]|and\b|now\b|but\b|with\b|next\b|this\b|"
                        r"last\b|soon\b|so\b|or\b|today\b|$))")
_SUBJECT_BEFORE = re.compile(
    r"(?:\b(?:[Hh]e|[Ss]he|[Ww]ho|[Ss]on|[Dd]aughter|[Kk]id|[Cc]hild|[Bb]oy|[Gg]irl|[Tt]wins|and)"
    r"|(?<![\w'’])(?!(?:The|This|That|It|There|What|Here|Who)\b)[A-Z][a-z]+,?|\))$")
_AGE_WORD = re.compile(r"\b[Aa]ge[sd]?\s+$")
_AT_BEFORE = re.compile(r"\bat\s+$")
_AT_CONTEXT = re.compile(
    r"\b(?:diagnosed|adopted|identified|evaluated|assessed|walked|talked|potty|born)\b"
    r"[^.!?\n]{0,40}$")
_NOT_AN_AGE_AFTER = re.compile(
    r"\s*(?::|am\b|pm\b|a\.m|p\.m|o['’]clock|%|percent|months?|weeks?|days?|hours?|minutes?)")
_PAREN_BEFORE = re.compile(r"(?<=[A-Za-z])(?P<open>\s+\(|,\s+)$")


def _value(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def band(age: int, predicate: bool = False) -> str:
    """'early-elementary' (or 'early-elementary age' after "is") for an age in years."""
    top, adjective, pred = next(b for b in _BANDS if age <= b[0])
    return pred if predicate else adjective


def _year_old(text: str, start: int, end: int, value: int) -> str:
    if re.search(r"\b(?:is|was|turned|turns|'s|’s|be)\s+$", text[max(0, start - 12):start]):
        return band(value, predicate=True)
    adjective = band(value)
    if _NOUN_AFTER.match(text, end):
        return adjective
    return f"{adjective} child" if adjective != "young adult" else adjective


def ages(text: str) -> list[Cand]:
    """A child's exact age, with an age band as the suggestion."""
    out = []
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        value = _value(m.group("n"))
        if value > 21:
            continue
        tail = _YEAR_OLD_TAIL.match(text, end)
        if tail:  # "my 6-year-old", "11 yo"
            out.append(("age", start, tail.end(), _year_old(text, start, tail.end(), value)))
            continue
        lo = max(0, start - 60)
        verb = _VERB_BEFORE.search(text, lo, start)
        pred = verb and _PRED_TAIL.match(text, end)
        if pred and _SUBJECT_BEFORE.search(text, max(0, verb.start() - 20), verb.start()):
            out.append(("age", start, pred.end("unit") if pred.group("unit") else end,
                        band(value, predicate=True)))
        elif age := _AGE_WORD.search(text, lo, start):  # "age 7" -> "early-elementary age"
            out.append(("age", age.start(), end, band(value, predicate=True)))
        elif (_AT_BEFORE.search(text, lo, start) and _AT_CONTEXT.search(text, lo, start)
              and not _NOT_AN_AGE_AFTER.match(text, end)):  # "diagnosed at 3"
            out.append(("age", start, end, band(value, predicate=True)))
        elif m.group("n").isdigit() and (paren := _PAREN_BEFORE.search(text, lo, start)):
            close = text[end:end + 1]  # "Rowan (8, autism", "Cooper (7)", "Ethan, 11,"
            if close == ")" or (close == "," and paren.group("open").strip() in "(,"):
                word = re.search(r"([A-Za-z]+)\W*$", text[max(0, start - 24):paren.start() + 1])
                if word and (word.group(1)[0].isupper()
                             or word.group(1).lower() in ("son", "daughter")):
                    out.append(("age", start, end, band(value).replace("-", " ")))
    return out


def rewrite_ages(phrase: str) -> str:
    """A suggestion with any exact age in it turned into a band ('My 6 year old' -> ...)."""
    phrase = _YEAR_OLD.sub(lambda m: band(_value(m.group("n"))), phrase)
    return re.sub(r"\((1\d|2[01]|[1-9])\)", lambda m: f"({band(int(m.group(1)))})", phrase)


_AT = r"\s*(?:\(at\)|\[at\]|\{at\}|<at>)\s*|\s+(?:at|AT)\s+"
_DOT = r"\s*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)\s*|\s+(?:dot|DOT)\s+|\."
_PROVIDERS = (r"gmail|googlemail|yahoo|outlook|hotmail|live|msn|icloud|me|mac|aol|proton|"
              r"protonmail|pm|comcast|att|verizon|sbcglobal|gmx|mail|ymail|rocketmail|zoho")
_PROVIDER_AT = re.compile(rf"\sat\s+(?:{_PROVIDERS})\.")
OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[A-Za-z0-9][\w.+-]{{1,63}})(?P<at>{_AT})"
    rf"(?P<domain>(?:[A-Za-z0-9-]{{2,63}}(?:{_DOT}))+(?:com|net|org|edu|gov|us|io|co|me|info|"
    r"uk|ca|au))(?![\w-])", re.I)
SOCIAL_HANDLE_RE = re.compile(
    r"\b(?:[Ii]nstagram|[Ii]nsta|IG|[Tt]ik[Tt]ok|[Tt]witter|[Tt]hreads|[Ss]napchat|[Bb]luesky|"
    r"[Ff]acebook)(?:\s+(?:handle|account|page|profile|is|at|as))*\s*:?\s*(?P<h>@[\w.]{2,30}\w)")
HANDLE_ON_RE = re.compile(
    r"(?<![\w@])(?P<h>@[\w.]{2,30}\w)(?=\s+(?:on|at)\s+(?:[Ii]nstagram|IG|[Tt]ik[Tt]ok|[Tt]witter|X\b|"
    r"[Tt]hreads|[Ss]napchat|[Bb]luesky|[Ff]acebook))")
BLUESKY_RE = re.compile(r"(?<![\w.@/-])(?:https?://)?bsky\.app/profile/[\w.@%-]{2,100}[\w]")


def emails_and_handles(text: str) -> list[Cand]:
    """Spelled-out emails ('name (at) outlook dot com'), social handles and Bluesky links."""
    out = []
    lower = text.lower()
    spelled_at = "(at)" in lower or "[at]" in lower or "{at}" in lower or "<at>" in lower
    if not (spelled_at or " dot " in lower or _PROVIDER_AT.search(lower)):
        return out + _handles(text)
    for m in OBFUSCATED_EMAIL.finditer(text):
        if "@" in m.group():
            continue  # a real address: EMAIL_RE's
        plain_at = m.group("at").strip().lower() == "at"
        domain = m.group("domain")
        spelled = re.search(r"\bdot\b|\(dot\)|\[dot\]", domain, re.I)
        if plain_at and not (spelled or re.match(rf"(?:{_PROVIDERS})\.", domain, re.I)):
            continue  # "looked at amazon.com" is not an address
        out.append(("email", m.start(), m.end(), "[email removed]"))
    return out + _handles(text)


def _handles(text: str) -> list[Cand]:
    out = []
    if "@" in text:
        out += [("social_url", m.start("h"), m.end("h"), "[link removed]")
                for rx in (SOCIAL_HANDLE_RE, HANDLE_ON_RE) for m in rx.finditer(text)]
    if "bsky" in text:
        out += [("social_url", *m.span(), "[link removed]") for m in BLUESKY_RE.finditer(text)]
    return out
