"""`flask accounts purge-deleted`: the last step of deleting an account, run daily."""

from __future__ import annotations

import click
from flask import current_app

from forum.accounts import bp as accounts_bp
from forum.accounts.services import purge_deleted_usernames


@accounts_bp.cli.command("purge-deleted")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Free the names of accounts deleted at least this many days ago "
                   "(default: DELETED_USERNAME_DAYS, 30).")
def purge_deleted(days: int | None) -> None:
    """Free the usernames of deleted accounts once the waiting period is over."""
    days = current_app.config["DELETED_USERNAME_DAYS"] if days is None else days
    count = purge_deleted_usernames(days)
    click.echo(f"Freed {count} username(s) of accounts deleted {days} or more days ago.")
