"""A member's time zone: the IANA name they chose (none: UTC), and the cookie that tells
their browser.

Pages print exact times in UTC, because members share parts of them; the
browser rewrites them into the member's zone (forum/static/forum.js). The
browser learns the zone from the `forum_tz` cookie, kept in step with the
account on every signed-in response: the zone's name, or "-" for "not chosen
yet", which is when the script offers the zone the browser reports.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask import Response, current_app, request
from flask_login import current_user
from sqlalchemy import inspect

from forum.accounts.models import User
from forum.extensions import db
from forum.services import ForumError

COOKIE = "forum_tz"
NOT_CHOSEN = "-"
# Offered first: where most members live.
COMMON = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Guam",
    "Pacific/Pago_Pago",
)
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "posix/", "right/")


@cache
def all_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def zone_choices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(common zones, every other region/city zone), for the settings page."""
    common = tuple(z for z in COMMON if z in all_zones())
    others = sorted(
        z
        for z in all_zones()
        if "/" in z and not z.startswith(_LEGACY_PREFIXES) and z not in common
    )
    return common, tuple(["UTC", *others])


def clean_zone(name: str | None) -> str | None:
    """A known IANA zone name, or None for "not chosen"; refuses anything else."""
    name = (name or "").strip()
    if not name:
        return None
    if name not in all_zones():
        raise ForumError("Please choose a time zone from the list.")
    return name


def set_time_zone(user: User, name: str | None) -> str | None:
    """Save the member's time zone (None: show UTC)."""
    user.time_zone = clean_zone(name)
    db.session.commit()
    return user.time_zone


def set_zone_cookie(response: Response, zone: str | None) -> None:
    """Tell the browser the member's zone (or that none is chosen yet)."""
    response.set_cookie(
        COOKIE,
        zone or NOT_CHOSEN,
        max_age=365 * 24 * 3600,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=False,  # read by forum.js; it holds nothing but the zone's name
        samesite="Lax",
    )


def sync_cookie(response: Response) -> Response:
    """After every response: the browser's copy of the signed-in member's zone.

    Reads only what the request already loaded: a member object expired by a
    commit (or a failed transaction) is left alone rather than queried again
    after the response is made; the next page brings the cookie in step.
    """
    if current_user.is_authenticated:
        loaded = inspect(current_user._get_current_object()).dict
        if "time_zone" in loaded:
            wanted = loaded["time_zone"] or NOT_CHOSEN
            if request.cookies.get(COOKIE) != wanted:
                set_zone_cookie(response, loaded["time_zone"])
    elif COOKIE in request.cookies:  # signed out: the next person gets their own browser's
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
