"""Promised versus delivered minutes, and the gaps in between: pure arithmetic, no database.

The rules (also on the service page, in plain words):

- A **school day** is a weekday the member marks as a school day (Monday to Friday
  unless they change it) that is not inside a break they marked (holidays, vacations).
- A service is promised from its start date to its end date (or open-ended), and
  "to date" stops at today in the member's own time zone.
- **Per school day** (a 1:1 aide, "full day" = the notebook's school-day minutes,
  e.g. 360): minutes x school days to date.
- **Per week**: each week's minutes are prorated by the school days of that week
  that count (inside the service's dates, up to today, not in a break) over the
  week's nominal school days (the marked weekdays). A week that starts on a
  Wednesday, or has a two-day holiday, owes 3/5 of the minutes. Because the
  nominal count is the same every week, this is minutes / weekdays per school day.
- **Per month**: the same, with a calendar month's nominal school days (its marked
  weekdays, 20 to 23): a month with a week of break owes about three quarters.
- **Delivered**: a session logged on one day counts its minutes (even on a
  non-school day: a make-up session is delivered time); a period logged as
  delivered counts its minutes on each school day in it. Only what falls
  between the service's start and today (or its end) counts.
- **Shortfall to date** = promised - delivered, never below zero, in minutes and,
  for a per-day promise, in school days. Sessions logged as missed are shown as
  evidence; they don't change the shortfall (what was not delivered is owed,
  logged as missed or not).
- Fractions are kept exact (Fraction) and rounded to whole minutes only for display.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forum.notebook.models import LogStatus, Per

ONE_DAY = timedelta(days=1)


def member_zone(user=None, tz: str | tzinfo | None = None) -> tzinfo:
    """The zone for "today": an explicit one, the member's `time_zone` setting if the
    account has one, else UTC (the app stores naive UTC)."""
    name = tz if tz is not None else getattr(user, "time_zone", None)
    if isinstance(name, tzinfo):
        return name
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def local_today(tz: str | tzinfo | None = None, now: datetime | None = None) -> date:
    """Today's date where the member is. `now` is an aware time, or naive UTC."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(member_zone(tz=tz)).date()


