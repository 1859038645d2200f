"""Accounts: registration, sign-in sessions, password reset, settings, roles."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, cli_group="accounts")

from forum.accounts import cli, routes  # noqa: E402,F401
