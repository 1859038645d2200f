"""Patterns for contact details and dates in a post: emails, social links, phone numbers
(confirmed with phonenumbers), street addresses and exact dates. Used by forum.privacy."""

from __future__ import annotations

import re

import phonenumbers

from forum.privacy_data import MONTHS, STREET_SUFFIXES
from forum.privacy_people import ALT, Cand, lookback

_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
             r"December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_ORD = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)"
_YEAR = r"(?:,?\s+(?:19|20)\d\d(?!\d))?"
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
    rf"(?:(?:[A-Z][\w'-]*|\d{{1,3}}(?:st|nd|rd|th))\.?\s+){{1,3}}(?:{ALT(STREET_SUFFIXES)})\b\.?"
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
_POSSIBLE = phonenumbers.Leniency.POSSIBLE


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


def dates(text: str) -> list[Cand]:
    """Exact calendar dates (named month with a day, or numeric), with a leading 'on the'."""
    out = []
    for m in DATE_RE.finditer(text):
        g = m.groupdict()
        start = lookback(_DATE_LEAD, text, m.start(), 30)
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

def phones(text: str) -> list[Cand]:
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


def links_and_emails(text: str) -> list[Cand]:
    """Emails and social-media links."""
    out = []
    if "@" in text:
        out += [("email", *m.span(), "[email removed]") for m in EMAIL_RE.finditer(text)]
    if "/" in text and _SOCIAL_HINT.search(text):
        out += [("social_url", *m.span(), "[link removed]") for m in SOCIAL_RE.finditer(text)]
    return out


def addresses(text: str) -> list[Cand]:
    """Street addresses and PO boxes."""
    out = []
    for m in ADDRESS_RE.finditer(text):
        end = m.end()
        if text[end - 1] == "." and (end == len(text) or text[end].isspace()):
            end -= 1  # "We live at 22 Elm Street. Then..." keeps its full stop
        out.append(("address", m.start(), end, "[address removed]"))
    return out

