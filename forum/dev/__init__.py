"""`flask dev seed`: a demo site for trying the forum locally."""

from __future__ import annotations

import click
from flask import Blueprint

bp = Blueprint("dev", __name__, cli_group="dev")


@bp.cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--password", default="demo-password-123", show_default=True,
              help="Password of every demo account.")
def seed_command(if_empty: bool, password: str) -> None:
    """Fill the demo site (idempotent: existing rows are kept)."""
    from forum.dev.seed import seed

    summary = seed(password=password, if_empty=if_empty)
    click.echo(summary)
