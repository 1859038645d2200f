"""Categories, threads, posts, revisions, and how authors are shown."""

from flask import Blueprint

bp = Blueprint("threads", __name__)

from forum.threads import routes  # noqa: E402,F401
from forum.threads.titles import display_title  # noqa: E402

# {{ thread | thread_title(current_user) }} on whole pages; {{ thread | thread_title }} in
# parts shared by every viewer (forum.fragments), where no viewer is in reach.
bp.add_app_template_filter(display_title, "thread_title")
