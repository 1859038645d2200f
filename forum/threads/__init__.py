"""Categories, threads, posts, revisions, and how authors are shown."""

from flask import Blueprint

bp = Blueprint("threads", __name__)

from forum.threads import composer, routes  # noqa: E402,F401
from forum.threads.titles import display_title  # noqa: E402

bp.record_once(lambda state: composer.register(state.app))
# {{ thread | thread_title(current_user) }} on pages; {{ thread | thread_title }} in kept
# blocks (forum.assembly), where no viewer is in reach.
bp.add_app_template_filter(display_title, "thread_title")
