"""`flask engage prune-drafts`: forget drafts nobody touched for DRAFT_DAYS (daily cron)."""

from __future__ import annotations

import click

from forum.engage import bp, drafts


@bp.cli.command("prune-drafts")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help=f"Age in days (default: FORUM_DRAFT_DAYS, {drafts.DRAFT_DAYS}).")
def prune_drafts(days: int | None) -> None:
    """Delete drafts older than DAYS."""
    count = drafts.prune(days)
    click.echo(f"Deleted {count} draft{'s' if count != 1 else ''}.")
