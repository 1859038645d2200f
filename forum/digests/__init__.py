"""Email digests, reply notifications, one-click unsubscribe, and Atom feeds."""

from flask import Blueprint

bp = Blueprint("digests", __name__, cli_group="digests")

from forum.digests import cli, feeds, models, panels, routes  # noqa: E402,F401

bp.record_once(lambda state: panels.register(state.app))
