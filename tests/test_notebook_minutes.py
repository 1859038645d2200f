"""The minutes arithmetic: partial weeks, months, full days, breaks, dates, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from forum.notebook.minutes import (
    Calendar,
    Log,
    Promise,
    local_today,
    member_zone,
    promised_minutes,
    tally,
)
from forum.notebook.models import LogStatus, Per

WEEKDAYS = frozenset(range(5))
PLAIN = Calendar(WEEKDAYS)
D, M = LogStatus.DELIVERED, LogStatus.MISSED


def d(month: int, day: int, year: int = 2024) -> date:
    return date(year, month, day)


def test_full_day_promise_counts_every_school_day():
    # Tuesday September 3, 2024 to Friday the 6th: four school days of 360 minutes.
    result = tally(Promise(Per.SCHOOL_DAY, 360, d(9, 3)), [], PLAIN, d(9, 6))
    assert (result.school_days, result.promised) == (4, 1440)
    # The weekend adds nothing; Monday does.
    assert tally(Promise(Per.SCHOOL_DAY, 360, d(9, 3)), [], PLAIN, d(9, 8)).promised == 1440
    assert tally(Promise(Per.SCHOOL_DAY, 360, d(9, 3)), [], PLAIN, d(9, 9)).promised == 1800


def test_weekly_promise_is_prorated_over_a_partial_week():
    # Starts on a Wednesday: 3 of the week's 5 school days, so 3/5 of 60 minutes.
    assert tally(Promise(Per.WEEK, 60, d(9, 4)), [], PLAIN, d(9, 6)).promised == 36
    # Then a whole week.
    assert tally(Promise(Per.WEEK, 60, d(9, 4)), [], PLAIN, d(9, 13)).promised == 96
    # To date stops mid-week: Monday and Tuesday of the second week.
    assert tally(Promise(Per.WEEK, 60, d(9, 4)), [], PLAIN, d(9, 10)).promised == 60


def test_a_marked_holiday_is_not_a_school_day():
    labor_day = Calendar(WEEKDAYS, ((d(9, 2), d(9, 2)),))
    week = tally(Promise(Per.WEEK, 60, d(9, 2)), [], labor_day, d(9, 6))
    assert (week.school_days, week.promised) == (4, 48)
    day = tally(Promise(Per.SCHOOL_DAY, 360, d(9, 2)), [], labor_day, d(9, 6))
    assert day.promised == 4 * 360
    # Without the break it is a normal week.
    assert tally(Promise(Per.WEEK, 60, d(9, 2)), [], PLAIN, d(9, 6)).promised == 60


def test_a_whole_week_of_break_owes_nothing():
    fall_break = Calendar(WEEKDAYS, ((d(10, 14), d(10, 18)),))
    before = tally(Promise(Per.WEEK, 60, d(10, 7)), [], fall_break, d(10, 11)).promised
    after = tally(Promise(Per.WEEK, 60, d(10, 7)), [], fall_break, d(10, 20)).promised
    assert before == after == 60


def test_monthly_promise_is_prorated_by_the_months_school_days():
    # September 2024 has 21 weekdays; from the 16th to the 30th, 11 of them count.
    assert tally(Promise(Per.MONTH, 120, d(9, 16)), [], PLAIN, d(9, 30)).promised == 63  # 62.86
    # A week of break in it: 6 of 21.
    spring = Calendar(WEEKDAYS, ((d(9, 23), d(9, 27)),))
    assert tally(Promise(Per.MONTH, 120, d(9, 16)), [], spring, d(9, 30)).promised == 34  # 34.29
    # A whole month is the whole promise; two months, twice.
    assert tally(Promise(Per.MONTH, 120, d(9, 1)), [], PLAIN, d(10, 31)).promised == 240


def test_only_the_service_dates_count():
    ended = tally(Promise(Per.WEEK, 60, d(9, 2), d(9, 6)), [], PLAIN, d(9, 20))
    assert ended.promised == 60 and ended.window == (d(9, 2), d(9, 6))
    future = tally(Promise(Per.WEEK, 60, d(10, 1)), [], PLAIN, d(9, 20))
    assert future.window is None and future.promised == 0 and future.shortfall == 0


def test_delivered_and_missed_sessions_and_the_shortfall():
    logs = [Log(D, d(9, 3), d(9, 6), 360), Log(M, d(9, 9), None, 360)]
    result = tally(Promise(Per.SCHOOL_DAY, 360, d(9, 3)), logs, PLAIN, d(9, 10))
    assert (result.promised, result.delivered, result.missed) == (2160, 1440, 360)
    assert result.shortfall == 720
    assert result.not_logged == 360  # Tuesday the 10th: neither delivered nor missed


def test_sessions_outside_the_promise_or_in_the_future_do_not_count():
    logs = [Log(D, d(8, 30), None, 30),  # before the start
            Log(D, d(9, 7), None, 30),  # a Saturday make-up session: delivered time
            Log(D, d(9, 30), None, 30)]  # after today
    result = tally(Promise(Per.WEEK, 60, d(9, 2)), logs, PLAIN, d(9, 13))
    assert result.delivered == 30
    assert result.shortfall == 120 - 30


def test_delivered_beyond_the_promise_is_no_negative_shortfall():
    result = tally(Promise(Per.WEEK, 30, d(9, 2)), [Log(D, d(9, 3), None, 90)], PLAIN, d(9, 6))
    assert result.shortfall == 0 and result.not_logged == 0


def test_period_logs_count_school_days_only():
    holidays = Calendar(WEEKDAYS, ((d(9, 2), d(9, 2)),))
    result = tally(Promise(Per.SCHOOL_DAY, 360, d(9, 2)), [Log(D, d(9, 1), d(9, 8), 360)],
                   holidays, d(9, 13))
    assert result.delivered == 4 * 360  # Tuesday to Friday; not the holiday nor weekends


def test_the_aide_story_gap_days_and_shortfall():
    """Promised from September 3, first day October 4, removed November 15."""
    promise = Promise(Per.SCHOOL_DAY, 360, d(9, 3))
    logs = [Log(D, d(10, 4), d(11, 14), 360)]
    result = tally(promise, logs, PLAIN, d(11, 22))
    late, removed = result.gaps
    assert (late.first, late.days, late.school_days) == (d(9, 3), 31, 23)
    assert late.before_first_delivery and not late.ongoing
    assert late.promised == 23 * 360
    assert (removed.first, removed.days, removed.school_days) == (d(11, 15), 8, 6)
    assert removed.ongoing and not removed.before_first_delivery
    assert result.first_delivery == d(10, 4)
    assert result.shortfall == (23 + 6) * 360


def test_weekly_gaps_are_whole_weeks_without_a_session():
    logs = [Log(D, d(9, 3), None, 60), Log(D, d(9, 17), None, 60)]
    result = tally(Promise(Per.WEEK, 60, d(9, 2)), logs, PLAIN, d(9, 20))
    (gap,) = result.gaps
    assert (gap.first, gap.last, gap.school_days, gap.days) == (d(9, 9), d(9, 13), 5, 8)
    assert gap.promised == 60


def test_nothing_delivered_yet_is_one_ongoing_gap():
    result = tally(Promise(Per.SCHOOL_DAY, 300, d(9, 3)), [], PLAIN, d(9, 6))
    (gap,) = result.gaps
    assert gap.before_first_delivery and gap.ongoing and gap.days == 4


def test_fractions_are_exact_and_rounded_half_up_once():
    two_days = Calendar(frozenset({0, 1}))
    counted = [d(9, 2)]
    assert promised_minutes(Promise(Per.WEEK, 1, d(9, 2)), two_days, counted) == Fraction(1, 2)
    assert tally(Promise(Per.WEEK, 1, d(9, 2)), [], two_days, d(9, 2)).promised == 1
    # Thirds add up exactly over a week: no drift from rounding every day.
    assert tally(Promise(Per.WEEK, 10, d(9, 2)), [], Calendar(frozenset({0, 1, 2})),
                 d(9, 8)).promised == 10


def test_no_school_days_marked_promises_nothing():
    assert tally(Promise(Per.WEEK, 60, d(9, 2)), [], Calendar(frozenset()), d(9, 30)).promised == 0


@pytest.mark.parametrize(("zone", "expected"), [
    ("UTC", d(10, 4)), ("America/Los_Angeles", d(10, 3)), ("Pacific/Auckland", d(10, 4)),
    ("America/New_York", d(10, 3)),
])
def test_today_is_the_members_local_date(zone, expected):
    now = datetime(2024, 10, 4, 3, 0)  # naive UTC, as the app stores it
    assert local_today(zone, now) == expected
    assert local_today(ZoneInfo(zone), now.replace(tzinfo=UTC)) == expected


def test_to_date_follows_the_time_zone():
    now = datetime(2024, 10, 4, 3, 0)
    promise = Promise(Per.SCHOOL_DAY, 360, d(9, 30))
    in_utc = tally(promise, [], PLAIN, local_today("UTC", now))
    in_la = tally(promise, [], PLAIN, local_today("America/Los_Angeles", now))
    assert in_utc.promised - in_la.promised == 360


def test_member_zone_reads_a_timezone_setting_when_there_is_one():
    class Member:  # the account's setting (Settings -> Time zone)
        time_zone = "America/Chicago"

    class Broken:
        time_zone = "Not/AZone"

    assert member_zone(Member()) == ZoneInfo("America/Chicago")
    assert member_zone(Broken()) is UTC
    assert member_zone(object()) is UTC
    assert member_zone(Member(), tz="Europe/Paris") == ZoneInfo("Europe/Paris")
