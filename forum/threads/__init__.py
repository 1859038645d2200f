"""Categories, threads, posts, revisions, and how authors are shown."""

from flask import Blueprint

bp = Blueprint("threads", __name__)

from forum.threads import composer, routes  # noqa: E402,F401

bp.record_once(lambda state: composer.register(state.app))
