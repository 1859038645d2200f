"""`flask accounts set-role` and `lift-sanctions`: here because both go in the audit log.

accounts may not import moderation (accounts <- threads <- moderation), so the
command is attached to the accounts command group from this side.
"""

from __future__ import annotations

import click

from forum.accounts import bp as accounts_bp
from forum.accounts.models import Role
from forum.accounts.services import find_user
from forum.moderation.authors import change_role, lift_everything
from forum.services import ForumError


@accounts_bp.cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--reason", default="", help="Recorded in the audit log.")
def set_role(username: str, role: str, reason: str) -> None:
    """Change an account's role (member, moderator, admin); recorded in the audit log."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    try:
        change_role(None, user, role, reason or "command line")
    except ForumError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.username} is now {role}.")


@accounts_bp.cli.command("lift-sanctions")
@click.argument("username")
@click.option("--reason", default="", help="Recorded in the audit log.")
def lift_sanctions(username: str, reason: str) -> None:
    """Lift every suspension and ban of an account (e.g. an admin banned by mistake)."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    count = lift_everything(user, reason or "command line")
    click.echo(f"Lifted {count} suspension(s) or ban(s) of {user.username}.")
