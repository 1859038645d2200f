"""Engagement (issue 18): reactions made for support, the thread's most helpful reply,
save for later, drafts kept on the server, and the unanswered threads list.

Hooks into threads through a slot (the bar under each post), panels (the helpful reply,
the save button), thread facts (saved, the reply draft), the composer's draft hooks and
the post signals; threads imports nothing from here.
"""

from flask import Blueprint

bp = Blueprint("engage", __name__, cli_group="engage")

from forum.engage import cli, hooks, models, routes  # noqa: E402,F401

bp.record_once(lambda state: hooks.register(state.app))