@dataclass(frozen=True)
class Calendar:
    """Which days are school days: marked weekdays, less the marked breaks."""

    weekdays: frozenset[int]
    breaks: tuple[tuple[date, date], ...] = ()
    day_minutes: int = 360

    def is_school_day(self, day: date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        return not any(start <= day <= end for start, end in self.breaks)

    def school_days(self, first: date, last: date) -> list[date]:
        """The school days from first to last, both included, in order."""
        if last < first:
            return []
        days, day = [], first
        while day <= last:
            if self.is_school_day(day):
                days.append(day)
            day += ONE_DAY
        return days

    def nominal_days(self, first: date, last: date) -> int:
        """Marked weekdays from first to last, breaks ignored (the proration base)."""
        count, day = 0, first
        while day <= last:
            count += day.weekday() in self.weekdays
            day += ONE_DAY
        return count


@dataclass(frozen=True)
class Promise:
    """The arithmetic's view of a service."""

    per: Per
    minutes: int  # per week, month or school day
    starts_on: date
    ends_on: date | None = None


@dataclass(frozen=True)
class Log:
    status: LogStatus
    starts_on: date
    ends_on: date | None  # None: a single day
    minutes: int  # per school day for a period


@dataclass(frozen=True)
class Gap:
    """A stretch with a promise and nothing delivered."""

    first: date  # first day without the service (the promise's start for a late start)
    last: date  # last school day without it
    days: int  # calendar days from `first` until the next delivery (or to date)
    school_days: int
    promised: int  # minutes promised in the stretch
    before_first_delivery: bool  # the service never started (yet) before this
    ongoing: bool  # nothing delivered since, up to today


@dataclass
class Tally:
    """Promised versus delivered for one service, to one day."""

    to_date: date
    window: tuple[date, date] | None  # first and last day that count; None: not started
    promised_exact: Fraction = Fraction(0)
    delivered: int = 0
    missed: int = 0
    school_days: int = 0
    gaps: list[Gap] = field(default_factory=list)
    first_delivery: date | None = None

    @property
    def promised(self) -> int:
        return _round(self.promised_exact)

    @property
    def shortfall(self) -> int:
        return max(0, self.promised - self.delivered)

    @property
    def not_logged(self) -> int:
        """Promised minutes logged neither as delivered nor as missed."""
        return max(0, self.promised - self.delivered - self.missed)


def _round(value: Fraction) -> int:
    """Half up: 22.5 minutes is 23."""
    return int(value + Fraction(1, 2)) if value >= 0 else -_round(-value)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - ONE_DAY


def promised_minutes(promise: Promise, calendar: Calendar, counted: Sequence[date]) -> Fraction:
    """Minutes promised over `counted` (school days inside the window, in order)."""
    if not counted or not calendar.weekdays:
        return Fraction(0)
    if promise.per == Per.SCHOOL_DAY:
        return Fraction(promise.minutes * len(counted))
    if promise.per == Per.WEEK:
        # Every week has the same nominal count, so the prorated weeks add up to this.
        return Fraction(promise.minutes * len(counted), len(calendar.weekdays))
    total = Fraction(0)
    by_month: dict[tuple[int, int], int] = {}
    for day in counted:
        by_month[(day.year, day.month)] = by_month.get((day.year, day.month), 0) + 1
    for (year, month), count in by_month.items():
        first = date(year, month, 1)
        nominal = calendar.nominal_days(first, _month_end(first))
        total += Fraction(promise.minutes * count, nominal)
    return total


def tally(promise: Promise, logs: Iterable[Log], calendar: Calendar, today: date) -> Tally:
    """Promised, delivered and missed minutes from the start to today, and the gaps."""
    last = min(promise.ends_on, today) if promise.ends_on else today
    if last < promise.starts_on:
        return Tally(to_date=today, window=None)
    result = Tally(to_date=today, window=(promise.starts_on, last))
    counted = calendar.school_days(promise.starts_on, last)
    result.school_days = len(counted)
    result.promised_exact = promised_minutes(promise, calendar, counted)
    delivered_days: set[date] = set()
    for log in logs:
        minutes, days = _log_minutes(log, calendar, promise.starts_on, last)
        if log.status == LogStatus.DELIVERED:
            result.delivered += minutes
            delivered_days.update(days)
        else:
            result.missed += minutes
    if delivered_days:
        result.first_delivery = min(delivered_days)
    result.gaps = find_gaps(promise, calendar, counted, sorted(delivered_days), today)
    return result


def _log_minutes(log: Log, calendar: Calendar, first: date, last: date) -> tuple[int, list[date]]:
    """A log's minutes inside [first, last], and the days it covers there."""
    if log.ends_on is None:
        if first <= log.starts_on <= last:
            return log.minutes, [log.starts_on]
        return 0, []
    days = calendar.school_days(max(first, log.starts_on), min(last, log.ends_on))
    return log.minutes * len(days), days


def _unit(per: Per, day: date) -> tuple[int, ...]:
    """The stretch a promise is measured in: a day, an ISO week, or a month."""
    if per == Per.SCHOOL_DAY:
        return (day.toordinal(),)
    if per == Per.WEEK:
        return tuple(day.isocalendar()[:2])
    return (day.year, day.month)


def find_gaps(
    promise: Promise, calendar: Calendar, counted: Sequence[date], delivered: Sequence[date],
    today: date,
) -> list[Gap]:
    """Runs of school days in units (days, weeks or months, after the promise) with
    nothing delivered. Units without a school day (a week of break) neither break
    nor extend a run."""
    have = {_unit(promise.per, day) for day in delivered}
    units: dict[tuple[int, ...], list[date]] = {}
    for day in counted:
        units.setdefault(_unit(promise.per, day), []).append(day)
    gaps: list[Gap] = []
    run: list[date] = []
    for key, days in units.items():  # in date order: `counted` is
        if key in have:
            if run:
                gaps.append(_gap(promise, calendar, run, delivered, today))
            run = []
        else:
            run.extend(days)
    if run:
        gaps.append(_gap(promise, calendar, run, delivered, today))
    return gaps


def _gap(promise: Promise, calendar: Calendar, run: list[date], delivered: Sequence[date],
         today: date) -> Gap:
    first, last = run[0], run[-1]
    following = bisect.bisect_right(delivered, last)
    ongoing = following == len(delivered)
    until = today + ONE_DAY if ongoing else delivered[following]
    if promise.ends_on and ongoing:
        until = min(until, promise.ends_on + ONE_DAY)
    late_start = not delivered or delivered[0] > last
    # "Promised from Sept 3, first day Oct 4: 31 days" counts from the promise itself.
    since = min(first, promise.starts_on) if late_start else first
    return Gap(
        first=since,
        last=last,
        days=(until - since).days,
        school_days=len(run),
        promised=_round(promised_minutes(promise, calendar, run)),
        before_first_delivery=late_start,
        ongoing=ongoing,
    )
