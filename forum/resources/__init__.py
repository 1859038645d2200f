"""Tags, story details, related stories, thread links, search and the resource library."""

from flask import Blueprint

bp = Blueprint("resources", __name__, cli_group="resources")

from forum.resources import admin, cli, panels, routes, thread_extras  # noqa: E402,F401


@bp.record_once
def _register(state) -> None:
    panels.register(state.app)
    thread_extras.register(state.app)
