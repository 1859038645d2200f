"""Jinja filters: times shown relative, with the exact time alongside.

Pages print exact times in UTC: parts of them are shared between members
(forum/fragments.py), so no member's time zone may be rendered into them.
forum/static/forum.js rewrites each `<time datetime title>` title into the
member's zone in the browser. Emails are each member's own: they format times
with `format_in_zone(dt, member.time_zone)`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from forum.extensions import now_utc


def isodate(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def longdate(dt: datetime) -> str:
    return dt.strftime("%B %-d, %Y")


def _clock(dt: datetime) -> str:
    return dt.strftime("%-I:%M %p")


def fulldate(dt: datetime) -> str:
    """The exact time in UTC, as pages print it (browsers convert it to the member's zone)."""
    return f"{longdate(dt)} at {_clock(dt)} UTC"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_in_zone(dt: datetime, zone: str | None) -> str:
    """A stored (naive UTC) time as a member reads it in their zone:
    "March 4, 2026 at 3:05 PM CST"; UTC when the member chose no zone (or it is unknown).

    For emails and digests, which are each member's own. Never call it for a page
    part that members share.
    """
    tz = _zone(zone) if zone else None
    if tz is None:
        return fulldate(dt)
    local = dt.replace(tzinfo=UTC).astimezone(tz)
    return f"{longdate(local)} at {_clock(local)} {local.tzname()}"


def timeago(dt: datetime) -> str:
    seconds = int((now_utc() - dt).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            if unit == "day" and count > 30:
                return dt.strftime("%b %-d, %Y")
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def register(app: Flask) -> None:
    app.add_template_filter(isodate)
    app.add_template_filter(fulldate)
    app.add_template_filter(longdate)
    app.add_template_filter(timeago)
    app.add_template_filter(format_in_zone, "in_zone")
