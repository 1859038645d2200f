"""`flask notebook send-reminders`: emails for dates that matter, for cron (daily is enough)."""

from __future__ import annotations

from datetime import datetime

import click

from forum.notebook import bp
from forum.notebook.reminders import send_reminders


@bp.cli.command("send-reminders")
@click.option("--now", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d"]), hidden=True,
              help="Pretend it is this UTC time (tests).")
def send_reminders_command(now: datetime | None) -> None:
    """Send the reminders that are due; a date is never reminded twice."""
    summary = send_reminders(now)
    click.echo(f"Sent {summary.sent} notebook reminder(s); {summary.failed} failed "
               "(tried again on the next run).")
    if summary.failed:
        raise SystemExit(1)
