"""What the IEP promises: services, sessions delivered or missed, and the tallies.

The arithmetic itself is in forum.notebook.minutes; this module loads what it needs
in a fixed number of queries and owns the commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from forum.extensions import db
from forum.notebook.minutes import Calendar, Log, Promise, Tally, tally
from forum.notebook.models import (
    PER_LABELS,
    LogStatus,
    Notebook,
    Per,
    SchoolBreak,
    Service,
    ServiceLog,
)
from forum.notebook.services import LABEL_MAX, check_date, clean_text, refuse_names
from forum.services import ForumError, NotFound

MAX_SERVICES = 30
MAX_LOGS = 20_000
MAX_PERIOD_DAYS = 366
MAX_MINUTES = {Per.SCHOOL_DAY: 720, Per.WEEK: 3_600, Per.MONTH: 15_000}


def get_service(notebook: Notebook, service_id: int) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or service.notebook_id != notebook.id:
        raise NotFound("No such service.")
    return service


def services_of(notebook: Notebook) -> list[Service]:
    return list(db.session.scalars(
        select(Service).where(Service.notebook_id == notebook.id)
        .order_by(Service.starts_on, Service.id)))


def save_service(notebook: Notebook, service: Service | None, *, name: str, minutes: int | None,
                 per: str, full_day: bool, session_minutes: int | None, starts_on: date | None,
                 ends_on: date | None) -> Service:
    """Add a promised service (service None) or change one."""
    name = clean_text(name, LABEL_MAX, "The service's name")
    if not name:
        raise ForumError("Please name the service (e.g. speech therapy, 1:1 aide).")
    refuse_names(name, "The service's name")
    if per not in set(Per):
        raise ForumError("Please choose per week, per month or per school day.")
    per = Per(per)
    full_day = bool(full_day) and per == Per.SCHOOL_DAY
    if full_day:
        minutes = notebook.school_day_minutes
    if minutes is None or not 1 <= minutes <= MAX_MINUTES[per]:
        raise ForumError(f"Minutes {PER_LABELS[per]}: between 1 and {MAX_MINUTES[per]:,}.")
    if session_minutes is not None and not 1 <= session_minutes <= 720:
        raise ForumError("A session is between 1 and 720 minutes.")
    starts_on = check_date(starts_on, "Start date")
    if ends_on is not None and check_date(ends_on, "End date") < starts_on:
        raise ForumError("The service ends before it starts.")
    if service is None:
        count = db.session.scalar(select(func.count()).where(Service.notebook_id == notebook.id))
        if count >= MAX_SERVICES:
            raise ForumError(f"A notebook holds up to {MAX_SERVICES} services.")
        service = Service(notebook_id=notebook.id)
        db.session.add(service)
    service.name, service.minutes, service.per, service.full_day = name, minutes, per, full_day
    service.session_minutes, service.starts_on, service.ends_on = (
        session_minutes, starts_on, ends_on)
    db.session.commit()
    return service


def delete_service(service: Service) -> None:
    """The service and its logged sessions; entries about it stay, unlinked."""
    db.session.execute(delete(Service).where(Service.id == service.id))
    db.session.commit()


def day_minutes(service: Service, notebook: Notebook) -> int:
    """Minutes per school day of a per-day promise (a full day follows the notebook)."""
    return notebook.school_day_minutes if service.full_day else service.minutes


def tap_minutes(service: Service, notebook: Notebook) -> int:
    """What one tap logs: the session length, else a day's (or a week's) promise."""
    if service.session_minutes:
        return service.session_minutes
    return day_minutes(service, notebook) if service.per == Per.SCHOOL_DAY else service.minutes


def log_session(notebook: Notebook, service: Service, status: str, *, on: date | None,
                until: date | None = None, minutes: int | None = None,
                today: date) -> ServiceLog:
    """Log a session delivered or missed on one day, or on every school day of a period.

    `today` is the member's local date: nothing can be logged after it.
    """
    if status not in set(LogStatus):
        raise ForumError("Delivered or missed?")
    on = check_date(on, "Date", latest=today)
    if until is not None and until != on:
        until = check_date(until, "Last day", latest=today)
        if until < on:
            raise ForumError("The last day is before the first.")
        if (until - on).days >= MAX_PERIOD_DAYS:
            raise ForumError("Log a period of at most a year at a time.")
    else:
        until = None
    if minutes is None:
        minutes = day_minutes(service, notebook) if until else tap_minutes(service, notebook)
    if not 1 <= minutes <= 720:
        raise ForumError("Minutes: between 1 and 720 (per school day for a period).")
    count = db.session.scalar(
        select(func.count()).where(ServiceLog.notebook_id == notebook.id))
    if count >= MAX_LOGS:
        raise ForumError(f"A notebook holds up to {MAX_LOGS:,} logged sessions.")
    log = ServiceLog(notebook_id=notebook.id, service_id=service.id, status=LogStatus(status),
                     starts_on=on, ends_on=until, minutes=minutes)
    db.session.add(log)
    db.session.commit()
    return log


def delete_log(notebook: Notebook, log_id: int) -> ServiceLog:
    log = db.session.get(ServiceLog, log_id)
    if log is None or log.notebook_id != notebook.id:
        raise NotFound("No such session.")
    db.session.delete(log)
    db.session.commit()
    return log


# --- tallies ----------------------------------------------------------------------


@dataclass
class ServiceSummary:
    service: Service
    tally: Tally
    day_minutes: int  # per school day, for a per-day promise
    tap_minutes: int

    @property
    def is_daily(self) -> bool:
        return self.service.per == Per.SCHOOL_DAY

    @property
    def amount_label(self) -> str:
        if self.service.full_day:
            return f"full day ({self.day_minutes} min) per school day"
        return f"{self.service.minutes} min {PER_LABELS[self.service.per]}"

    @property
    def shortfall_days(self) -> int | None:
        """Whole school days owed, for a per-day promise."""
        if not self.is_daily or not self.day_minutes:
            return None
        return self.tally.shortfall // self.day_minutes


@dataclass
class Record:
    """Everything the tallies need, loaded once: the calendar, services and their logs."""

    calendar: Calendar
    services: list[Service]
    logs: list[ServiceLog]
    breaks: list[SchoolBreak]


def load_record(notebook: Notebook) -> Record:
    """Three queries, however much is logged."""
    breaks = list(db.session.scalars(
        select(SchoolBreak).where(SchoolBreak.notebook_id == notebook.id)
        .order_by(SchoolBreak.starts_on)))
    logs = list(db.session.scalars(
        select(ServiceLog).where(ServiceLog.notebook_id == notebook.id)
        .order_by(ServiceLog.starts_on, ServiceLog.id)))
    calendar = Calendar(notebook.weekdays, tuple((b.starts_on, b.ends_on) for b in breaks),
                        notebook.school_day_minutes)
    return Record(calendar, services_of(notebook), logs, breaks)


def summarize(notebook: Notebook, record: Record, today: date) -> list[ServiceSummary]:
    """Promised versus delivered for every service, to `today`."""
    by_service: dict[int, list[Log]] = {}
    for log in record.logs:
        by_service.setdefault(log.service_id, []).append(
            Log(log.status, log.starts_on, log.ends_on, log.minutes))
    summaries = []
    for service in record.services:
        per_day = day_minutes(service, notebook)
        amount = per_day if service.per == Per.SCHOOL_DAY else service.minutes
        promise = Promise(service.per, amount, service.starts_on, service.ends_on)
        summaries.append(ServiceSummary(
            service, tally(promise, by_service.get(service.id, []), record.calendar, today),
            per_day, tap_minutes(service, notebook)))
    return summaries


def logs_today(record: Record, today: date) -> dict[int, list[ServiceLog]]:
    """Sessions logged for today, by service: the one-tap buttons say what is done."""
    found: dict[int, list[ServiceLog]] = {}
    for log in record.logs:
        if log.starts_on <= today <= (log.ends_on or log.starts_on):
            found.setdefault(log.service_id, []).append(log)
    return found


def recent_logs(record: Record, service: Service, limit: int = 60) -> list[ServiceLog]:
    logs = [log for log in record.logs if log.service_id == service.id]
    return sorted(logs, key=lambda log: (log.starts_on, log.id), reverse=True)[:limit]
