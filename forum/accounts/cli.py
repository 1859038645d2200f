"""`flask accounts ...`: create users from the command line."""

from __future__ import annotations

import sys

import click

from forum.accounts import bp, services
from forum.accounts.models import Role

ROLES = click.Choice([r.value for r in Role])


@bp.cli.command("create-user")
@click.argument("username")
@click.option("--role", type=ROLES, default="member", show_default=True)
@click.option("--email", default=None)
@click.option("--password", default=None, help="For scripts; otherwise read from stdin.")
def create_user(username: str, role: str, email: str | None, password: str | None) -> None:
    """Create an account; the password comes from --password or stdin."""
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
    try:
        user = services.register_user(username, password, email, role=Role(role))
    except services.RegistrationError as exc:
        raise click.ClickException(f"{exc.field}: {exc}") from exc
    click.echo(f"Created {user.role} {user.username}.")


# `flask accounts set-role` is defined in forum/moderation/cli.py: role changes are audited.
