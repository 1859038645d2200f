"""`flask digests send`, `send-notifications` and `prune`, for cron."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app

from forum.digests import bp, progress
from forum.digests.building import SETTLE, window_end
from forum.digests.models import DeliveryKind
from forum.digests.parallel import send_in_parallel
from forum.digests.sending import Run, Summary
from forum.digests.services import prune_deliveries
from forum.extensions import now_utc
from forum.services import ForumError

END_OF_PERIOD = "end-of-period"
_NOW_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d")


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None):
    """--now alone: send as if the period running now had just ended (to see a digest
    in development); --now DATETIME: as if it were that UTC time."""
    if value is None:
        return None
    if value == END_OF_PERIOD:
        return None if ctx.resilient_parsing else END_OF_PERIOD
    for fmt in _NOW_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC), or --now alone.")


NOW = click.option(
    "--now",
    is_flag=False,
    flag_value=END_OF_PERIOD,
    default=None,
    callback=_parse_now,
    metavar="[DATETIME]",
    help="Alone: send now what the current period has so far, as if it had just ended "
    "(to see a first digest while developing; that period then counts as sent). "
    "With a UTC date or time (YYYY-MM-DD[THH:MM]): run as if it were then, e.g. to "
    "catch up after an outage.",
)


def _run_time(kind: DeliveryKind, now: datetime | str | None) -> datetime | None:
    """The time a run pretends it is: --now alone means just after this period's end."""
    if now != END_OF_PERIOD:
        return now
    length = {
        DeliveryKind.DAILY: timedelta(days=1),
        DeliveryKind.WEEKLY: timedelta(days=7),
    }.get(kind, timedelta(minutes=int(current_app.config["DIGEST_NOTIFY_MINUTES"])))
    return window_end(kind, now_utc() + length) + SETTLE + timedelta(seconds=1)


def _parse_node(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    try:
        number, count = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("use I/N, e.g. 1/3 on the first of three machines.") from None
    if not 1 <= number <= count:
        raise click.BadParameter("I must be between 1 and N.")
    return number - 1, count


NODE = click.option(
    "--node",
    default="1/1",
    show_default=True,
    callback=_parse_node,
    metavar="I/N",
    help="This machine is the I-th of N sending the same digest: each takes its share "
    "of the members (see docs/scaling.md).",
)
DRY_RUN = click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
LIMIT = click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages.")
WORKERS = click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="Processes sharing the members (one per CPU is plenty).",
)


def _single(
    kind: DeliveryKind,
    dry_run: bool,
    limit: int | None,
    now: datetime | None,
    node: tuple[int, int] = (0, 1),
) -> Summary:
    shard = node if node[1] > 1 else None
    with Run(kind, now=now, dry_run=dry_run, shard=shard) as run:
        # A progress line for people watching; cron's log gets only the summary.
        if progress.wanted() and run.recipients:
            bar, total, counted = progress.Progress(), len(run.recipients), [0]

            def step(n: int) -> None:
                counted[0] += n
                bar.update(counted[0], total, run.summary.sent)

            run.progress = step
            try:
                run.deliver(run.recipients, limit)
            finally:
                bar.close()
        else:
            run.deliver(run.recipients, limit)
    return run.summary


def _run(
    kind: DeliveryKind,
    dry_run: bool,
    limit: int | None,
    now: datetime | str | None,
    workers: int = 1,
    node: tuple[int, int] = (0, 1),
) -> None:
    now = _run_time(kind, now)
    base = current_app.config["BASE_URL"]
    if not base.startswith("https://"):
        click.echo(
            f"warning: FORUM_BASE_URL is {base!r}; mail clients only offer one-click "
            "unsubscribe for https links.",
            err=True,
        )
    if workers > 1:
        if limit is not None:
            raise click.UsageError("--limit works with one worker only.")
        bar = progress.Progress() if progress.wanted() else None
        try:
            summary = send_in_parallel(
                kind, workers, now=now, dry_run=dry_run, progress=bar, node=node
            )
        finally:
            if bar is not None:
                bar.close()
    else:
        summary = _single(kind, dry_run, limit, now, node)
    for line in summary.planned:
        click.echo(line)
    click.echo(("dry run, nothing sent: would have " if dry_run else "") + summary.line())
    if summary.taken:
        click.echo(f"{summary.taken} already sent (or being sent) by another run")


@bp.cli.command("send")
@click.option("--period", type=click.Choice(["daily", "weekly"]), required=True)
@DRY_RUN
@LIMIT
@WORKERS
@NODE
@NOW
def send_command(
    period: str,
    dry_run: bool,
    limit: int | None,
    workers: int,
    node: tuple[int, int],
    now: datetime | None,
) -> None:
    """Send the daily or weekly digest.

    Run it from cron, daily (or more often) for either period: each member gets one
    digest per day or per ISO week, however often it runs, and two runs at once (or
    on two machines) never send anyone the same digest twice.
    """
    _run(DeliveryKind(period), dry_run, limit, now, workers, node)


@bp.cli.command("send-notifications")
@DRY_RUN
@LIMIT
@NOW
def send_notifications_command(dry_run: bool, limit: int | None, now: datetime | None) -> None:
    """Send batched reply notifications; run from cron every few minutes (one batch per
    member per DIGEST_NOTIFY_MINUTES at most)."""
    _run(DeliveryKind.REPLIES, dry_run, limit, now)


@bp.cli.command("prune")
@click.option(
    "--days",
    type=int,
    default=90,
    show_default=True,
    help="Delete the records of messages whose window ended more than this many days ago.",
)
def prune_command(days: int) -> None:
    """Delete old delivery records (who was sent which digest when); run daily or weekly."""
    try:
        count = prune_deliveries(days)
    except ForumError as exc:
        raise click.BadParameter(str(exc), param_hint="--days") from exc
    click.echo(f"Deleted {count} delivery record(s) of windows that ended over {days} days ago.")
